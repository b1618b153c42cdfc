"""OpenAPI path objects of the indicator endpoints (caseflow/views/api_indicators.py),
merged into caseflow/openapi.py like caseflow/openapi_review.py: `paths() | PATHS`,
`schemas() | SCHEMAS`. References to shared schemas ("Error") use the names of
caseflow/openapi.py.
"""

from .indicators.catalogue import BREAKDOWNS, CATALOGUE, DOMAINS, UNITS
from .indicators.submissions import MAX_FIGURE, MAX_NOTE
from .openapi_parts import _error, _json, _ref
from .vocab import INDICATOR_STATUSES, SUBMISSION_STATUSES, TARGET_ATTRIBUTES, TARGET_DIRECTIONS


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema or {"type": "string"},
        "description": description,
    }


NUMBER = {"type": "number", "nullable": True}
DATETIME = {"type": "string", "format": "date-time", "nullable": True}
CODES = sorted(CATALOGUE)
SUBMITTED_CODES = sorted(code for code, i in CATALOGUE.items() if i.source == "submitted")
FIGURE = {
    "oneOf": [
        {"type": "number", "minimum": 0, "maximum": MAX_FIGURE},
        {"type": "string", "description": 'A number written as text, e.g. "46.2".'},
    ],
    "nullable": True,
}

SCHEMAS: dict = {
    "Place": {
        "type": "object",
        "properties": {
            "code": {"type": "string", "example": "500240"},
            "name": {"type": "string", "example": "石柱土家族自治县"},
            "level": {"type": "string", "example": "county"},
        },
    },
    "Plan": {
        "type": "object",
        "properties": {
            "code": {"type": "string", "example": "500240-women-2021"},
            "title": {"type": "string", "description": "The plan's Chinese title."},
            "title_en": {"type": "string"},
            "kind": {"type": "string", "example": "women"},
            "jurisdiction": _ref("Place"),
            "start_year": {"type": "integer"},
            "end_year": {"type": "integer"},
            "baseline_year": {
                "type": "integer",
                "description": "The year 提高 / 降低 / 得到控制 are measured against.",
            },
        },
    },
    "IndicatorTarget": {
        "type": "object",
        "properties": {
            "text": {"type": "string", "description": "As written in the plan: 保持合理比例, ≥93…"},
            "direction": {"type": "string", "enum": list(TARGET_DIRECTIONS)},
            "value": NUMBER,
            "band_low": {**NUMBER, "description": "保持合理比例: the band set by the plan owner."},
            "band_high": NUMBER,
            "attribute": {"type": "string", "enum": list(TARGET_ATTRIBUTES)},
        },
    },
    "IndicatorStatus": {
        "type": "object",
        "properties": {
            "code": {"type": "string", "enum": list(INDICATOR_STATUSES)},
            "reason": {"type": "string", "description": "Why, in the request's language."},
        },
    },
    "IndicatorRow": {
        "type": "object",
        "properties": {
            "code": {"type": "string", "enum": CODES},
            "name": {"type": "string", "description": "Chinese name."},
            "name_en": {"type": "string"},
            "domain": {"type": "string", "enum": list(DOMAINS)},
            "unit": {"type": "string", "enum": list(UNITS)},
            "source": {"type": "string", "enum": ["cases", "submitted", "mixed"]},
            "section": {"type": "string", "description": "类别 as printed in the plan."},
            "row_number": {
                "type": "integer",
                "nullable": True,
                "description": "序号 in the plan's table; null for an indicator the plan's "
                "measures call for.",
            },
            "value": {**NUMBER, "description": "null when there is no figure or it is hidden."},
            "numerator": NUMBER,
            "denominator": NUMBER,
            "display": {
                "type": "string",
                "description": "The value as shown: `—` for none, `*` when suppressed.",
            },
            "suppressed": {
                "type": "boolean",
                "description": "Hidden from readers who may not see the identities there: "
                "a figure resting on 1–4 cases below the county or in a breakdown, or one it "
                "could be worked out from (complementary suppression, zeros next to a hidden "
                "figure included): value, numerator, denominator, series and median are null.",
            },
            # A reference takes no siblings (OpenAPI 3.0): null is a branch of its own.
            "target": {"oneOf": [_ref("IndicatorTarget"), {"nullable": True, "enum": [None]}]},
            "status": {"oneOf": [_ref("IndicatorStatus"), {"nullable": True, "enum": [None]}]},
            "series": {
                "type": "object",
                "additionalProperties": NUMBER,
                "description": "Values from the baseline year to the year, keyed by year.",
                "example": {"2020": 37.5, "2021": None, "2022": 40.0},
            },
            "median": {**NUMBER, "description": "PO-05 only: the median hours."},
            "breakdowns": {
                "type": "array",
                "items": {"type": "string", "enum": list(BREAKDOWNS)},
                "description": "Values of `by` this indicator can be cut by.",
            },
        },
    },
    "IndicatorTable": {
        "type": "object",
        # `plan` here and `code` in a breakdown: no answer matches both branches of the
        # GET /indicators `oneOf`.
        "required": ["plan", "year", "jurisdiction", "rows"],
        "not": {"required": ["code"]},
        "properties": {
            "plan": _ref("Plan"),
            "year": {"type": "integer"},
            "jurisdiction": _ref("Place"),
            "rows": {"type": "array", "items": _ref("IndicatorRow")},
        },
    },
    "BreakdownRow": {
        "type": "object",
        "properties": {
            "key": {
                "description": "The group: a code (sex, age band, type…), a place's id, or "
                "a period such as 2025-Q1.",
                "oneOf": [{"type": "string"}, {"type": "integer"}],
                "nullable": True,
            },
            "label": {"type": "string"},
            "value": NUMBER,
            "numerator": NUMBER,
            "denominator": NUMBER,
            "display": {"type": "string"},
            "suppressed": {"type": "boolean"},
        },
    },
    "IndicatorBreakdown": {
        "type": "object",
        "required": ["code", "by", "year", "jurisdiction", "rows"],
        "not": {"required": ["plan"]},
        "properties": {
            "code": {"type": "string", "enum": CODES},
            "by": {"type": "string", "enum": list(BREAKDOWNS)},
            "year": {"type": "integer"},
            "jurisdiction": _ref("Place"),
            "rows": {"type": "array", "items": _ref("BreakdownRow")},
        },
    },
    "IndicatorSubmissionRequest": {
        "type": "object",
        "required": ["code", "year", "jurisdiction"],
        "additionalProperties": False,
        "description": "Either `value`, or `numerator` and `denominator` (rates only; the "
        "value is worked out in the indicator's unit).",
        "properties": {
            "code": {"type": "string", "enum": SUBMITTED_CODES},
            "year": {
                "type": "integer",
                "description": "A year of a plan covering the place (baseline to end).",
            },
            "jurisdiction": {"type": "string", "description": "A place code in your area."},
            "value": FIGURE,
            "numerator": FIGURE,
            "denominator": {**FIGURE, "description": "Greater than 0."},
            "note": {"type": "string", "maxLength": MAX_NOTE},
        },
    },
    "IndicatorSubmission": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string", "enum": SUBMITTED_CODES},
            "year": {"type": "integer"},
            "jurisdiction": {"type": "string", "description": "The place's code."},
            "revision": {"type": "integer", "description": "1, 2, … per code, year, place."},
            "value": {"type": "number"},
            "numerator": NUMBER,
            "denominator": NUMBER,
            "note": {"type": "string"},
            "status": {
                "type": "string",
                "enum": list(SUBMISSION_STATUSES),
                "description": "A pending revision is `replaced` by the next one; the "
                "figure in use is the last `accepted` revision.",
            },
            "organisation": {"type": "string", "description": "The reporting unit."},
            "submitted_at": DATETIME,
            "submitted_by": {"type": "string", "description": "Username."},
            "reviewed_at": DATETIME,
            "reviewed_by": {"type": "string", "nullable": True},
            "review_note": {"type": "string", "nullable": True},
        },
    },
    "IndicatorSubmissionList": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": _ref("IndicatorSubmission")},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    },
    "IndicatorReviewRequest": {
        "type": "object",
        "required": ["decision"],
        "additionalProperties": False,
        "properties": {
            "decision": {"type": "string", "enum": ["accept", "return"]},
            "note": {
                "type": "string",
                "maxLength": MAX_NOTE,
                "description": "Required to return a figure: why.",
            },
        },
    },
}

_SUBMISSION_ID = {
    "name": "submission_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}

PATHS: dict = {
    "/api/v1/indicators": {
        "get": {
            "summary": "A plan's indicator table for a year and place, or one breakdown",
            "description": "For statisticians, supervisors and child supervisors (others "
            "403). Without `code`/`by`: the rows of the plan (its targets and the "
            "case-derived indicators its measures call for) with value, target, status and "
            "trend. With both `code` and `by`: that indicator cut by the breakdown. A figure "
            "resting on 1–4 cases below the county or in a breakdown, and every figure it could be "
            "worked out from, is null with display `*` for a statistician. "
            "Unknown query parameters are 422.",
            "parameters": [
                _query(
                    "plan",
                    "Plan code. Default: the first plan, by code, of a place containing the "
                    "user's area (their county's); else of a place inside it.",
                ),
                _query(
                    "year",
                    "Four digits, within the plan's baseline..end years. Default: last year "
                    "(the last complete monitoring year).",
                ),
                _query(
                    "jurisdiction",
                    "Place code inside the plan's place. Default: the plan's place, or the "
                    "user's own area if the plan's place is larger than it.",
                ),
                _query("code", "Indicator code, with `by`.", {"type": "string", "enum": CODES}),
                _query(
                    "by",
                    "Breakdown, with `code`: one of the indicator's `breakdowns`.",
                    {"type": "string", "enum": list(BREAKDOWNS)},
                ),
            ],
            "responses": {
                "200": {
                    "description": "The table, or with `code` and `by` the breakdown.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [_ref("IndicatorTable"), _ref("IndicatorBreakdown")]
                            }
                        }
                    },
                },
                "401": _error("No valid bearer token."),
                "403": _error(
                    "Not a role that reads indicators, or one that does not count this indicator."
                ),
                "404": _error(
                    "Unknown plan or indicator code, no plan for the user's area, "
                    "or a place outside the user's area."
                ),
                "422": _error(
                    "`validation_failed`: unknown parameter, bad year or a year "
                    "outside the plan, unknown place or one the plan does not cover, `code` "
                    "without `by` (or the reverse), a breakdown the indicator does not offer."
                ),
            },
        }
    },
    "/api/v1/indicator-submissions": {
        "post": {
            "summary": "Report a figure (the indicator's responsible unit)",
            "description": "A new revision for the code, year and place; a revision still "
            "awaiting review becomes `replaced`. The figure in use stays the last accepted "
            "one until a statistician accepts this one.",
            "requestBody": {"required": True, **_json(_ref("IndicatorSubmissionRequest"), "")},
            "responses": {
                "201": _json(_ref("IndicatorSubmission"), "the submission, awaiting review"),
                "400": _error("Malformed JSON, or the body is not a JSON object."),
                "401": _error("No valid bearer token."),
                "403": _error(
                    "Not the responsible unit of this indicator, or a place outside your area."
                ),
                "413": _error("The request is larger than 1 MiB."),
                "422": _error(
                    "`validation_failed`: unknown field, code not in the catalogue or "
                    "computed from cases, a year outside the plans of the place, not a number, "
                    "negative, denominator 0, a percentage over 100, a count with a fraction."
                ),
            },
        },
        "get": {
            "summary": "Reported figures: a statistician's area, or the user's own unit",
            "description": "Newest first. Others get 403.",
            "parameters": [
                _query("code", "Indicator code.", {"type": "string", "enum": CODES}),
                _query("year", "Four digits."),
                _query("jurisdiction", "Place code (exact)."),
                _query(
                    "status",
                    "Submission status.",
                    {"type": "string", "enum": list(SUBMISSION_STATUSES)},
                ),
                _query("page", "From 1.", {"type": "integer", "minimum": 1}),
                _query(
                    "per_page", "At most 200.", {"type": "integer", "minimum": 1, "maximum": 200}
                ),
            ],
            "responses": {
                "200": _json(_ref("IndicatorSubmissionList"), "a page of submissions"),
                "401": _error("No valid bearer token."),
                "403": _error("Neither a statistician nor a user of a responsible unit."),
                "422": _error("`validation_failed`: unknown parameter or value."),
            },
        },
    },
    "/api/v1/indicator-submissions/{submission_id}/review": {
        "post": {
            "summary": "Accept or return a reported figure (a statistician of the area)",
            "parameters": [_SUBMISSION_ID],
            "requestBody": {"required": True, **_json(_ref("IndicatorReviewRequest"), "")},
            "responses": {
                "200": _json(_ref("IndicatorSubmission"), "the submission, reviewed"),
                "400": _error("Malformed JSON, or the body is not a JSON object."),
                "401": _error("No valid bearer token."),
                "403": _error("Not a statistician, or the one who reported the figure."),
                "404": _error("No such submission, or not of your area or unit."),
                "409": _error("`invalid_transition`: the figure is not awaiting review."),
                "422": _error(
                    "`validation_failed`: unknown field, a decision other than "
                    "accept or return, returning without a note."
                ),
            },
        }
    },
}
