"""API: one's own sessions and tokens, revoking the calling token, changing one's password."""

from flask import g, jsonify
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from .. import presenters
from ..extensions import db
from ..forms import from_json
from ..forms.actions import REQUIRED
from ..forms.base import BaseForm
from ..models import ApiToken
from ..models.security import UserSession
from ..security import accounts, passwords, sessions
from ..security import login as checks
from ..services.errors import NotFound, ValidationFailed
from .api import (
    MAX_ID,
    bp,
    commit,
    error_response,
    json_body,
    open_during_change,
    token_required,
    validated,
)


class PasswordChangeForm(BaseForm):
    current_password = StringField(
        _l("Current password"), [DataRequired(REQUIRED), Length(max=passwords.MAX_LENGTH)]
    )
    new_password = StringField(_l("New password"), [DataRequired(REQUIRED)])


def _session_json(record: UserSession) -> dict:
    return {
        "id": record.id,
        "created_at": presenters.iso(record.created_at),
        "last_seen_at": presenters.iso(record.last_seen_at),
        "address": record.address,
        "user_agent": record.user_agent,
    }


def _token_json(token: ApiToken) -> dict:
    return {
        "id": token.id,
        "created_at": presenters.iso(token.created_at),
        "expires_at": presenters.iso(token.expires_at),
        "current": token.id == g.api_token.id,
    }


@bp.delete("/auth/token")
@token_required
@open_during_change
def revoke_calling_token():
    """Log the API client out: the token of this request stops working now."""
    sessions.revoke_token(g.api_token)
    commit()
    return "", 204


@bp.get("/auth/sessions")
@token_required
def list_sessions():
    user = g.api_user
    return jsonify(
        {
            "sessions": [_session_json(r) for r in sessions.open_sessions(user)],
            "tokens": [_token_json(t) for t in sessions.open_tokens(user)],
        }
    )


@bp.delete("/auth/sessions/<int:session_id>")
@token_required
def end_session(session_id):
    record = db.session.get(UserSession, session_id) if session_id <= MAX_ID else None
    if record is None or record.user_id != g.api_user.id or record.ended_at is not None:
        raise NotFound()
    sessions.end(record, "ended_by_user")
    commit()
    return "", 204


@bp.delete("/auth/tokens/<int:token_id>")
@token_required
def revoke_token(token_id):
    token = db.session.get(ApiToken, token_id) if token_id <= MAX_ID else None
    if token is None or token.user_id != g.api_user.id or not token.is_open:
        raise NotFound()
    sessions.revoke_token(token)
    commit()
    return "", 204


@bp.post("/auth/password")
@token_required
@open_during_change
def change_password():
    """Change one's password (also the one-time password after a reset). The calling
    token stays valid; every other token and every browser session of the user ends."""
    user = g.api_user
    form = validated(from_json(PasswordChangeForm, json_body()))
    outcome = checks.attempt(user.username, form.current_password.data, "api")
    if outcome.throttled:
        body, status = error_response(429, "throttled", checks.throttled_message(outcome.verdict))
        body.headers["Retry-After"] = str(outcome.verdict.retry_after)
        return body, status
    if outcome.user is None:
        raise ValidationFailed(fields={"current_password": [_("The current password is wrong.")]})
    accounts.change_password(user, form.new_password.data, keep_token=g.api_token.id)
    commit()
    return "", 204
