"""GET /api/v1/access-log: the access log as the viewer filters it (auditors and
supervisors, for the cases of policy.access_log_scope). Its own answer is logged."""

import re

from flask import g, jsonify, request
from flask_babel import gettext as _

from .. import policy, presenters
from ..extensions import db
from ..services import access_log as log
from ..services.errors import Forbidden, ValidationFailed
from .access_log import parse_filters
from .api import bp, token_required

PARAMS = frozenset({"from", "to", "user", "case", "channel", "page", "per_page"})
MAX_PER_PAGE = 500


def _number(name: str, default: int, top: int, errors: dict) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    if re.fullmatch(r"\d{1,7}", raw, re.ASCII) and 1 <= int(raw) <= top:
        return int(raw)
    errors[name] = [_("A whole number from 1 to %(max)d.", max=top)]
    return default


def entry_json(entry, user, case) -> dict:
    return {
        "id": entry.id,
        "at": presenters.iso(entry.at),
        "user": {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "organisation": user.organisation.name,
        },
        "case": {"id": case.id, "number": case.number, "type": case.type},
        "channel": entry.channel,
        "what": entry.what,
    }


@bp.get("/access-log")
@token_required
def access_log():
    user = g.api_user
    if not policy.can_read_access_log(user):
        raise Forbidden(_("Only auditors and supervisors read the access log."))
    errors = {name: [_("Unknown parameter.")] for name in request.args if name not in PARAMS}
    parsed = parse_filters(request.args, user)
    errors.update(parsed.errors)
    page = _number("page", 1, 1_000_000, errors)
    per_page = _number("per_page", 100, MAX_PER_PAGE, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    found, total = log.rows(user, parsed.filters, page, per_page)
    log.log_shown(user, [case for _entry, _user, case in found])
    db.session.commit()
    return jsonify(
        {
            "items": [entry_json(*row) for row in found],
            "page": page,
            "per_page": per_page,
            "total": total,
        }
    )
