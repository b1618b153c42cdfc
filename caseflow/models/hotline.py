"""Hotline calls (workflows.md §5): a call is a contact, not a case. It may open a case or
be attached to one; many calls can belong to one case."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ..vocab import CALL_ACTIONS, CALL_CATEGORIES, CALL_LINES, CALL_URGENCY, CALLER_RELATIONS
from ._util import in_list
from .case import Case
from .geo import Jurisdiction, Organisation
from .user import User


class HotlineCall(db.Model):
    __tablename__ = "hotline_calls"
    __table_args__ = (
        CheckConstraint(in_list("line", CALL_LINES), name="line"),
        CheckConstraint(in_list("category", CALL_CATEGORIES), name="category"),
        CheckConstraint(in_list("urgency", CALL_URGENCY), name="urgency"),
        CheckConstraint(in_list("action_taken", CALL_ACTIONS), name="action_taken"),
        CheckConstraint(
            f"caller_relation IS NULL OR {in_list('caller_relation', CALLER_RELATIONS)}",
            name="caller_relation",
        ),
    )

    IDENTITY_FIELDS = (
        "caller_name",
        "caller_phone",
        "caller_id_number",
        "subject_name",
        "subject_phone",
        "subject_id_number",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    # One per form shown: a double click or a resent request saves the call once.
    client_token: Mapped[str] = mapped_column(String(64), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    line: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int | None]
    anonymous: Mapped[bool] = mapped_column(default=False)
    caller_name: Mapped[str | None] = mapped_column(String(100))
    caller_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    caller_id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    caller_relation: Mapped[str | None] = mapped_column(String(16))
    subject_name: Mapped[str | None] = mapped_column(String(100))
    subject_sex: Mapped[str | None] = mapped_column(String(1))
    subject_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    subject_id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    summary: Mapped[str] = mapped_column(Text)
    action_taken: Mapped[str] = mapped_column(String(16))
    action_note: Mapped[str | None] = mapped_column(Text)
    # Danger: 12338 is not an emergency line; the agent transfers to 110 and says so.
    danger: Mapped[bool] = mapped_column(default=False)
    transferred_110_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    callback_needed: Mapped[bool] = mapped_column(default=False)
    callback_due: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    callback_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    callback_note: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    agent: Mapped[User] = relationship()
    jurisdiction: Mapped[Jurisdiction | None] = relationship()
    case: Mapped[Case | None] = relationship(backref=db.backref("calls", order_by="HotlineCall.id"))
