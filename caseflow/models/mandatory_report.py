"""Fields of a mandatory report beyond the common ones (workflows.md §1)."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ..vocab import REPORT_CHANNELS
from ._util import in_list
from .case import Case
from .user import User


class MandatoryReport(db.Model):
    __tablename__ = "mandatory_reports"
    __table_args__ = (
        CheckConstraint(
            f"report_channel IS NULL OR {in_list('report_channel', REPORT_CHANNELS)}",
            name="report_channel",
        ),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    reporter_org_type: Mapped[str] = mapped_column(String(32), index=True)
    discovered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When, how and to whom the report was made (the act), not when it was typed in: a call
    # to 110 at once, entered the next morning, is a report in time. Reports entered before
    # these columns existed have no channel.
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    report_channel: Mapped[str | None] = mapped_column(String(16))
    reported_to: Mapped[str | None] = mapped_column(String(200))
    situation_codes: Mapped[list] = mapped_column(JSON, default=list)
    ongoing_danger: Mapped[bool] = mapped_column(default=False)
    guardian_is_suspect: Mapped[bool] = mapped_column(default=False)
    child_safety: Mapped[str] = mapped_column(String(16), default="unknown")
    verifier_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    findings: Mapped[str | None] = mapped_column(Text)
    confirmed_situations: Mapped[list] = mapped_column(JSON, default=list)
    # 未保法 Art. 40: a school's report of sexual abuse or harassment also goes to the
    # education bureau, and the guardian is told (unless the guardian is the suspect).
    sexual_abuse: Mapped[bool] = mapped_column(default=False, server_default=false())
    guardian_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(backref=db.backref("mandatory_report", uselist=False))
    verifier: Mapped[User | None] = relationship()
