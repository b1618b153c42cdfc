"""Fields of a legal-aid case beyond the common ones (workflows.md §4; 法律援助法
Art. 31–49). A case referred from another case links to it and to the referral that
carries the answers back to the referring unit."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ..vocab import LEGAL_AID_DECISIONS, LEGAL_MATTERS, MEANS_EXEMPTIONS
from ._util import in_list
from .case import Case, Referral


class LegalAid(db.Model):
    __tablename__ = "legal_aid_cases"
    __table_args__ = (
        CheckConstraint(in_list("matter", LEGAL_MATTERS), name="matter"),
        CheckConstraint(
            f"means_test_exempt_reason IS NULL OR {in_list('means_test_exempt_reason', MEANS_EXEMPTIONS)}",
            name="means_exempt",
        ),
        CheckConstraint(
            f"decision IS NULL OR {in_list('decision', LEGAL_AID_DECISIONS)}", name="decision"
        ),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    source_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"), unique=True)

    matter: Mapped[str] = mapped_column(String(32))
    # No means test for victims of abuse, abandonment or DV (Art. 32 (4)); otherwise the
    # applicant states the household's means and signs an honesty undertaking (Art. 41).
    means_test_exempt_reason: Mapped[str | None] = mapped_column(String(32))
    household_size: Mapped[int | None]
    monthly_income: Mapped[int | None]  # yuan per person per month
    honesty_undertaking: Mapped[bool] = mapped_column(default=False)
    # 先行提供 (Art. 44): a limitation or procedural deadline less than 7 days away.
    urgent_pre_provision: Mapped[bool] = mapped_column(default=False)
    procedural_deadline: Mapped[date | None] = mapped_column(Date)

    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    materials_requested: Mapped[str | None] = mapped_column(Text)
    materials_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    materials_supplied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision: Mapped[str | None] = mapped_column(String(16))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    denial_reason: Mapped[str | None] = mapped_column(Text)
    objection_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    objection_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lawyer_name: Mapped[str | None] = mapped_column(String(100))
    law_firm: Mapped[str | None] = mapped_column(String(200))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(
        foreign_keys=[case_id], backref=db.backref("legal_aid", uselist=False)
    )
    source_case: Mapped[Case | None] = relationship(foreign_keys=[source_case_id])
    referral: Mapped[Referral | None] = relationship()
