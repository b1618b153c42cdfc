"""The lengths the law fixes (shared/domain/law.md D1–D29), which an override of the rule
pack may not leave: a body's period may be shortened by a local rule but never lengthened
past the statute; a party's window for applying is the statute's and may not change.
Deadlines not named here are local rules (the law fixes no length): any positive length."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bound:
    unit: str  # "days" or "hours": the law's unit, which an override keeps
    most: int  # the longest the law allows
    exact: bool = False  # a party's window: exactly the law's length
    ref: str = ""  # the row of the law table
    basis: str = ""  # the statute


LAW_BOUNDS: dict[str, Bound] = {
    "feedback_due": Bound("days", 3, ref="D5", basis="强制报告意见第10条"),
    "no_case_notice_due": Bound("days", 3, ref="D7", basis="公安机关办理刑事案件程序规定第178条"),
    "police_review_window": Bound(
        "days", 7, exact=True, ref="D7", basis="公安机关办理刑事案件程序规定第179条"
    ),
    "police_review_decision_due": Bound(
        "days", 30, ref="D7", basis="公安机关办理刑事案件程序规定第179条"
    ),
    "police_review_decision_due_extended": Bound(
        "days", 60, ref="D7", basis="公安机关办理刑事案件程序规定第179条"
    ),
    "verify_due": Bound("days", 3, ref="D8", basis="公安部受案立案改革"),
    "verify_due_extended": Bound("days", 7, ref="D8", basis="公安部受案立案改革"),
    "verify_due_complex": Bound("days", 30, ref="D8", basis="公安部受案立案改革"),
    "penalty_decision_due": Bound(
        "days", 30, ref="D9", basis="公安机关办理行政案件程序规定第165条"
    ),
    "penalty_decision_due_extended": Bound(
        "days", 60, ref="D9", basis="公安机关办理行政案件程序规定第165条"
    ),
    "ruling_due": Bound("hours", 72, ref="D10", basis="反家庭暴力法第28条"),
    "ruling_due_urgent": Bound("hours", 24, ref="D10", basis="反家庭暴力法第28条"),
    "reconsideration_window": Bound("days", 5, exact=True, ref="D12", basis="反家庭暴力法第31条"),
    "respondent_review_window": Bound("days", 5, exact=True, ref="D12", basis="反家庭暴力法第31条"),
    "decision_due": Bound("days", 7, ref="D16", basis="法律援助法第43条"),
    "assign_due": Bound("days", 3, ref="D16", basis="法律援助法第43条"),
    "objection_decision_due": Bound("days", 5, ref="D21", basis="法律援助法第49条"),
}
