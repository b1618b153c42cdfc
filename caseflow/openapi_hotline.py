"""OpenAPI path objects and schemas of the hotline endpoints (caseflow/views/api_hotline.py),
to be merged into caseflow/openapi.py: `paths().update(PATHS)`, `schemas().update(SCHEMAS)`.

References to shared schemas ("Error", "CaseSummary") use the names of caseflow/openapi.py.
"""

from .openapi_parts import _error, _json, _ref
from .vocab import CALL_ACTIONS, CALL_CATEGORIES, CALL_LINES, CALL_URGENCY, CALLER_RELATIONS, SEXES


def _string(max_length: int | None = None, **extra) -> dict:
    schema = {"type": "string", **extra}
    if max_length:
        schema["maxLength"] = max_length
    return schema


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


DATETIME = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601; without an offset it is local time (Asia/Shanghai).",
}
PHONE = _string(20, description="Digits; spaces, dashes and a +86 / 0086 prefix are removed.")
ID_NUMBER = _string(18, description="GB 11643 (check digit verified); a lower-case x is accepted.")


SCHEMAS: dict = {
    "HotlineCallRequest": {
        "type": "object",
        "required": ["client_token", "line", "category", "summary", "action_taken"],
        "additionalProperties": False,
        "properties": {
            "client_token": _string(
                64,
                minLength=8,
                description="One per call the client logs: a retried request with the same "
                "token answers 200 with the call saved the first time.",
            ),
            "line": {"type": "string", "enum": list(CALL_LINES)},
            "received_at": {**DATETIME, "description": "Not in the future; default: now."},
            "duration_minutes": {"type": "integer", "minimum": 0, "maximum": 600},
            "anonymous": {
                "type": "boolean",
                "description": "The caller's name and ID number are then not kept.",
            },
            "caller_name": _string(100),
            "caller_phone": PHONE,
            "caller_id_number": ID_NUMBER,
            "caller_relation": {"type": "string", "enum": list(CALLER_RELATIONS)},
            "subject_name": _string(100),
            "subject_sex": {"type": "string", "enum": list(SEXES)},
            "subject_phone": PHONE,
            "subject_id_number": ID_NUMBER,
            "jurisdiction": _string(32, description="A village code in the user's area."),
            "category": {"type": "string", "enum": list(CALL_CATEGORIES)},
            "urgency": {"type": "string", "enum": list(CALL_URGENCY), "default": "normal"},
            "summary": _string(5000),
            "action_taken": {
                "type": "string",
                "enum": list(CALL_ACTIONS),
                "description": "A call in danger is recorded as `emergency_110`; a call that "
                "opens a case with `advice` becomes `case_created`.",
            },
            "action_note": _string(2000),
            "danger": {
                "type": "boolean",
                "description": "In danger now: 12338 is not an emergency line, so "
                "`transferred_110` must be true too (422 otherwise).",
            },
            "transferred_110": {"type": "boolean"},
            "callback_needed": {"type": "boolean"},
            "callback_due": {**DATETIME, "description": "Required with callback_needed; future."},
            "open_case": {
                "type": "object",
                "required": ["type"],
                "description": "Open a case from the call: `type` and that type's create "
                "fields (as POST /api/v1/cases). `jurisdiction` and `description` default to "
                "the call's place and summary, a dv_warning's `call_at` to `received_at`. "
                "Errors are named `open_case.<field>`; if the case is refused, the call is "
                "not saved either.",
                "properties": {
                    "type": {
                        "type": "string",
                        "enum": ["mandatory_report", "dv_warning", "protection_order", "legal_aid"],
                    }
                },
                "additionalProperties": True,
            },
        },
    },
    "HotlineCall": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "string", "example": "HC-2026-000001"},
            "client_token": {"type": "string"},
            "line": {"type": "string", "enum": list(CALL_LINES)},
            "received_at": DATETIME,
            "duration_minutes": _nullable({"type": "integer"}),
            "anonymous": {"type": "boolean"},
            "caller": {
                "type": "object",
                "properties": {
                    "name": _nullable({"type": "string"}),
                    "phone": _nullable({"type": "string"}),
                    "id_number": _nullable({"type": "string"}),
                    "relation": _nullable({"type": "string"}),
                },
            },
            "subject": {
                "type": "object",
                "properties": {
                    "name": _nullable({"type": "string"}),
                    "sex": _nullable({"type": "string"}),
                    "phone": _nullable({"type": "string"}),
                    "id_number": _nullable({"type": "string"}),
                },
            },
            "jurisdiction": _nullable({"type": "string"}),
            "category": {"type": "string", "enum": list(CALL_CATEGORIES)},
            "urgency": {"type": "string", "enum": list(CALL_URGENCY)},
            "summary": {"type": "string"},
            "action_taken": {"type": "string", "enum": list(CALL_ACTIONS)},
            "action_note": _nullable({"type": "string"}),
            "danger": {"type": "boolean"},
            "transferred_110_at": _nullable(DATETIME),
            "callback": {
                "type": "object",
                "properties": {
                    "needed": {"type": "boolean"},
                    "due": _nullable(DATETIME),
                    "done_at": _nullable(DATETIME),
                    "note": _nullable({"type": "string"}),
                    "overdue": {"type": "boolean"},
                },
            },
            "case": _nullable(
                {
                    "type": "object",
                    "description": "The case the call is on; on 201 with open_case, the new "
                    "case as a CaseSummary.",
                }
            ),
            "agent": {"type": "string", "description": "username of the agent"},
            "created_at": DATETIME,
            "created": {
                "type": "boolean",
                "description": "false when a retried request found the call already saved",
            },
        },
    },
    "HotlineMatches": {
        "type": "object",
        "description": "Records outside the user's scope are neither shown nor counted: the "
        "answer looks the same whether they exist or not.",
        "properties": {
            "calls": {
                "type": "array",
                "items": _ref("HotlineCall"),
                "description": "Earlier calls taken by the user's hotline team, newest first.",
            },
            "cases": {
                "type": "array",
                "items": _ref("CaseSummary"),
                "description": "Cases in the user's scope (identities masked per policy).",
            },
        },
    },
}

PATHS: dict = {
    "/api/v1/hotline/calls": {
        "post": {
            "summary": "Log a hotline call (once per client_token), optionally opening a case",
            "description": "Roles that may log calls: hotline, womens_federation (others 403).",
            "requestBody": {"required": True, **_json(_ref("HotlineCallRequest"), "")},
            "responses": {
                "201": _json(_ref("HotlineCall"), "the call saved (and the case opened)"),
                "200": _json(_ref("HotlineCall"), "a retry: the call saved earlier"),
                "400": _error("Malformed JSON, or the body is not a JSON object."),
                "401": _error("No valid bearer token."),
                "403": _error("This role may not log calls, or open this type of case."),
                "409": _error("`version_conflict`."),
                "413": _error("The request is larger than 1 MiB."),
                "422": _error("`validation_failed`: `fields` maps each field to its messages."),
            },
        }
    },
    "/api/v1/hotline/calls/matches": {
        "get": {
            "summary": "Earlier calls and cases of the same phone or ID number, within scope",
            "parameters": [
                {
                    "name": "phone",
                    "in": "query",
                    "required": False,
                    "description": "normalised like the call form (138-0000-0000, +86…)",
                    "schema": PHONE,
                },
                {
                    "name": "id_number",
                    "in": "query",
                    "required": False,
                    "description": "an 18-character ID number (x or X)",
                    "schema": ID_NUMBER,
                },
            ],
            "responses": {
                "200": _json(_ref("HotlineMatches"), "the matches"),
                "401": _error("No valid bearer token."),
                "403": _error("This role does not take calls."),
                "422": _error("No phone or ID number, an invalid one, or an unknown parameter."),
            },
        }
    },
}
