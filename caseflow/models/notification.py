"""Notifications: the in-app inbox and the email outbox in one row.

A notification is written in the transaction of whatever caused it, under a key that names
the cause (e.g. "reminder:deadline:42"); the key is unique, so a sweep that runs twice, or
two sweepers at once, produce it once. Email is sent later by the outbox from committed
rows only: a rolled-back cause leaves nothing to send. Texts carry a case number and a
link, never a child's or victim's identity.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ._util import in_list
from .case import Case
from .user import User

EMAIL_STATUSES = ("none", "pending", "sending", "sent", "failed")


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(in_list("email_status", EMAIL_STATUSES), name="email_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_status: Mapped[str] = mapped_column(String(16), default="none", index=True)
    email_attempts: Mapped[int] = mapped_column(default=0)
    email_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_error: Mapped[str | None] = mapped_column(Text)
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    case: Mapped[Case | None] = relationship()
