"""JSON API v1: waiving a deadline (the supervisor's review).

POST /api/v1/deadlines/<id>/waive {"reason": "..."} waives an open or missed deadline of a
case in the user's scope. A deadline of a case out of scope does not exist (404); an
empty reason is 422, a user who is not a supervisor of the case's jurisdiction 403, a
deadline already met, waived or closed 409. The routes are attached to the blueprint of
caseflow/views/api.py.
"""

from flask import g, jsonify
from flask_babel import gettext as _

from .. import policy, presenters
from ..extensions import db
from ..models import Deadline
from ..services import waivers
from ..services.errors import NotFound, ValidationFailed
from .api import MAX_ID, bp, commit, json_body, token_required

WAIVE_FIELDS = frozenset({"reason"})


def deadline_json(deadline: Deadline) -> dict:
    data = presenters.deadline(deadline)
    data["waived_by"] = deadline.waived_by.display_name if deadline.waived_by else None
    data["case"] = {
        "id": deadline.case.id,
        "number": deadline.case.number,
        "version": deadline.case.version,
    }
    return data


@bp.post("/deadlines/<int:deadline_id>/waive")
@token_required
def waive_deadline(deadline_id):
    user = g.api_user
    deadline = db.session.get(Deadline, deadline_id) if deadline_id <= MAX_ID else None
    if deadline is None or policy.visible_case(user, deadline.case_id) is None:
        raise NotFound()
    body = json_body()

    def reason() -> str | None:
        unknown = sorted(set(body) - WAIVE_FIELDS)
        if unknown:
            raise ValidationFailed(fields={k: [_("Unknown field.")] for k in unknown})
        text = body.get("reason")
        if text is not None and not isinstance(text, str):
            raise ValidationFailed(fields={"reason": [_("Not a valid string.")]})
        return text

    # State (409) and role (403) in the service, then the body's fields (422).
    waivers.waive(deadline, user, reason)
    commit()
    return jsonify(deadline_json(deadline))
