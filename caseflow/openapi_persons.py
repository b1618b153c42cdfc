"""OpenAPI path objects and schemas of one person across cases (caseflow/views/persons.py):
proposals, the link of a party to a person record, the person, merges and their undoing,
the high-risk household list and its screening visits. Merged into caseflow/openapi.py.
"""

from .openapi_parts import _error, _json, _ref
from .vocab import HIGH_RISK_REASONS, PERSON_ROLES, SCREENING_OUTCOMES


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _query(name: str, description: str, fmt: str | None = None) -> dict:
    schema = {"type": "string", "maxLength": 100}
    if fmt:
        schema["format"] = fmt
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


UNAUTHORIZED = _error("No valid bearer token.")
BAD_BODY = _error("Malformed JSON, or the body is not a JSON object.")
NO_PERSON = _error(
    "`not_found`: no such person (or case, party, merge) in the user's identity scope; "
    "a person known only outside it gets the same answer."
)

# The link field of a case's creation (POST /api/v1/cases): merged into each create schema.
PERSON_LINKS = {
    "type": "object",
    "description": "Optional: the persons the caller chose for the new case's parties, by "
    "role (subject, abuser, respondent, applicant): a person record from "
    "GET /api/v1/person-proposals, or null for a new record. A party left out stays "
    "unlinked (its proposals are on the case); nothing is linked silently.",
    "additionalProperties": {"type": "integer", "nullable": True},
}


def with_person_links(schemas: dict, names) -> dict:
    """The create schemas with the person_links field."""
    for name in names:
        schemas[name]["properties"]["person_links"] = PERSON_LINKS
    return schemas


SCHEMAS: dict = {
    "PersonProposal": {
        "type": "object",
        "description": "A person record within the caller's identity scope that may be the "
        "same person. Nothing is linked until the caller links it.",
        "properties": {
            "person_id": {"type": "integer"},
            "matched_by": {
                "type": "array",
                "items": {"type": "string", "enum": ["id_number", "phone", "name_birth"]},
                "description": "id_number: the same ID number (a 15-digit one taken as its "
                "18-digit form); phone: the same number without +86, spaces or dashes; "
                "name_birth: the same birth date and the same name, its variant characters "
                "(張/张) or its pinyin (张伟/章伟).",
            },
            "name": {"type": "string", "nullable": True},
            "sex": {"type": "string", "nullable": True},
            "birth_date": {"type": "string", "format": "date", "nullable": True},
            "cases": {
                "type": "array",
                "description": "The person's cases within the caller's identity scope.",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "number": {"type": "string"},
                        "role": {"type": "string", "enum": list(PERSON_ROLES)},
                    },
                },
            },
        },
    },
    "PersonProposals": {
        "type": "object",
        "properties": {
            "person_id": {
                "type": "integer",
                "nullable": True,
                "description": "The party's person record, once linked (then no proposals).",
            },
            "proposals": {"type": "array", "items": _ref("PersonProposal")},
        },
    },
    "PersonLinkRequest": {
        "type": "object",
        "required": ["person_id"],
        "additionalProperties": False,
        "properties": {
            "person_id": {
                "type": "integer",
                "nullable": True,
                "description": "A proposed (or any in-scope) person record; null: a new record.",
            }
        },
    },
    "PersonLinked": {
        "type": "object",
        "properties": {
            "party_id": {"type": "integer"},
            "person_id": {"type": "integer"},
            "version": {"type": "integer"},
        },
    },
    "PersonMerge": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "survivor_id": {"type": "integer"},
            "merged_id": {"type": "integer"},
            "merged_at": {"type": "string", "format": "date-time"},
            "undone_at": {"type": "string", "format": "date-time", "nullable": True},
        },
    },
    "PersonRecord": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "repeat_abuser": {"type": "boolean"},
            "cases": {
                "type": "array",
                "description": "Only cases within the caller's identity scope: others are "
                "neither listed nor counted.",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "number": {"type": "string"},
                        "type": {"type": "string"},
                        "state": {"type": "string"},
                        "role": {"type": "string", "enum": list(PERSON_ROLES)},
                        "party": _ref("Person"),
                    },
                },
            },
            "merges": {"type": "array", "items": _ref("PersonMerge")},
        },
    },
    "PersonMergeRequest": {
        "type": "object",
        "required": ["other_id", "reason"],
        "additionalProperties": False,
        "properties": {
            "other_id": {"type": "integer", "description": "The record merged into this one."},
            "reason": {"type": "string", "maxLength": 2000},
        },
    },
    "PersonUnmergeRequest": {
        "type": "object",
        "required": ["reason"],
        "additionalProperties": False,
        "properties": {"reason": {"type": "string", "maxLength": 2000}},
    },
    "HighRiskHousehold": {
        "type": "object",
        "properties": {
            "case_id": {"type": "integer", "description": "Screenings are recorded on it."},
            "number": {"type": "string"},
            "cases": {"type": "array", "items": {"type": "string"}},
            "jurisdiction": {"type": "string"},
            "reasons": {
                "type": "array",
                "items": {"type": "string", "enum": list(HIGH_RISK_REASONS)},
            },
            "subject": {**_ref("Person"), "nullable": True},
            "abuser": {**_ref("Person"), "nullable": True},
            "interval_days": {
                "type": "integer",
                "description": "The rule pack's household_screening_due.",
            },
            "due_on": {"type": "string", "format": "date"},
            "status": {"type": "string", "enum": ["overdue", "due", "planned"]},
            "last_screening": {
                "type": "object",
                "nullable": True,
                "properties": {
                    "done_on": {"type": "string", "format": "date"},
                    "outcome": {"type": "string", "enum": list(SCREENING_OUTCOMES)},
                    "note": {"type": "string", "description": "Redacted like all free text."},
                },
            },
        },
    },
    "ScreeningVisitCreate": {
        "type": "object",
        "required": ["done_on", "outcome"],
        "additionalProperties": False,
        "properties": {
            "done_on": {"type": "string", "format": "date", "description": "The visit's day."},
            "outcome": {"type": "string", "enum": list(SCREENING_OUTCOMES)},
            "note": {"type": "string", "maxLength": 2000},
        },
    },
}

PATHS: dict = {
    "/api/v1/person-proposals": {
        "get": {
            "summary": "Persons within the caller's identity scope who may be the one typed "
            "(before creating a case or adding a party)",
            "parameters": [
                _query("name", "The name as typed."),
                _query("birth_date", "YYYY-MM-DD; with the name.", "date"),
                _query("id_number", "15 or 18 characters."),
                _query("phone", "Any form: +86, spaces and dashes are ignored."),
            ],
            "responses": {
                "200": _json(_ref("PersonProposals"), "the proposals (none: an empty list)"),
                "401": UNAUTHORIZED,
                "422": _error("`validation_failed`: an unknown parameter or a bad date."),
            },
        }
    },
    "/api/v1/cases/{case_id}/parties/{party_id}/proposals": {
        "get": {
            "summary": "Persons proposed for a party of a case (`persons[].party_id`)",
            "parameters": [_path_id("case_id"), _path_id("party_id")],
            "responses": {
                "200": _json(_ref("PersonProposals"), "the party's record or the proposals"),
                "401": UNAUTHORIZED,
                "403": _error("`forbidden`: the party's identity is not the caller's to see."),
                "404": NO_PERSON,
            },
        }
    },
    "/api/v1/cases/{case_id}/parties/{party_id}/person": {
        "post": {
            "summary": "Link a party to a person record, or to a new one (person_id null)",
            "parameters": [_path_id("case_id"), _path_id("party_id")],
            "requestBody": {"required": True, **_json(_ref("PersonLinkRequest"), "")},
            "responses": {
                "201": _json(_ref("PersonLinked"), "the link"),
                "400": BAD_BODY,
                "401": UNAUTHORIZED,
                "403": _error("`forbidden`: the party's identity is not the caller's to see."),
                "404": NO_PERSON,
                "409": _error("The party is already linked, or the case changed meanwhile."),
                "422": _error("`validation_failed`: no such person in the caller's scope."),
            },
        }
    },
    "/api/v1/persons/{person_id}": {
        "get": {
            "summary": "A person: their cases and roles within the caller's identity scope",
            "parameters": [_path_id("person_id")],
            "responses": {
                "200": _json(
                    _ref("PersonRecord"), "the person (a merged record: the one it was merged into)"
                ),
                "401": UNAUTHORIZED,
                "404": NO_PERSON,
            },
        }
    },
    "/api/v1/persons/{person_id}/merge": {
        "post": {
            "summary": "Merge another person record into this one, with a reason (supervisors)",
            "parameters": [_path_id("person_id")],
            "requestBody": {"required": True, **_json(_ref("PersonMergeRequest"), "")},
            "responses": {
                "201": _json(_ref("PersonMerge"), "the merge, on each case's timeline"),
                "400": BAD_BODY,
                "401": UNAUTHORIZED,
                "403": _error("`forbidden`: only supervisors merge."),
                "404": NO_PERSON,
                "409": _error("One of the records is already merged."),
                "422": _error("`validation_failed`: no reason, the same record, an unknown field."),
            },
        }
    },
    "/api/v1/person-merges/{merge_id}/undo": {
        "post": {
            "summary": "Undo a merge: both records and their links as before",
            "parameters": [_path_id("merge_id")],
            "requestBody": {"required": True, **_json(_ref("PersonUnmergeRequest"), "")},
            "responses": {
                "200": _json(_ref("PersonMerge"), "the merge, now undone"),
                "400": BAD_BODY,
                "401": UNAUTHORIZED,
                "403": _error("`forbidden`: only supervisors undo merges."),
                "404": NO_PERSON,
                "409": _error("Already undone, or the records changed since (a later merge)."),
                "422": _error("`validation_failed`: no reason, or an unknown field."),
            },
        }
    },
    "/api/v1/high-risk": {
        "get": {
            "summary": "High-risk households of the caller's area (police, women's federation, "
            "supervisors), overdue screenings first",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "items": {"type": "array", "items": _ref("HighRiskHousehold")}
                        },
                    },
                    "the households",
                ),
                "401": UNAUTHORIZED,
                "403": _error("`forbidden`: not a role that screens households."),
                "422": _error("`validation_failed`: an unknown parameter."),
            },
        }
    },
    "/api/v1/cases/{case_id}/screenings": {
        "post": {
            "summary": "Record a screening visit of the household of a high-risk case",
            "parameters": [_path_id("case_id")],
            "requestBody": {"required": True, **_json(_ref("ScreeningVisitCreate"), "")},
            "responses": {
                "201": _json(
                    {
                        "type": "object",
                        "properties": {
                            "id": {"type": "integer"},
                            "case_id": {"type": "integer"},
                            "done_on": {"type": "string", "format": "date"},
                            "outcome": {"type": "string", "enum": list(SCREENING_OUTCOMES)},
                        },
                    },
                    "the visit",
                ),
                "400": BAD_BODY,
                "401": UNAUTHORIZED,
                "403": _error("`forbidden`: only the police and the women's federation screen."),
                "404": _error("`not_found`: no such case in the caller's scope."),
                "409": _error("The case's household is not on the high-risk list."),
                "422": _error("`validation_failed`: the date, the outcome or the note."),
            },
        }
    },
}
