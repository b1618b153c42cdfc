"""OpenAPI path objects and schemas of the notification endpoints
(caseflow/views/api_notifications.py), merged into caseflow/openapi.py like openapi_hotline.

References to shared schemas ("Error") use the names of caseflow/openapi.py.
"""

from .openapi_parts import _error, _json, _ref

DATETIME = {"type": "string", "format": "date-time", "description": "ISO 8601 with offset."}

SCHEMAS: dict = {
    "Notification": {
        "type": "object",
        "description": "Texts carry a case number and a link, never a person's identity.",
        "properties": {
            "id": {"type": "integer"},
            "kind": {
                "type": "string",
                "description": "reminder, escalation, visit_alert, … (new kinds may appear).",
            },
            "subject": {"type": "string", "maxLength": 200},
            "body": {"type": "string"},
            "link": {"type": "string", "nullable": True, "description": "e.g. /cases/42"},
            "case_id": {"type": "integer", "nullable": True},
            "created_at": DATETIME,
            "read_at": {**DATETIME, "nullable": True},
        },
    },
    "NotificationPage": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": _ref("Notification")},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    },
    "NotificationsReadRequest": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "ids": {
                "type": "array",
                "maxItems": 1000,
                "items": {"type": "integer"},
                "description": "The notifications to mark read; leave out to mark all. "
                "Ids that are not the user's are ignored.",
            }
        },
    },
    "NotificationsReadResult": {
        "type": "object",
        "properties": {
            "marked": {"type": "integer", "description": "How many were unread and are now read."},
            "unread": {"type": "integer", "description": "Unread notifications left."},
        },
    },
}

PATHS: dict = {
    "/api/v1/notifications": {
        "get": {
            "summary": "The user's notifications, newest first",
            "parameters": [
                {
                    "name": "page",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 1000000},
                },
                {
                    "name": "per_page",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                },
                {
                    "name": "unread",
                    "in": "query",
                    "description": "true: unread only; false: read only.",
                    "schema": {"type": "string", "enum": ["true", "false", "1", "0", "yes", "no"]},
                },
            ],
            "responses": {
                "200": _json(_ref("NotificationPage"), "one page of the inbox"),
                "401": _error("No valid bearer token."),
                "422": _error("`validation_failed`: an unknown or invalid parameter."),
            },
        }
    },
    "/api/v1/notifications/read": {
        "post": {
            "summary": "Mark notifications read: the given ids, or all with {}",
            "requestBody": {"required": True, **_json(_ref("NotificationsReadRequest"), "")},
            "responses": {
                "200": _json(_ref("NotificationsReadResult"), "marked"),
                "400": _error("Malformed JSON, or the body is not a JSON object."),
                "401": _error("No valid bearer token."),
                "413": _error("The request is larger than 1 MiB."),
                "422": _error("`validation_failed`: an unknown field, or ids not a list of ids."),
            },
        }
    },
}
