"""Server-side login sessions.

The signed cookie carries only a random session id; the session itself is a row
(models.security.UserSession). A login makes a new id, logout ends the row, and a row
ends by itself after SESSION_IDLE_MINUTES without a request or SESSION_ABSOLUTE_HOURS
after the login. A copied cookie is therefore worth nothing once its session has ended.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, request, session
from sqlalchemy import update

from .. import timeutil
from ..extensions import db
from ..models import ApiToken, User
from ..models.security import UserSession

SESSION_KEY = "sid"
# last_seen_at is written at most this often: a page view does not need a write of its own.
TOUCH_EVERY = timedelta(seconds=60)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _idle() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def _absolute() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])


def start(user: User) -> UserSession:
    """A new session for a user who just proved who they are. The cookie's old content
    (another user's id, a planted session id) is dropped first: no session fixation."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    raw = secrets.token_urlsafe(32)
    at = timeutil.now()
    record = UserSession(
        sid_hash=_digest(raw),
        user=user,
        created_at=at,
        last_seen_at=at,
        address=(request.remote_addr or "")[:64] or None,
        user_agent=(request.user_agent.string or "")[:200] or None,
    )
    db.session.add(record)
    session[SESSION_KEY] = raw
    g.user_session = record
    return record


def expired_reason(record: UserSession) -> str | None:
    at = timeutil.now()
    if at - record.created_at >= _absolute():
        return "absolute"
    if at - record.last_seen_at >= _idle():
        return "idle"
    return None


def current(user_id: int) -> UserSession | None:
    """The open session of this request's cookie if it belongs to user_id; an expired one
    is ended here. Writes (touch, expiry) are committed at once: this runs before the view."""
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, str) or not raw:
        return None
    record = db.session.scalar(db.select(UserSession).where(UserSession.sid_hash == _digest(raw)))
    if record is None or record.user_id != user_id or record.ended_at is not None:
        return None
    reason = expired_reason(record)
    at = timeutil.now()
    if reason:
        end(record, reason)
        db.session.commit()
        return None
    if at - record.last_seen_at >= TOUCH_EVERY:
        record.last_seen_at = at
        db.session.commit()
    g.user_session = record
    return record


def this_session() -> UserSession | None:
    return g.get("user_session")


def end(record: UserSession, reason: str) -> bool:
    """End one session (once: an ended session keeps its first end)."""
    if record.ended_at is not None:
        return False
    record.ended_at = timeutil.now()
    record.end_reason = reason
    return True


def open_sessions(user: User) -> list[UserSession]:
    """The user's sessions that are still usable, newest first."""
    rows = db.session.scalars(
        db.select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.created_at.desc(), UserSession.id.desc())
    )
    return [r for r in rows if expired_reason(r) is None]


def open_tokens(user: User) -> list[ApiToken]:
    at = timeutil.now()
    return list(
        db.session.scalars(
            db.select(ApiToken)
            .where(
                ApiToken.user_id == user.id,
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > at,
            )
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def end_all(
    user: User, reason: str, keep_session: int | None = None, keep_token: int | None = None
):
    """End every session and revoke every API token of a user (but the ones kept: the
    session or token that just changed its own password). One UPDATE each, so a session
    opened by a concurrent request is ended too as long as it committed before."""
    at = timeutil.now()
    sessions_q = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep_session is not None:
        sessions_q = sessions_q.where(UserSession.id != keep_session)
    db.session.execute(
        sessions_q.values(ended_at=at, end_reason=reason),
        execution_options={"synchronize_session": "fetch"},
    )
    tokens_q = update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if keep_token is not None:
        tokens_q = tokens_q.where(ApiToken.id != keep_token)
    db.session.execute(
        tokens_q.values(revoked_at=at), execution_options={"synchronize_session": "fetch"}
    )


def revoke_token(token: ApiToken) -> bool:
    if token.revoked_at is not None:
        return False
    token.revoked_at = timeutil.now()
    return True
