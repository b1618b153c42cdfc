"""The statutory periods of the law table (shared/domain/law.md, rows D1–D29) and where the
system enforces each: which deadline it opens (by its label, never an internal code), or
why it does not. Shown on the rules page; one place to keep in step with the workflows.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Period:
    ref: str  # the row of the law table
    what: object  # the situation and its period (lazy text)
    basis: str  # the statute, as the law cites it
    deadlines: tuple[str, ...] = ()  # deadline kinds that enforce it
    how: object = ""  # how it is enforced, or why it is not


PERIODS: tuple[Period, ...] = (
    Period(
        "D1",
        _l(
            "A mandatory reporter finds suspected domestic violence against a person lacking capacity: report to the police promptly (no hours fixed)"
        ),
        "反家庭暴力法第14条",
        (),
        _l(
            "Not a deadline: the law fixes no time. A report is recorded as a mandatory-report or domestic-violence case."
        ),
    ),
    Period(
        "D2",
        _l("A child harmed, suspected harmed or at risk is found: report immediately"),
        "未成年人保护法第11条第2款；强制报告意见第2条",
        ("report_late",),
        _l(
            "Counted from the discovery; over 24 hours is marked a late report (the county's reading of “immediately”, set in the rule pack)."
        ),
    ),
    Period(
        "D3",
        _l(
            "A school finds sexual abuse or harassment of a student: report promptly to the police and the education bureau, notify the guardian"
        ),
        "未成年人保护法第40条；妇女权益保障法第24条",
        ("report_late",),
        _l(
            "The school's report is a mandatory report and is timed like one; the law fixes no hours."
        ),
    ),
    Period(
        "D4",
        _l("The police receive a report of child abuse: accept it immediately"),
        "强制报告意见第8条；公安机关办理刑事案件程序规定第169条",
        ("accept_due",),
        _l(
            "Acceptance is due within 24 hours (the county's reading of “immediately”, set in the rule pack)."
        ),
    ),
    Period(
        "D5",
        _l(
            "After accepting or opening a case on a mandatory report: feedback to the reporting unit within 3 days"
        ),
        "强制报告意见第10条",
        ("feedback_due",),
        _l("Counted in working days from acceptance."),
    ),
    Period(
        "D6",
        _l(
            "A report made to the wrong police office: transfer within 24 hours and tell the reporter"
        ),
        "公安机关办理刑事案件程序规定第175条",
        (),
        _l(
            "A transfer is recorded as a step of the report; its 24 hours are not yet a separate deadline."
        ),
    ),
    Period(
        "D7",
        _l(
            "The police decide not to open a case: notice within 3 days; reconsideration may be applied for within 7 days; decision within 30 days"
        ),
        "公安机关办理刑事案件程序规定第178–179条",
        ("no_case_notice_due", "police_review_window", "police_review_decision_due"),
        _l(
            "A police verifier's finding that a report is unfounded is the decision not to open a case: the notice is due in 3 days, the 7-day window runs from its service (judged by when the person applied), the decision is due in 30 days, extendable once with approval. The further 复核 stage is not recorded."
        ),
    ),
    Period(
        "D8",
        _l(
            "Police review before opening a case: 3 days as a rule, 7 if verification is needed, up to 30 if complex"
        ),
        "公安部受案立案改革",
        ("verify_due",),
        _l(
            "A police verifier has 3 days, extended with approval to 7 or 30; civil affairs and the township supervisor follow the local rule of the rule pack."
        ),
    ),
    Period(
        "D9",
        _l("A public-order case accepted: decided within 30 days, 30 more with approval"),
        "公安机关办理行政案件程序规定第165条",
        ("penalty_decision_due",),
        _l(
            "Opened when a call is escalated to a public-order penalty; met by the decision; extendable once with approval to 60 days from acceptance."
        ),
    ),
    Period(
        "D10",
        _l(
            "The court accepts a protection-order application: ruling within 72 hours, 24 hours if urgent"
        ),
        "反家庭暴力法第28条",
        ("ruling_due",),
        _l("Counted in hours from the hour after acceptance; hours never move for holidays."),
    ),
    Period(
        "D11",
        _l(
            "A protection order is valid for at most 6 months; an extension is applied for before it lapses"
        ),
        "反家庭暴力法第30条",
        (),
        _l(
            "An order's term is checked when it is issued or extended (at most 6 months, 民法典 Art. 202); it expires by itself; reminders 30 and 7 days before."
        ),
    ),
    Period(
        "D12",
        _l("A protection order granted or rejected: reconsideration within 5 days, once"),
        "反家庭暴力法第31条",
        ("reconsideration_window", "respondent_review_window"),
        _l(
            "The applicant's window opens when a rejection is served, the respondent's when a granted order is served; both are judged by when the party applied and counted in working days."
        ),
    ),
    Period(
        "D13",
        _l(
            "A protection order is served on the applicant, the respondent, the police and the committee"
        ),
        "反家庭暴力法第32条",
        (),
        _l("Not a deadline: the law fixes no time. Each service is recorded."),
    ),
    Period(
        "D14",
        _l(
            "A warning letter is delivered to the abuser and the victim, the committee is notified, then visited"
        ),
        "反家庭暴力法第17条；地方规定",
        ("deliver_due", "first_visit_due"),
        _l(
            "No national time limit: the local periods are set in the rule pack. The first 查访 is counted from the delivery and may be done by the police station or the committee."
        ),
    ),
    Period(
        "D15",
        _l("An adult victim placed in a relief-agency shelter: stay generally at most 10 days"),
        "民发〔2015〕189号",
        (),
        _l("Not enforced: shelter stays are not recorded in this system."),
    ),
    Period(
        "D16",
        _l(
            "A legal-aid application received: decision within 7 days; lawyer assigned within 3 days of the grant"
        ),
        "法律援助法第43条",
        ("decision_due", "assign_due"),
        _l("Counted in working days."),
    ),
    Period(
        "D17",
        _l(
            "Legal-aid materials incomplete: one notice of what is missing; not supplied, the application is treated as withdrawn"
        ),
        "法律援助法第43条第2款",
        (),
        _l(
            "Materials may be asked for once; the law fixes no time to supply them, so none is counted."
        ),
    ),
    Period(
        "D18",
        _l(
            "A limitation or procedural deadline less than 7 days away: legal aid provided first, paperwork after"
        ),
        "法律援助法第44条",
        (),
        _l("Recorded as provision before the decision; not a deadline."),
    ),
    Period(
        "D19",
        _l("A detained person applies for legal aid: forwarded within 24 hours"),
        "法律援助法第39条",
        (),
        _l("Not enforced: applications from detention are not received through this system."),
    ),
    Period(
        "D20",
        _l(
            "A minor suspect without a lawyer: the agency is notified within 3 days and assigns within 3 days"
        ),
        "法律援助法第36条",
        (),
        _l("Not enforced: criminal-procedure assignments are outside this system."),
    ),
    Period(
        "D21",
        _l("An objection to the refusal of legal aid: decided within 5 days of receipt"),
        "法律援助法第49条",
        ("objection_decision_due",),
        _l("Counted in working days from receipt."),
    ),
    Period(
        "D22",
        _l("A recommendation to a unit failing child protection: written reply within 1 month"),
        "未成年人保护法第114条",
        (),
        _l("Not enforced: recommendations are not recorded in this system."),
    ),
    Period(
        "D23",
        _l("A child left in entrusted care: the parent contacts the child at least weekly"),
        "未成年人保护法第23条",
        (),
        _l(
            "Not enforced: a duty of the parents, not of a unit; follow-up visits are planned instead."
        ),
    ),
    Period(
        "D24",
        _l("A civil damages claim: 3 years from knowing of the harm and the liable party"),
        "民法典第188条",
        (),
        _l("Not enforced: limitation is for the lawyer of the case; the calculator counts it."),
    ),
    Period(
        "D25",
        _l("Sexual abuse of a minor: the 3-year period starts when the victim turns 18"),
        "民法典第191条",
        (),
        _l("Not enforced: limitation is for the lawyer of the case."),
    ),
    Period(
        "D26",
        _l(
            "A court deadline missed for a valid reason: apply within 10 days after the obstacle ends"
        ),
        "民事诉讼法第86条",
        (),
        _l("Not enforced: court procedure outside this system."),
    ),
    Period(
        "D27",
        _l("Personal-information impact assessments and processing records: kept at least 3 years"),
        "个人信息保护法第56条",
        (),
        _l("Kept: the timeline and the access log are never deleted."),
    ),
    Period(
        "D28",
        _l("A data breach: remedy and notify immediately"),
        "个人信息保护法第57条；未成年人网络保护条例第35条",
        (),
        _l("An operating procedure, not a case deadline."),
    ),
    Period(
        "D29",
        _l("Processing minors' data: a compliance audit every year"),
        "未成年人网络保护条例第37条",
        (),
        _l("An operating procedure, not a case deadline."),
    ),
)
