"""Administration: the log of administrative changes and the rule-pack overrides set in
the app (with the history of every change)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from .geo import Jurisdiction


class AdminEvent(db.Model):
    """One administrative change: who, when, what, the state before and after. Kept per
    county (the administrator's), append-only: the database refuses UPDATE and DELETE."""

    __tablename__ = "admin_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    county_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    action: Mapped[str] = mapped_column(String(48))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(Integer)
    target_label: Mapped[str] = mapped_column(String(200), default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    actor = relationship("User")


class RuleOverride(db.Model):
    """A deadline's length set for a county or township in the app; it wins over the rule
    pack file's entry for the same place and deadline."""

    __tablename__ = "rule_overrides"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "kind", name="place_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    hours: Mapped[int | None] = mapped_column(Integer)
    days: Mapped[int | None] = mapped_column(Integer)
    basis: Mapped[str] = mapped_column(Text)
    basis_en: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    updated_by = relationship("User")


class RuleOverrideChange(db.Model):
    """Every change of an override (set, changed, removed), with who and when; append-only.
    Its newest id is the revision of the overrides in force (services/rule_overrides.py)."""

    __tablename__ = "rule_override_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    actor = relationship("User")
    jurisdiction: Mapped[Jurisdiction] = relationship()
