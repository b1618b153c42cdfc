"""Fields of the two domestic-violence case types beyond the common ones.

`dv_incidents`: a police call about domestic violence and what came of it (workflows.md §2,
反家庭暴力法 Art. 15–17). `protection_orders`: an application for a personal safety
protection order and the court's handling of it (§3, Art. 23–34; 法释〔2022〕17号).

Legal times (acceptance, ruling, service) are stored as entered, beside the recording time
kept by each event, so indicators (DV-01…05, PO-01…06) count the legal moment.
The people themselves (victim, abuser, applicant, respondent) are Person rows of the case.
"""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import timeutil
from ..extensions import db
from ..timeutil import UTCDateTime
from ..vocab import (
    CONSENT_REASONS,
    COURT_BASES,
    DV_OUTCOMES,
    DV_RELATIONS,
    INJURY_LEVELS,
    PO_APPLICANT_ROLES,
    PO_END_REASONS,
    PO_REVIEW_OUTCOMES,
)
from ._util import in_list
from .case import Case
from .geo import Organisation


class DvIncident(db.Model):
    __tablename__ = "dv_incidents"
    __table_args__ = (
        CheckConstraint(in_list("relation", DV_RELATIONS), name="relation"),
        CheckConstraint(in_list("injury_level", INJURY_LEVELS), name="injury_level"),
        CheckConstraint(f"outcome IS NULL OR {in_list('outcome', DV_OUTCOMES)}", name="outcome"),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    call_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    location: Mapped[str | None] = mapped_column(String(200))
    relation: Mapped[str] = mapped_column(String(32))
    violence_forms: Mapped[list] = mapped_column(JSON, default=list)
    injury_level: Mapped[str] = mapped_column(String(16), default="unknown")
    injuries: Mapped[str] = mapped_column(Text, default="")
    minors_present: Mapped[bool] = mapped_column(default=False)
    minors_witnessed: Mapped[bool] = mapped_column(default=False)
    prior_incidents: Mapped[int] = mapped_column(default=0)

    # What the police did (Art. 16): set by criticize / issue_warning / escalate.
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_detail: Mapped[str | None] = mapped_column(Text)  # decision or case number

    # The 告诫书 (Art. 16 ¶2): the abuser's identity is the abuser Person row.
    warning_number: Mapped[str | None] = mapped_column(String(64), unique=True)
    warning_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    warning_facts: Mapped[str | None] = mapped_column(Text)
    warning_prohibition: Mapped[str | None] = mapped_column(Text)
    # Delivery (Art. 17 ¶1): to the abuser, to the victim, and notice to the committee.
    delivered_abuser_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_victim_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    committee_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    committee_name: Mapped[str | None] = mapped_column(String(200))

    case: Mapped[Case] = relationship(backref=db.backref("dv_incident", uselist=False))

    @property
    def delivered_at(self) -> datetime | None:
        """Delivery is complete at the last of the three (Art. 17)."""
        times = (self.delivered_abuser_at, self.delivered_victim_at, self.committee_notified_at)
        return max(times) if all(times) else None


class ProtectionOrder(db.Model):
    __tablename__ = "protection_orders"
    __table_args__ = (
        CheckConstraint(in_list("applicant_role", PO_APPLICANT_ROLES), name="applicant_role"),
        CheckConstraint(
            f"court_basis IS NULL OR {in_list('court_basis', COURT_BASES)}", name="court_basis"
        ),
        CheckConstraint(
            f"end_reason IS NULL OR {in_list('end_reason', PO_END_REASONS)}", name="end_reason"
        ),
        CheckConstraint("ruling IS NULL OR ruling IN ('issued', 'rejected')", name="ruling"),
        CheckConstraint(
            f"respondent_review_outcome IS NULL OR "
            f"{in_list('respondent_review_outcome', PO_REVIEW_OUTCOMES)}",
            name="review_outcome",
        ),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    # The dv_warning case this application was started from, if any.
    source_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)

    applicant_role: Mapped[str] = mapped_column(String(32))
    proxy_reason: Mapped[str | None] = mapped_column(String(32))
    victim_wishes_confirmed: Mapped[bool] = mapped_column(default=False)
    relation: Mapped[str | None] = mapped_column(String(32))  # respondent → victim
    measures: Mapped[list] = mapped_column(JSON, default=list)
    measures_other: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    court_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The applicant may ask for urgency; the court decides it at acceptance (Art. 28), and
    # the case's `urgent` then follows the court.
    urgency_requested: Mapped[bool] = mapped_column(default=False, server_default=false())
    court_basis: Mapped[str | None] = mapped_column(String(32))
    oral_application: Mapped[bool] = mapped_column(default=False)

    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    court_case_number: Mapped[str | None] = mapped_column(String(64))
    # The ruling (Art. 28): the first one, and the reconsideration decision if any.
    ruling: Mapped[str | None] = mapped_column(String(16))
    ruled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    # A rejection takes effect on service: the 5-day window runs from it (Art. 31).
    rejection_served_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reconsideration_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reconsideration_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The respondent's 复议 of a granted order (Art. 31): once, within 5 days of service on
    # the respondent; it does not stay the order. Outcome: upheld, changed or revoked.
    respondent_review_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    respondent_review_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    respondent_review_outcome: Mapped[str | None] = mapped_column(String(16))

    # The order itself (Art. 30): in force from issue to the end of its last day.
    order_number: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    granted_measures: Mapped[list] = mapped_column(JSON, default=list)
    # Service (Art. 32).
    served_applicant_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    served_respondent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    served_police_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    served_committee_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    served_police_name: Mapped[str | None] = mapped_column(String(200))
    served_committee_name: Mapped[str | None] = mapped_column(String(200))

    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(16))

    case: Mapped[Case] = relationship(
        foreign_keys=[case_id], backref=db.backref("protection_order", uselist=False)
    )
    source_case: Mapped[Case | None] = relationship(foreign_keys=[source_case_id])
    court: Mapped[Organisation | None] = relationship()

    @property
    def is_proxy(self) -> bool:
        return self.applicant_role != "victim"

    @property
    def victim_is_minor(self) -> bool:
        """Ticked as a minor, or under 18 today by the birth date."""
        if "minor" in (self.case.special_protection or []):
            return True
        subject = self.case.person("subject")
        age = subject.age_on(timeutil.to_local(timeutil.now()).date()) if subject else None
        return age is not None and age < 18

    @property
    def consent_required(self) -> bool:
        """Whether the victim's consent to a proxy is asked: 法释〔2022〕17号 Art. 2 has the
        proxy of an adult who is old, disabled or seriously ill apply 「根据当事人意愿」;
        Art. 23 ¶2 (no capacity, coercion or intimidation) asks none, nor is a minor asked."""
        return self.is_proxy and self.proxy_reason in CONSENT_REASONS and not self.victim_is_minor

    @property
    def served_at(self) -> datetime | None:
        times = (
            self.served_applicant_at,
            self.served_respondent_at,
            self.served_police_at,
            self.served_committee_at,
        )
        return max(times) if all(times) else None
