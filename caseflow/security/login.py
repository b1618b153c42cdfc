"""One login check for the web form, the API token and the change-password forms:
throttled, counted on failure only, the same answer for unknown and known names."""

from dataclasses import dataclass

from flask_babel import gettext as _

from ..extensions import db
from ..models import User
from . import passwords, throttle


@dataclass(frozen=True)
class Outcome:
    user: User | None
    verdict: throttle.Verdict

    @property
    def throttled(self) -> bool:
        return not self.verdict.allowed


def attempt(username: str, password: str, channel: str) -> Outcome:
    """Check a username and password. A failure or refusal is committed here (the count
    and the log must survive the answer); a success leaves the commit to the caller, who
    adds the session or token to the same transaction."""
    tried = throttle.Attempt(username, channel)
    verdict = tried.check()
    if not verdict.allowed:
        db.session.commit()
        return Outcome(None, verdict)
    user = db.session.scalar(db.select(User).where(User.username == username))
    if user is None:
        passwords.verify_nothing(password)
        ok = False
    else:
        ok = user.check_password(password) and user.active
    if not ok:
        tried.failed(user.id if user else None)
        db.session.commit()
        return Outcome(None, throttle.ALLOWED)
    tried.succeeded()
    return Outcome(user, verdict)


def throttled_message(verdict: throttle.Verdict) -> str:
    if verdict.retry_after >= 60:
        minutes = -(-verdict.retry_after // 60)
        return _("Too many failed logins. Try again in %(minutes)d minutes.", minutes=minutes)
    return _(
        "Too many failed logins. Wait %(seconds)d seconds and try again.",
        seconds=verdict.retry_after,
    )
