"""Server-side login sessions, the login-failure counters and the login log."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ._util import in_list
from .user import User

LOGIN_EVENT_KINDS = ("failure", "refused", "locked", "unlocked", "reset")
SESSION_END_REASONS = (
    "logout",
    "idle",
    "absolute",
    "ended_by_user",
    "deactivated",
    "password",
    "administrator",  # ended by an administrator (services/administration.py)
)


class UserSession(db.Model):
    """One browser login. The cookie carries a random id; only its hash is stored, so a
    database leak does not leak sessions. A session ends once and is never reopened."""

    __tablename__ = "user_sessions"
    __table_args__ = (
        CheckConstraint(
            "end_reason IS NULL OR " + in_list("end_reason", SESSION_END_REASONS),
            name="end_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class LoginThrottle(db.Model):
    """Failed logins of one account name or one client address. Kept in the database so
    every worker on every host counts the same failures; only failures are counted."""

    __tablename__ = "login_throttles"

    # "account:<username as typed, lower case>" or "address:<client address>".
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class LoginEvent(db.Model):
    """The log of failed logins, refusals while throttled, locks and lifted locks."""

    __tablename__ = "login_events"
    __table_args__ = (
        CheckConstraint(in_list("kind", LOGIN_EVENT_KINDS), name="kind"),
        CheckConstraint("channel IN ('web', 'api', 'admin')", name="channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8))
    # What was typed (an unknown name is logged too); the user if the name exists.
    username: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(64))
    # For a lock: the throttle key; for a lifted lock: who lifted it.
    detail: Mapped[str | None] = mapped_column(String(200))
