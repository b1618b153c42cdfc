"""OpenAPI path objects of the review endpoints (caseflow/views/api_review.py), merged into
caseflow/openapi.py like caseflow/openapi_hotline.py: `paths() | PATHS`,
`schemas() | SCHEMAS`. References to shared schemas ("Error") use the names of
caseflow/openapi.py.
"""

from .openapi_parts import _error, _json, _ref
from .services.waivers import MAX_REASON

DATETIME = {"type": "string", "format": "date-time", "nullable": True}

SCHEMAS: dict = {
    "WaiverRequest": {
        "type": "object",
        "required": ["reason"],
        "additionalProperties": False,
        "properties": {
            "reason": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_REASON,
                "description": "Why the deadline no longer binds; kept on the deadline and "
                "on the case's timeline.",
            }
        },
    },
    "WaivedDeadline": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string"},
            "status": {"type": "string", "enum": ["waived"]},
            "opened_at": DATETIME,
            "due_at": DATETIME,
            "closed_at": DATETIME,
            "done_late": {"type": "boolean"},
            "basis": {"type": "string"},
            "calendar_note": {"type": "string", "nullable": True},
            "provisional": {"type": "boolean", "description": "Counted on a provisional calendar."},
            "referral_id": {"type": "integer", "nullable": True},
            "waiver_reason": {"type": "string"},
            "waived_by": {"type": "string", "description": "The supervisor's display name."},
            "case": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "number": {"type": "string"},
                    "version": {"type": "integer", "description": "The case's new version."},
                },
            },
        },
    },
}

PATHS: dict = {
    "/api/v1/deadlines/{deadline_id}/waive": {
        "post": {
            "summary": "Waive a deadline with a reason (supervisors of the case's jurisdiction)",
            "description": "An open or missed deadline that nobody has met is waived: its "
            "status becomes `waived`, the reason and the supervisor are kept, the case's "
            "timeline records `deadline_waived` and the case's version moves.",
            "parameters": [
                {
                    "name": "deadline_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            ],
            "requestBody": {"required": True, **_json(_ref("WaiverRequest"), "")},
            "responses": {
                "200": _json(_ref("WaivedDeadline"), "the deadline, waived"),
                "400": _error("Malformed JSON, or the body is not a JSON object."),
                "401": _error("No valid bearer token."),
                "403": _error("Not a supervisor whose jurisdiction contains the case's place."),
                "404": _error("No such deadline, or its case is not in your scope."),
                "409": _error("The deadline was already met, waived or closed; or a conflict."),
                "422": _error("`validation_failed`: the reason is missing or too long."),
            },
        }
    },
}
