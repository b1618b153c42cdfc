"""A transfer of an open case to another unit that handles its type: pending until the
receiving unit accepts (it becomes the owner) or declines (the owner keeps it)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from .case import Case
from .geo import Organisation
from .user import User

TRANSFER_STATUSES = ("pending", "accepted", "declined")


class CaseTransfer(db.Model):
    __tablename__ = "case_transfers"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'accepted', 'declined')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    from_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    to_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship()
    from_org: Mapped[Organisation] = relationship(foreign_keys=[from_org_id])
    to_org: Mapped[Organisation] = relationship(foreign_keys=[to_org_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
