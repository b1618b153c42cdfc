"""The OpenAPI 3.0 document of the JSON API v1, served at /api/v1/openapi.json.

Written by hand next to caseflow/views/api.py; tests/integration/test_api.py checks that
every /api/v1 route is described here and every path here is a route.
"""

from . import openapi_hotline
from .vocab import (
    CHILD_SAFETY,
    ORG_TYPES,
    REPORTER_ORG_TYPES,
    RISK_LEVELS,
    SEXES,
    SITUATIONS,
    VISIT_METHODS,
    VISIT_OUTCOMES,
)
from .workflows import ALL_STATES, WORKFLOWS


def _action_fields() -> dict[str, list[str]]:
    """The request body of each case action, by "type.trigger", read from the forms
    (caseflow/forms ACTION_FORMS) so the document cannot drift from them; * = required."""
    from .forms import ACTION_FORMS

    out = {}
    for (case_type, trigger), form_class in ACTION_FORMS.items():
        names = []
        for name, unbound in _form_fields(form_class):
            if name in ("version", "csrf_token"):
                continue
            required = any(
                type(v).__name__ in ("DataRequired", "InputRequired")
                for v in (
                    unbound.args[1]
                    if len(unbound.args) > 1
                    else unbound.kwargs.get("validators") or []
                )
            )
            names.append(name + ("*" if required else ""))
        out[f"{case_type}.{trigger}"] = names
    return out


def _form_fields(form_class):
    seen = {}
    for klass in reversed(form_class.__mro__):
        for name, value in vars(klass).items():
            if hasattr(value, "field_class"):
                seen[name] = value
    return list(seen.items())


def _action_property(unbound) -> dict:
    kind = unbound.field_class.__name__
    if kind == "LocalDateTimeField":
        return DATETIME
    if kind == "IsoDateField":
        return {"type": "string", "format": "date"}
    if kind == "BooleanField":
        return {"type": "boolean"}
    if kind in ("ChoicesField", "IntChoicesField"):
        return {
            "type": "array",
            "items": {"type": "integer" if kind == "IntChoicesField" else "string"},
        }
    if kind == "IntegerField" or unbound.kwargs.get("coerce") is int:
        return {"type": "integer"}
    if kind == "FormField":
        return {"type": "object"}
    return TEXT


ACTION_FIELDS = _action_fields()
TRIGGERS = sorted({key.split(".", 1)[1] for key in ACTION_FIELDS})


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _string(max_length: int | None = None, **extra) -> dict:
    schema = {"type": "string", **extra}
    if max_length:
        schema["maxLength"] = max_length
    return schema


DATETIME = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601; without an offset it is local time (Asia/Shanghai).",
}
TEXT = _string(5000)
ID = {"type": "integer", "minimum": 1}

ACTION_PROPERTIES = {
    "version": {"type": "integer", "description": "The case version the client last saw."},
    "comment": TEXT,
    "reason": TEXT,
    "findings": TEXT,
    "summary": TEXT,
    "feedback": TEXT,
    "to_org": {**ID, "description": "transfer: the receiving police or civil-affairs unit"},
    "verifier": {
        **ID,
        "description": "start_verification: a user id (police, civil affairs, "
        "child supervisor) covering the case's place",
    },
    "risk_level": {"type": "string", "enum": list(RISK_LEVELS)},
    "confirmed_situations": {
        "type": "array",
        "items": {"type": "integer", "enum": list(SITUATIONS)},
    },
    "to_orgs": {"type": "array", "items": ID, "minItems": 1},
    "due_at": DATETIME,
    "first_visit_due": DATETIME,
}


def _all_action_properties() -> dict:
    """Every field any action takes; the hand-written entries above say more and win."""
    from .forms import ACTION_FORMS

    props = {}
    for form_class in ACTION_FORMS.values():
        for name, unbound in _form_fields(form_class):
            if name != "csrf_token":
                props.setdefault(name, _action_property(unbound))
    return props | ACTION_PROPERTIES


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }


ERRORS = {
    "400": _error("Malformed JSON, or the body is not a JSON object."),
    "401": _error("No valid bearer token."),
    "403": _error("Logged in, but not allowed to do this on a case they can see."),
    "404": _error("Unknown, or out of the user's scope (the same answer for both)."),
    "409": _error("`version_conflict` (stale version) or `invalid_transition`."),
    "413": _error("The request is larger than 1 MiB."),
    "422": _error("`validation_failed`: `fields` maps each field to its messages."),
}


def _json(schema: dict, description: str = "") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _responses(ok: str, schema: dict, description: str, *errors: str) -> dict:
    out = {ok: _json(schema, description)}
    out.update({code: ERRORS[code] for code in errors})
    return out


def _id_param(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": ID,
    }


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def schemas() -> dict:
    person = {
        "type": "object",
        "description": "Identity fields (name, id_number, phone, address, school) are masked "
        "unless the user may see identities of the case; `masked` says so.",
        "properties": {
            "role": {"type": "string"},
            "name": {"type": "string", "nullable": True},
            "sex": {"type": "string", "nullable": True, "enum": [*SEXES, None]},
            "birth_date": {"type": "string", "format": "date", "nullable": True},
            "id_number": {"type": "string", "nullable": True},
            "phone": {"type": "string", "nullable": True},
            "address": {"type": "string", "nullable": True},
            "school": {"type": "string", "nullable": True},
            "relation": {"type": "string", "nullable": True},
            "organisation_name": {"type": "string", "nullable": True},
            "masked": {"type": "boolean"},
            "age": {"type": "integer", "nullable": True},
            "age_band": {"type": "string", "nullable": True},
        },
    }
    summary = {
        "type": "object",
        "properties": {
            "id": ID,
            "number": {"type": "string", "example": "MR-2026-000123"},
            "type": {"type": "string", "enum": list(WORKFLOWS)},
            "state": {"type": "string", "enum": list(ALL_STATES)},
            "version": {"type": "integer"},
            "urgent": {"type": "boolean"},
            "risk_level": {"type": "string", "enum": list(RISK_LEVELS)},
            "jurisdiction": {"type": "string", "description": "code of the village/community"},
            "jurisdiction_name": {"type": "string"},
            "owner_org": {"type": "string", "nullable": True},
            "created_at": DATETIME,
            "updated_at": DATETIME,
            "subject": {**_ref("Person"), "nullable": True},
        },
    }
    detail = {
        "allOf": [
            _ref("CaseSummary"),
            {
                "type": "object",
                "properties": {
                    "description": {"type": "string"},
                    "special_protection": {"type": "array", "items": {"type": "string"}},
                    "closed_at": {**DATETIME, "nullable": True},
                    "persons": {"type": "array", "items": _ref("Person")},
                    "fields": {
                        "type": "object",
                        "description": "type-specific fields (mandatory_report: "
                        "reporter_org_type, discovered_at, reported_at, situation_codes, "
                        "situations, ongoing_danger, guardian_is_suspect, child_safety, "
                        "verifier, findings, confirmed_situations)",
                    },
                    "actions": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "triggers this user may fire now",
                    },
                    "can_record_visit": {"type": "boolean"},
                    "deadlines": {"type": "array", "items": _ref("Deadline")},
                    "events": {"type": "array", "items": _ref("Event")},
                    "referrals": {"type": "array", "items": _ref("Referral")},
                    "visits": {"type": "array", "items": _ref("Visit")},
                },
            },
        ]
    }
    child = {
        "type": "object",
        "required": ["name", "sex"],
        "additionalProperties": False,
        "properties": {
            "name": _string(100),
            "sex": {"type": "string", "enum": list(SEXES)},
            "birth_date": {
                "type": "string",
                "format": "date",
                "description": "not in the future; must agree with the ID number",
            },
            "id_number": _string(18, description="GB 11643: 17 digits and a check character"),
            "phone": _string(20),
            "address": _string(200),
            "school": _string(100),
        },
    }
    reporter = {
        "type": "object",
        "additionalProperties": False,
        "description": "Defaults to the logged-in user and their unit.",
        "properties": {
            "name": _string(100),
            "phone": _string(20),
            "organisation_name": _string(200),
        },
    }
    create = {
        "type": "object",
        "required": ["type", "jurisdiction", "discovered_at", "description", "subject"],
        "additionalProperties": False,
        "description": "Creating a case fires its first trigger (`submit`). Unknown fields, "
        "oversized strings, a future birth date or an invalid ID number give 422. Only "
        "`mandatory_report` can be created so far.",
        "properties": {
            "type": {"type": "string", "enum": ["mandatory_report"]},
            "jurisdiction": _string(
                32,
                description="code of a village/community in the "
                "user's area (may be left out if there is only one)",
            ),
            "intake_org": {
                **ID,
                "description": "police or civil-affairs unit covering the "
                "place; default: the nearest one",
            },
            "reporter_org_type": {
                "type": "string",
                "enum": list(REPORTER_ORG_TYPES),
                "default": "village_committee",
            },
            "discovered_at": DATETIME,
            "situation_codes": {
                "type": "array",
                "items": {"type": "integer", "enum": list(SITUATIONS)},
                "description": "强制报告意见 Art. 4 situations 1–9; any one makes it urgent",
            },
            "ongoing_danger": {"type": "boolean"},
            "guardian_is_suspect": {"type": "boolean"},
            "child_safety": {"type": "string", "enum": list(CHILD_SAFETY), "default": "unknown"},
            "urgent": {"type": "boolean"},
            "description": TEXT,
            "subject": _ref("Child"),
            "reporter": _ref("Reporter"),
        },
    }
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message", "fields"],
                    "properties": {
                        "code": {
                            "type": "string",
                            "example": "validation_failed",
                            "description": "bad_request, unauthorized, forbidden, not_found, "
                            "unknown_trigger, method_not_allowed, version_conflict, "
                            "invalid_transition, too_large, validation_failed, throttled",
                        },
                        "message": {"type": "string", "description": "translated"},
                        "fields": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                            "description": "nested fields are named with dots: subject.name",
                        },
                    },
                }
            },
        },
        "TokenRequest": {
            "type": "object",
            "required": ["username", "password"],
            "additionalProperties": False,
            "properties": {"username": _string(64), "password": _string(200)},
        },
        "Token": {
            "type": "object",
            "properties": {"token": {"type": "string"}, "expires_at": DATETIME},
        },
        "Me": {
            "type": "object",
            "properties": {
                "id": ID,
                "username": {"type": "string"},
                "display_name": {"type": "string"},
                "roles": {"type": "array", "items": {"type": "string"}},
                "organisation": {
                    "type": "object",
                    "properties": {
                        "id": ID,
                        "name": {"type": "string"},
                        "type": {"type": "string", "enum": list(ORG_TYPES)},
                    },
                },
                "jurisdiction": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                        "level": {"type": "string", "enum": ["county", "township", "village"]},
                    },
                },
            },
        },
        "Person": person,
        "CaseSummary": summary,
        "CaseDetail": detail,
        "CaseList": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": _ref("CaseSummary")},
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "total": {"type": "integer"},
            },
        },
        "Child": child,
        "Reporter": reporter,
        "MandatoryReportCreate": create,
        "ActionBody": {
            "type": "object",
            "required": ["version"],
            "additionalProperties": False,
            "description": "Fields by trigger (* required): "
            + "; ".join(f"{t}: {', '.join(f)}" for t, f in ACTION_FIELDS.items())
            + ". Fields of another trigger are unknown fields (422).",
            "properties": _all_action_properties(),
        },
        "Deadline": {
            "type": "object",
            "properties": {
                "id": ID,
                "kind": {"type": "string"},
                "status": {"type": "string", "enum": ["open", "met", "missed", "waived"]},
                "opened_at": DATETIME,
                "due_at": DATETIME,
                "closed_at": {**DATETIME, "nullable": True},
                "done_late": {"type": "boolean"},
                "basis": {"type": "string"},
                "calendar_note": {"type": "string", "nullable": True},
                "referral_id": {"type": "integer", "nullable": True},
                "waiver_reason": {"type": "string", "nullable": True},
            },
        },
        "Event": {
            "type": "object",
            "properties": {
                "seq": {"type": "integer"},
                "at": DATETIME,
                "actor": {"type": "string", "nullable": True},
                "trigger": {"type": "string"},
                "from_state": {"type": "string", "nullable": True},
                "to_state": {"type": "string"},
                "comment": {"type": "string"},
                "data": {"type": "object"},
            },
        },
        "ReferralCreate": {
            "type": "object",
            "required": ["version", "reason"],
            "additionalProperties": False,
            "description": "Exactly one of `to_org` (answer: the Referral) or `to_orgs` "
            "(answer: {items: [Referral]}). Only the unit handling the case, on an open case.",
            "properties": {
                "version": {"type": "integer"},
                "to_org": ID,
                "to_orgs": {"type": "array", "items": ID, "minItems": 1},
                "reason": TEXT,
                "due_at": {**DATETIME, "description": "in the future; default from the rule pack"},
            },
        },
        "Referral": {
            "type": "object",
            "properties": {
                "id": ID,
                "case_id": ID,
                "to_org": {
                    "type": "object",
                    "properties": {
                        "id": ID,
                        "name": {"type": "string"},
                        "type": {"type": "string"},
                    },
                },
                "from_org": {"type": "integer", "nullable": True},
                "reason": {"type": "string"},
                "status": {
                    "type": "string",
                    "enum": ["sent", "accepted", "declined", "completed", "withdrawn"],
                },
                "sent_at": DATETIME,
                "due_at": {**DATETIME, "nullable": True},
                "answered_at": {**DATETIME, "nullable": True},
                "answer": {"type": "string", "nullable": True},
                "case_version": {
                    "type": "integer",
                    "description": "in answers to a change: the case's version after it",
                },
            },
        },
        "ReferralList": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": _ref("Referral")},
                "case_version": {"type": "integer"},
            },
        },
        "ReferralAnswer": {
            "type": "object",
            "additionalProperties": False,
            "description": "decline needs `reason`, complete needs `outcome`; accept and "
            "withdraw take an optional `reason`. The other text field is refused (422).",
            "properties": {
                "version": {"type": "integer", "description": "optional: checked if sent"},
                "reason": TEXT,
                "outcome": TEXT,
            },
        },
        "VisitCreate": {
            "type": "object",
            "required": ["version", "done_at", "method", "outcome"],
            "additionalProperties": False,
            "properties": {
                "version": {"type": "integer"},
                "done_at": {**DATETIME, "description": "not in the future"},
                "method": {"type": "string", "enum": list(VISIT_METHODS)},
                "outcome": {"type": "string", "enum": list(VISIT_OUTCOMES)},
                "notes": TEXT,
                "next_due": {**DATETIME, "description": "in the future"},
            },
        },
        "Visit": {
            "type": "object",
            "properties": {
                "id": ID,
                "done_at": DATETIME,
                "by": {"type": "string"},
                "method": {"type": "string", "enum": list(VISIT_METHODS)},
                "outcome": {"type": "string", "enum": list(VISIT_OUTCOMES)},
                "notes": {"type": "string"},
                "next_due": {**DATETIME, "nullable": True},
                "case_version": {"type": "integer"},
            },
        },
    }


def paths() -> dict:
    case_id = _id_param("case_id", "the case id")
    list_params = [
        _query("type", {"type": "string", "enum": list(WORKFLOWS)}, "case type"),
        _query("state", {"type": "string", "enum": list(ALL_STATES)}, "state"),
        _query("jurisdiction", _string(32), "a place code: the place and everything under it"),
        _query("overdue", {"type": "boolean"}, "only cases with a deadline past due"),
        _query("urgent", {"type": "boolean"}, "only urgent (true) or non-urgent (false) cases"),
        _query("q", _string(100), "part of the case number or the child's name"),
        _query(
            "created_from",
            {"type": "string"},
            "ISO date (from the start of that local day) or date-time",
        ),
        _query(
            "created_to",
            {"type": "string"},
            "ISO date (to the end of that local day) or date-time (exclusive)",
        ),
        _query("page", {"type": "integer", "minimum": 1, "default": 1}, "page number"),
        _query(
            "per_page",
            {"type": "integer", "minimum": 1, "maximum": 200, "default": 25},
            "items per page",
        ),
    ]
    return {
        "/api/v1/auth/token": {
            "post": {
                "summary": "Get a bearer token",
                "description": "Failed attempts are throttled per client address (429).",
                "security": [],
                "requestBody": {"required": True, **_json(_ref("TokenRequest"))},
                "responses": {
                    **_responses("200", _ref("Token"), "a token", "400", "413", "422"),
                    "401": _error("Wrong username or password."),
                    "429": _error("Too many failed attempts; wait and try again."),
                },
            }
        },
        "/api/v1/me": {
            "get": {
                "summary": "The logged-in user",
                "responses": _responses("200", _ref("Me"), "the user", "401"),
            }
        },
        "/api/v1/cases": {
            "get": {
                "summary": "The user's cases (only those in scope), urgent and newest first",
                "description": "Unknown parameters and invalid values give 422.",
                "parameters": list_params,
                "responses": _responses("200", _ref("CaseList"), "a page", "401", "422"),
            },
            "post": {
                "summary": "Create a case (fires its first trigger)",
                "requestBody": {"required": True, **_json(_ref("MandatoryReportCreate"))},
                "responses": {
                    **_responses(
                        "201", _ref("CaseDetail"), "the case", "400", "401", "403", "413", "422"
                    ),
                },
            },
        },
        "/api/v1/cases/{case_id}": {
            "get": {
                "summary": "A case (the view is written to the access log)",
                "parameters": [case_id],
                "responses": _responses("200", _ref("CaseDetail"), "the case", "401", "404"),
            }
        },
        "/api/v1/cases/{case_id}/actions/{trigger}": {
            "post": {
                "summary": "Fire a trigger on a case",
                "description": "Checked in this order: version (422 missing, 409 stale), "
                "permission (403), state (409 invalid_transition), fields (422).",
                "parameters": [
                    case_id,
                    {
                        "name": "trigger",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": TRIGGERS},
                    },
                ],
                "requestBody": {"required": True, **_json(_ref("ActionBody"))},
                "responses": _responses(
                    "200",
                    _ref("CaseDetail"),
                    "the case after the trigger",
                    "400",
                    "401",
                    "403",
                    "404",
                    "409",
                    "413",
                    "422",
                ),
            }
        },
        "/api/v1/cases/{case_id}/referrals": {
            "post": {
                "summary": "Refer an open case to one or more organisations",
                "parameters": [case_id],
                "requestBody": {"required": True, **_json(_ref("ReferralCreate"))},
                "responses": _responses(
                    "201",
                    {"oneOf": [_ref("Referral"), _ref("ReferralList")]},
                    "the referral (to_org) or the referrals (to_orgs)",
                    "400",
                    "401",
                    "403",
                    "404",
                    "409",
                    "413",
                    "422",
                ),
            }
        },
        "/api/v1/referrals/{referral_id}/actions/{action}": {
            "post": {
                "summary": "Answer a referral (receiving unit) or withdraw it (sending unit)",
                "parameters": [
                    _id_param("referral_id", "the referral id"),
                    {
                        "name": "action",
                        "in": "path",
                        "required": True,
                        "schema": {
                            "type": "string",
                            "enum": ["accept", "decline", "complete", "withdraw"],
                        },
                    },
                ],
                "requestBody": {"required": True, **_json(_ref("ReferralAnswer"))},
                "responses": _responses(
                    "200",
                    _ref("Referral"),
                    "the referral",
                    "400",
                    "401",
                    "403",
                    "404",
                    "409",
                    "413",
                    "422",
                ),
            }
        },
        "/api/v1/cases/{case_id}/visits": {
            "post": {
                "summary": "Record a follow-up visit",
                "parameters": [case_id],
                "requestBody": {"required": True, **_json(_ref("VisitCreate"))},
                "responses": _responses(
                    "201",
                    _ref("Visit"),
                    "the visit",
                    "400",
                    "401",
                    "403",
                    "404",
                    "409",
                    "413",
                    "422",
                ),
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.0 document")},
            }
        },
    }


def spec() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "caseflow JSON API",
            "version": "1",
            "description": "Cases of mandatory reporting of harm to children. Errors are "
            '{"error": {"code", "message", "fields"}}. Out-of-scope cases do not exist (404).',
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas() | openapi_hotline.SCHEMAS,
        },
        "paths": paths() | openapi_hotline.PATHS,
    }
