"""OpenAPI path objects and schemas of one's own sessions, tokens and password
(caseflow/views/api_auth.py), merged into caseflow/openapi.py like openapi_hotline.

`/api/v1/auth/token` (POST) stays in caseflow/openapi.py; its DELETE is added here.
References to shared schemas ("Error") use the names of caseflow/openapi.py.
"""

from .openapi_parts import _error, _json, _ref

DATETIME = {"type": "string", "format": "date-time", "description": "ISO 8601 with offset."}
NO_CONTENT = {"description": "done"}
ID = {"type": "integer", "minimum": 1}

SCHEMAS: dict = {
    "OpenSession": {
        "type": "object",
        "description": "A browser session of the user that has not ended.",
        "properties": {
            "id": {"type": "integer"},
            "created_at": DATETIME,
            "last_seen_at": DATETIME,
            "address": {"type": "string", "nullable": True},
            "user_agent": {"type": "string", "nullable": True},
        },
    },
    "OpenToken": {
        "type": "object",
        "description": "An API token of the user that is neither revoked nor expired.",
        "properties": {
            "id": {"type": "integer"},
            "created_at": DATETIME,
            "expires_at": DATETIME,
            "current": {"type": "boolean", "description": "the token of this request"},
        },
    },
    "OpenSessions": {
        "type": "object",
        "properties": {
            "sessions": {"type": "array", "items": _ref("OpenSession")},
            "tokens": {"type": "array", "items": _ref("OpenToken")},
        },
    },
    "PasswordChange": {
        "type": "object",
        "required": ["current_password", "new_password"],
        "additionalProperties": False,
        "properties": {
            "current_password": {"type": "string", "maxLength": 200},
            "new_password": {
                "type": "string",
                "minLength": 12,
                "maxLength": 200,
                "description": "At least 12 characters, not the username, not a common "
                "password (422 names each rule broken).",
            },
        },
    },
}

_UNAUTHORIZED = _error("No valid bearer token.")
_FORCED = _error(
    "`password_change_required`: the password was reset by an administrator; "
    "change it first (POST /api/v1/auth/password)."
)

PATHS: dict = {
    "/api/v1/auth/sessions": {
        "get": {
            "summary": "One's open browser sessions and API tokens",
            "responses": {
                "200": _json(_ref("OpenSessions"), "sessions and tokens"),
                "401": _UNAUTHORIZED,
                "403": _FORCED,
            },
        }
    },
    "/api/v1/auth/sessions/{session_id}": {
        "delete": {
            "summary": "End one of one's browser sessions",
            "parameters": [{"name": "session_id", "in": "path", "required": True, "schema": ID}],
            "responses": {
                "204": NO_CONTENT,
                "401": _UNAUTHORIZED,
                "403": _FORCED,
                "404": _error("No such open session of this user."),
            },
        }
    },
    "/api/v1/auth/tokens/{token_id}": {
        "delete": {
            "summary": "Revoke one of one's API tokens",
            "parameters": [{"name": "token_id", "in": "path", "required": True, "schema": ID}],
            "responses": {
                "204": NO_CONTENT,
                "401": _UNAUTHORIZED,
                "403": _FORCED,
                "404": _error("No such open token of this user."),
            },
        }
    },
    "/api/v1/auth/password": {
        "post": {
            "summary": "Change one's password",
            "description": "Also the way out of a one-time password. The calling token stays "
            "valid; every other token and browser session of the user ends.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("PasswordChange")}},
            },
            "responses": {
                "204": NO_CONTENT,
                "400": _error("The body is not a JSON object."),
                "401": _UNAUTHORIZED,
                "422": _error(
                    "`validation_failed`: the current password is wrong, or the "
                    "new one breaks a rule (each named)."
                ),
                "429": _error("Too many failed attempts; wait and try again."),
            },
        }
    },
}

REVOKE_CALLING_TOKEN = {
    "summary": "Revoke the token of this request (log the client out)",
    "responses": {"204": NO_CONTENT, "401": _UNAUTHORIZED},
}
