"""Users, their roles and API tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import timeutil
from ..extensions import db
from ..timeutil import UTCDateTime
from ..vocab import ROLES
from ._util import in_list
from .geo import Organisation


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(in_list("role", ROLES), name="role"),
        CheckConstraint("notify_mode IN ('immediate', 'digest')", name="notify_mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    email: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(16))
    # "immediate": each notification is also emailed; "digest": one email a day.
    notify_mode: Mapped[str] = mapped_column(String(16), default="immediate")
    # Set by an administrator's reset: the one-time password must be changed at the next
    # login, and until then every page leads to the change form.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The unit's lead gives its cases to its workers (services.assignment). Set by an
    # administrator; a unit may have several leads.
    is_lead: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    organisation: Mapped[Organisation] = relationship()

    def set_password(self, password: str) -> None:
        """Store an argon2id hash. The policy is checked by the caller (security.passwords
        .problems), so the demo and tests can still set their known passwords."""
        from ..security import passwords

        self.password_hash = passwords.hash_password(password)
        self.password_changed_at = timeutil.now()

    def check_password(self, password: str) -> bool:
        """Whether the password is right; an old or weaker hash is replaced by a current
        argon2id one on the way (the caller commits)."""
        from ..security import passwords

        ok, new_hash = passwords.verify(self.password_hash, password)
        if ok and new_hash:
            self.password_hash = new_hash
        return ok

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def jurisdiction(self):
        return self.organisation.jurisdiction


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    """A bearer token. Only its hash is stored, so a database leak does not leak sessions."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def is_open(self) -> bool:
        return self.revoked_at is None and self.expires_at > timeutil.now()

    @classmethod
    def issue(cls, user: User, hours: int) -> tuple["ApiToken", str]:
        raw = secrets.token_urlsafe(32)
        at = timeutil.now()
        token = cls(
            user=user,
            token_hash=_digest(raw),
            created_at=at,
            expires_at=at + timedelta(hours=hours),
        )
        db.session.add(token)
        return token, raw

    @classmethod
    def find(cls, raw: str) -> "ApiToken | None":
        """The open token of an active user with this value, else None."""
        token = db.session.scalar(db.select(cls).where(cls.token_hash == _digest(raw)))
        if token is None or not token.is_open or not token.user.active:
            return None
        return token

    @classmethod
    def find_user(cls, raw: str) -> User | None:
        token = cls.find(raw)
        return token.user if token else None
