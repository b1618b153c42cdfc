"""JSON API v1: the user's notifications (shared/design/api.md `GET /api/v1/notifications`).

GET /api/v1/notifications pages the inbox like the case list (`page`, `per_page` ≤ 200,
`unread=true` for unread only), newest first; POST /api/v1/notifications/read marks the
given `ids` read, or all with `{}`. A user only ever sees and marks their own; ids that are
not theirs are ignored. The routes are attached to the blueprint of caseflow/views/api.py.
"""

import re

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import presenters
from ..extensions import db
from ..forms.base import storable
from ..models import Notification
from ..services import notifications as notification_service
from ..services.errors import ValidationFailed
from .api import MAX_ID, MAX_PAGE, MAX_PER_PAGE, bp, commit, json_body, token_required

LIST_PARAMS = frozenset({"page", "per_page", "unread"})
BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
MAX_IDS = 1000


def notification_json(notification: Notification) -> dict:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "subject": notification.subject,
        "body": notification.body,
        "link": notification.link,
        "case_id": notification.case_id,
        "created_at": presenters.iso(notification.created_at),
        "read_at": presenters.iso(notification.read_at),
    }


def _list_params(args) -> tuple[bool | None, int, int]:
    errors: dict[str, list] = {}
    for name in args:
        if name not in LIST_PARAMS:
            errors[name] = [_("Unknown parameter.")]
    for name, value in args.items():
        if not storable(value):
            errors[name] = [_("Contains characters that cannot be stored.")]
    if errors:
        raise ValidationFailed(fields=errors)
    text = {name: args.get(name, "").strip() for name in LIST_PARAMS}
    unread = None
    if text["unread"]:
        unread = BOOLEANS.get(text["unread"].lower())
        if unread is None:
            errors["unread"] = [_("Use true or false.")]
    numbers = {}
    for name, default, top in (
        ("page", 1, MAX_PAGE),
        ("per_page", min(current_app.config.get("PER_PAGE", 25), MAX_PER_PAGE), MAX_PER_PAGE),
    ):
        raw = text[name]
        if not raw:
            numbers[name] = default
        elif re.fullmatch(r"\d{1,7}", raw, re.ASCII) and 1 <= int(raw) <= top:
            numbers[name] = int(raw)
        else:
            errors[name] = [_("A whole number from 1 to %(max)d.", max=top)]
    if errors:
        raise ValidationFailed(fields=errors)
    return unread, numbers["page"], numbers["per_page"]


@bp.get("/notifications")
@token_required
def list_notifications():
    user = g.api_user
    unread, page, per_page = _list_params(request.args)
    where = [Notification.user_id == user.id]
    if unread is True:
        where.append(Notification.read_at.is_(None))
    elif unread is False:
        where.append(Notification.read_at.is_not(None))
    total = db.session.scalar(select(func.count()).select_from(Notification).where(*where))
    items = db.session.scalars(
        select(Notification)
        .where(*where)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return jsonify(
        {
            "items": [notification_json(n) for n in items],
            "page": page,
            "per_page": per_page,
            "total": total,
        }
    )


@bp.post("/notifications/read")
@token_required
def mark_notifications_read():
    user = g.api_user
    body = json_body()
    unknown = {name: [_("Unknown field.")] for name in body if name != "ids"}
    if unknown:
        raise ValidationFailed(fields=unknown)
    ids = None
    if "ids" in body:
        raw = body["ids"]
        if (
            not isinstance(raw, list)
            or len(raw) > MAX_IDS
            or any(isinstance(i, bool) or not isinstance(i, int) for i in raw)
        ):
            message = _("A list of at most %(max)d notification ids.", max=MAX_IDS)
            raise ValidationFailed(fields={"ids": [message]})
        ids = {i for i in raw if 1 <= i <= MAX_ID}  # others name no notification
    marked = notification_service.mark_read(user, ids) if ids is None or ids else 0
    commit()
    return jsonify({"marked": marked, "unread": notification_service.unread_count(user)})
