"""OpenAPI path objects and schemas of the working-day calendar and the deadline calculator
(caseflow/views/api_calendar.py), merged into caseflow/openapi.py like openapi_hotline.

References to shared schemas ("Error") use the names of caseflow/openapi.py.
"""

from .openapi_parts import _error, _json, _ref

DATETIME = {"type": "string", "format": "date-time", "description": "ISO 8601 with offset."}
DATE = {"type": "string", "format": "date", "description": "YYYY-MM-DD"}
YEAR = {
    "name": "year",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1990, "maximum": 2100},
}

DAY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["date"],
    "properties": {"date": DATE, "name": {"type": "string", "maxLength": 64}},
}

SCHEMAS: dict = {
    "CalendarDay": DAY,
    "CalendarYear": {
        "type": "object",
        "description": "The calendar in force for a year. A year without an official "
        "calendar is provisional: the statutory holidays of 《全国年节及纪念日放假办法》 (2024) "
        "from the lunar calendar, a holiday on a weekend made up on the next working day, "
        "Saturdays and Sundays, no 调休.",
        "properties": {
            "year": {"type": "integer"},
            "provisional": {"type": "boolean"},
            "source": {"type": "string", "enum": ["notice", "package", "provisional"]},
            "notice": {
                "type": "object",
                "properties": {
                    "number": {"type": "string", "nullable": True},
                    "date": {**DATE, "nullable": True},
                },
            },
            "package": {"type": "string", "nullable": True, "description": "A seeded year."},
            "entered_by": {"type": "string", "nullable": True},
            "entered_at": {**DATETIME, "nullable": True},
            "version": {
                "type": "integer",
                "description": "Send it back with PUT; 0 for a year with no official calendar.",
            },
            "holidays": {"type": "array", "items": _ref("CalendarDay")},
            "workdays": {
                "type": "array",
                "items": _ref("CalendarDay"),
                "description": "Saturdays and Sundays that are working days (调休).",
            },
            "changes": {
                "type": "array",
                "description": "The last 20 entries, newest first, with the calendar before "
                "(null: provisional) and after.",
                "items": {
                    "type": "object",
                    "properties": {
                        "at": DATETIME,
                        "by": {"type": "string", "nullable": True},
                        "channel": {"type": "string", "enum": ["page", "api", "command"]},
                        "recomputed": {"type": "integer"},
                        "before": {"type": "object", "nullable": True},
                        "after": {"type": "object"},
                    },
                },
            },
            "recomputed": {
                "type": "integer",
                "description": "PUT only: deadlines whose due time moved.",
            },
        },
    },
    "CalendarEntry": {
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "notice", "holidays"],
        "properties": {
            "version": {"type": "integer"},
            "year": {"type": "integer", "description": "If given, the year of the path."},
            "notice": {
                "type": "object",
                "additionalProperties": False,
                "required": ["number", "date"],
                "properties": {
                    "number": {"type": "string", "maxLength": 100},
                    "date": {**DATE, "description": "Not in the future."},
                },
            },
            "holidays": {
                "type": "array",
                "minItems": 1,
                "maxItems": 120,
                "items": _ref("CalendarDay"),
                "description": "Every day off of the year's breaks, weekends inside them too.",
            },
            "workdays": {
                "type": "array",
                "maxItems": 120,
                "items": _ref("CalendarDay"),
                "description": "调休 working days: each a Saturday or Sunday, not a holiday.",
            },
        },
    },
    "DeadlineComputation": {
        "type": "object",
        "properties": {
            "start": DATETIME,
            "period": {"type": "string", "example": "5d"},
            "due_at": DATETIME,
            "counted_from": {**DATETIME, "description": "The first instant counted."},
            "rule": {"type": "string", "description": "The statute applied."},
            "provisional": {"type": "boolean"},
            "skipped": {
                "type": "array",
                "description": "Rest days the last day moved over, in order.",
                "items": {
                    "type": "object",
                    "properties": {
                        "date": DATE,
                        "reason": {"type": "string", "enum": ["holiday", "weekend"]},
                        "name": {"type": "string", "description": "The festival, for a holiday."},
                        "provisional": {"type": "boolean"},
                    },
                },
            },
        },
    },
}

PATHS: dict = {
    "/api/v1/calendar/{year}": {
        "get": {
            "summary": "The working-day calendar in force for a year",
            "parameters": [YEAR],
            "responses": {
                "200": _json(_ref("CalendarYear"), "the year's calendar"),
                "401": _error("No valid bearer token."),
                "404": _error("A year outside 1990–2100."),
            },
        },
        "put": {
            "summary": "Enter the State Council's holiday notice for a year (administrators)",
            "description": "Replaces the year's holidays and 调休 working days and keeps the "
            "calendar before and after. Every open or missed day deadline whose period "
            "touches the year is counted again in the same transaction, with an event on its "
            "case; a missed one the new calendar makes timely is reopened. Refused, with "
            "nothing saved: a date outside the year, a 调休 day that is not a Saturday or "
            "Sunday, a date both holiday and working day, an unknown field.",
            "parameters": [YEAR],
            "requestBody": {"required": True, **_json(_ref("CalendarEntry"), "")},
            "responses": {
                "200": _json(_ref("CalendarYear"), "entered"),
                "400": _error("Malformed JSON, or the body is not a JSON object."),
                "401": _error("No valid bearer token."),
                "403": _error("Not an administrator."),
                "404": _error("A year outside 1990–2100."),
                "409": _error("`version_conflict`: the year's calendar changed since it was read."),
                "413": _error("The request is larger than 1 MiB."),
                "422": _error("`validation_failed`: the fields, each with its message."),
            },
        },
    },
    "/api/v1/deadlines/compute": {
        "get": {
            "summary": "The deadline calculator: the code every deadline uses",
            "parameters": [
                {
                    "name": "start",
                    "in": "query",
                    "required": True,
                    "description": "ISO time of the act; local time without an offset.",
                    "schema": {"type": "string"},
                },
                {
                    "name": "period",
                    "in": "query",
                    "required": True,
                    "description": "72h (hours, from the next full hour), 5d (days) or 6m "
                    "(months).",
                    "schema": {"type": "string", "pattern": "^[1-9][0-9]{0,3}[hdm]$"},
                },
            ],
            "responses": {
                "200": _json(_ref("DeadlineComputation"), "the due time and how"),
                "401": _error("No valid bearer token."),
                "422": _error("`validation_failed`: start or period unreadable."),
            },
        }
    },
}
