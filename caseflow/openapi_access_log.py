"""OpenAPI path objects and schemas of GET /api/v1/access-log
(caseflow/views/api_access_log.py), merged into caseflow/openapi.py like openapi_hotline."""

from .openapi_parts import _error, _json, _ref
from .vocab import ACCESS_CHANNELS

DATETIME = {"type": "string", "format": "date-time", "description": "ISO 8601 with offset."}
DATE = {"type": "string", "format": "date", "description": "a local date, 2026-11-23"}

SCHEMAS: dict = {
    "AccessLogEntry": {
        "type": "object",
        "description": "One answer that showed a case's identities.",
        "properties": {
            "id": {"type": "integer"},
            "at": DATETIME,
            "user": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "username": {"type": "string"},
                    "display_name": {"type": "string"},
                    "role": {"type": "string"},
                    "organisation": {"type": "string"},
                },
            },
            "case": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "number": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
            "channel": {"type": "string", "enum": list(ACCESS_CHANNELS)},
            "what": {"type": "string", "description": "view, create, action:<trigger>, …"},
        },
    },
    "AccessLogPage": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": _ref("AccessLogEntry")},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    },
}


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


PATHS: dict = {
    "/api/v1/access-log": {
        "get": {
            "summary": "The access log: who read which case, when, through which channel",
            "description": "For auditors and supervisors, the reads of the cases they audit "
            "(an auditor's jurisdiction; a supervisor's unit and places). Newest first. "
            "This answer is itself logged (channel log_viewer).",
            "parameters": [
                _query("from", DATE, "first local day"),
                _query("to", DATE, "last local day (inclusive)"),
                _query("user", {"type": "string"}, "a username"),
                _query("case", {"type": "string"}, "a case number"),
                _query("channel", {"type": "string", "enum": list(ACCESS_CHANNELS)}, ""),
                _query("page", {"type": "integer", "minimum": 1, "maximum": 1000000}, ""),
                _query("per_page", {"type": "integer", "minimum": 1, "maximum": 500}, ""),
            ],
            "responses": {
                "200": _json(_ref("AccessLogPage"), "the matching reads"),
                "401": _error("No valid bearer token."),
                "403": _error("Only auditors and supervisors read the access log."),
                "422": _error("A bad date, an unknown user, case, channel or parameter."),
            },
        }
    }
}
