"""The OpenAPI 3.0 document of the JSON API v1, served at /api/v1/openapi.json.

Written by hand next to caseflow/views/api.py; tests/integration/test_api.py checks that
every /api/v1 route is described here and every path here is a route.
"""

from . import (
    openapi_access_log,
    openapi_admin,
    openapi_attachments,
    openapi_auth,
    openapi_calendar,
    openapi_hotline,
    openapi_indicators,
    openapi_notifications,
    openapi_persons,
    openapi_review,
    openapi_steps,
)
from .openapi_parts import _error, _json, _ref
from .vocab import (
    CHILD_SAFETY,
    COURT_BASES,
    DEADLINE_KINDS,
    DV_OUTCOMES,
    DV_RELATIONS,
    ESCALATION_OUTCOMES,
    INJURY_LEVELS,
    LEGAL_MATTERS,
    MEANS_EXEMPTIONS,
    ORG_TYPES,
    PERSON_ROLES,
    PO_APPLICANT_ROLES,
    PO_END_REASONS,
    PO_EVIDENCE,
    PO_MEASURES,
    PO_REVIEW_OUTCOMES,
    PROXY_REASONS,
    REPORT_CHANNELS,
    REPORTER_ORG_TYPES,
    RISK_LEVELS,
    SEXES,
    SITUATIONS,
    SPECIAL_PROTECTION,
    VIOLENCE_FORMS,
    VISIT_METHODS,
    VISIT_OUTCOMES,
)
from .workflows import ALL_STATES, WORKFLOWS

# Required by the form, but filled in when a client leaves them out (the form's setup).
FILLED_IN_BY_THE_API = {("dv_warning", "issue_warning", "prohibition")}


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
            if (case_type, trigger, name) in FILLED_IN_BY_THE_API:
                required = False
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


# What the services check beyond the fields, by "type.trigger": said in the document, and
# refused with 422 (a missing fact, with `fields`) or 409 (not possible now, whoever asks).
ACTION_NOTES = {
    "dv_warning.issue_warning": "the abuser needs an ID number or an address, given here or already "
    "known (Art. 16 ¶2); the number is unique; issued_at not before the call; "
    "prohibition defaults to the standard text",
    "dv_warning.escalate": "decided_at not before the call",
    "dv_warning.deliver": "none of the three before the warning was issued (Art. 17)",
    "dv_warning.record_repeat": "occurred_at not before the call",
    "protection_order.file": "completes the draft (an empty field keeps the draft's value); refused (422) "
    "unless the application then has respondent.name, measures (measures_other for "
    "`other`), the facts or evidence (Art. 27), a court (Art. 25), and for a proxy "
    "proxy_reason, and victim_wishes_confirmed where 法释〔2022〕17号 Art. 2 asks it (an adult "
    "who is old, disabled or seriously ill; never a minor)",
    "protection_order.court_accept": "by the court the application was filed with; not before filed_at; "
    "opens ruling_due: 72 hours, 24 if the court finds it urgent here (Art. 28)",
    "protection_order.issue_order": "not before the acceptance (or the reconsideration request); expires_on "
    "at most 6 months after the ruling day (Art. 30)",
    "protection_order.reject": "not before the acceptance; with served_at, opens the 5-day "
    "reconsideration window from service (Art. 31)",
    "protection_order.serve_rejection": "once; not before the ruling; opens the 5-day window from service",
    "protection_order.request_reconsideration": "once, after service (409 otherwise); requested_at not "
    "before the ruling and inside the window, judged by requested_at, not the time of entry "
    "(422 otherwise; allowed with a warning on a provisional calendar)",
    "protection_order.request_respondent_review": "by the court; once; requested_at not before the "
    "service on the respondent and inside the 5 days from it (422 otherwise); the order stays "
    "in force",
    "protection_order.decide_respondent_review": "outcome upheld or changed (granted_measures "
    "required when changed); decided_at not before the application",
    "protection_order.revoke_on_review": "ends the order; decided_at not before the application",
    "protection_order.request_closure": "also from `rejected`, when the rejection is not contested",
    "protection_order.serve": "none of the four before the order was made (Art. 32)",
    "protection_order.extend": "while the order is in force (409 once expires_at has passed); applied_at "
    "after the order and before it lapses; decided_at after applied_at; expires_on after "
    "the current last day",
    "protection_order.modify": "as extend, with the new measures",
    "protection_order.record_violation": "sends a referral to the court and to the police station of the "
    "place, unless one is open (Art. 34)",
}
ACTION_NOTES.update(openapi_steps.ACTION_NOTES)


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
PAST = {**DATETIME, "description": "not in the future"}
TEXT = _string(5000)
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}

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
    # domestic violence: legal moments are typed by the user, never in the future
    "victim_informed": {
        "type": "boolean",
        "description": "criticize: must be true — the victim was told a warning letter "
        "(告诫书) can be requested",
    },
    "warning_number": _string(64),
    "issued_at": {**PAST, "description": "issue_warning, issue_order: not in the future"},
    "facts": TEXT,
    "prohibition": TEXT,
    "abuser_id_number": _string(18, description="GB 11643"),
    "abuser_address": _string(200),
    "outcome": {
        "description": "dv_warning.escalate (required): "
        + " or ".join(ESCALATION_OUTCOMES)
        + "; dv_warning.record_repeat (optional): one of these codes, or empty when not "
        "decided yet; protection_order.decide_respondent_review (required): upheld or "
        "changed (a revocation is revoke_on_review); legal_aid.conclude: the outcome as text",
        "anyOf": [
            {"type": "string", "enum": [*DV_OUTCOMES, "upheld", "changed", ""]},
            TEXT,
        ],
    },
    "decided_at": PAST,
    "detail": TEXT,
    "delivered_abuser_at": PAST,
    "delivered_victim_at": PAST,
    "committee_notified_at": PAST,
    "committee_name": _string(200),
    "occurred_at": PAST,
    "description": TEXT,
    "filed_at": {**PAST, "description": "default: now"},
    "respondent": _ref("Respondent"),
    "measures": {"type": "array", "items": {"type": "string", "enum": list(PO_MEASURES)}},
    "measures_other": _string(2000),
    "evidence": {
        "description": "file: a list of evidence codes (法释〔2022〕17号 Art. 6); "
        "record_violation: the evidence of the violation, as text",
        "oneOf": [
            {"type": "array", "items": {"type": "string", "enum": list(PO_EVIDENCE)}},
            TEXT,
        ],
    },
    "court": {**ID, "description": "file: the organisation id of a court"},
    "court_basis": {"type": "string", "enum": list(COURT_BASES)},
    "victim_wishes_confirmed": {"type": "boolean"},
    "accepted_at": PAST,
    "court_case_number": _string(64),
    "urgent": {
        "type": "boolean",
        "description": "court_accept: the court's finding of urgency (Art. 28), which alone "
        "sets the 24-hour ruling; the applicant's request does not",
    },
    "served_at": {**PAST, "description": "service of the rejection on the applicant"},
    "order_number": _string(64),
    "expires_on": {
        "type": "string",
        "format": "date",
        "description": "the order's last day in force (to the end of that local day)",
    },
    "granted_measures": {
        "type": "array",
        "items": {"type": "string", "enum": list(PO_MEASURES)},
        "minItems": 1,
    },
    "ruled_at": PAST,
    "requested_at": PAST,
    "served_applicant_at": PAST,
    "served_respondent_at": PAST,
    "served_police_at": PAST,
    "police_name": _string(200),
    "served_committee_at": PAST,
    "applied_at": PAST,
}
ACTION_PROPERTIES.update(openapi_steps.ACTION_PROPERTIES)


def _all_action_properties() -> dict:
    """Every field any action takes; the hand-written entries above say more and win."""
    from .forms import ACTION_FORMS

    props = {}
    for form_class in ACTION_FORMS.values():
        for name, unbound in _form_fields(form_class):
            if name != "csrf_token":
                props.setdefault(name, _action_property(unbound))
    return props | ACTION_PROPERTIES


ERRORS = {
    "400": _error("Malformed JSON, or the body is not a JSON object."),
    "401": _error("No valid bearer token."),
    "403": _error("Logged in, but not allowed to do this on a case they can see."),
    "404": _error("Unknown, or out of the user's scope (the same answer for both)."),
    "409": _error("`version_conflict` (stale version) or `invalid_transition`."),
    "413": _error("The request is larger than 1 MiB."),
    "422": _error("`validation_failed`: `fields` maps each field to its messages."),
}


PASSWORD_CHANGE_REQUIRED = _error(
    "`password_change_required`: an administrator reset the password; change it first "
    "(POST /api/v1/auth/password)."
)


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


JURISDICTION = _string(
    32,
    description="code of a village/community in the user's area (may be left out if "
    "there is only one)",
)

# The create body of each case type: its schema in components.
CREATE_SCHEMAS = {
    "mandatory_report": "MandatoryReportCreate",
    "dv_warning": "DvWarningCreate",
    "protection_order": "ProtectionOrderCreate",
    "legal_aid": "LegalAidCreate",
}


def _codes(vocabulary, **extra) -> dict:
    return {"type": "string", "enum": list(vocabulary), **extra}


def _code_list(vocabulary, **extra) -> dict:
    return {"type": "array", "items": _codes(vocabulary), **extra}


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


def _identity(name_description: str, required: list[str], **extra) -> dict:
    """A person's identity fields as a create body takes them (caseflow/forms/people.py)."""
    return {
        "type": "object",
        # OpenAPI 3.0: `required` lists at least one name, or is left out
        **({"required": required} if required else {}),
        "additionalProperties": False,
        "properties": {
            "name": _string(100, description=name_description),
            "sex": {
                "type": "string",
                "enum": [*SEXES, "U"],
                "description": "U: unknown (未知), stored as no sex",
            },
            "birth_date": {
                "type": "string",
                "format": "date",
                "description": "not in the future; must agree with the ID number",
            },
            "id_number": _string(18, description="GB 11643: 17 digits and a check character"),
            "phone": _string(20, description="a mobile or fixed-line number; +86 is dropped"),
            "address": _string(200),
            **extra,
        },
    }


def domestic_violence_schemas() -> dict:
    """The two domestic-violence case types: create bodies, people and `fields`."""
    relation = _codes(DV_RELATIONS, description="to the victim (cohabitants: Art. 37)")
    dv_create = {
        "type": "object",
        "required": [
            "type",
            "jurisdiction",
            "call_at",
            "violence_forms",
            "description",
            "subject",
            "abuser",
        ],
        "additionalProperties": False,
        "description": "A DV call (反家庭暴力法 Art. 15). Creating it fires `log_incident`: "
        "by the police, or by the hotline or the women's federation, whose calls belong "
        "to the police station of the place. Special protection or a serious injury makes "
        "it urgent (Art. 5).",
        "properties": {
            "type": {"type": "string", "enum": ["dv_warning"]},
            "jurisdiction": JURISDICTION,
            "call_at": {**PAST, "description": "when the call was received; not in the future"},
            "attended_at": {**PAST, "description": "not before call_at, not in the future"},
            "location": _string(200),
            "subject": _ref("Victim"),
            "abuser": _ref("Abuser"),
            "violence_forms": _code_list(VIOLENCE_FORMS, minItems=1),
            "injury_level": _codes(INJURY_LEVELS, default="unknown"),
            "injuries": _string(2000),
            "minors_present": {"type": "boolean"},
            "minors_witnessed": {"type": "boolean"},
            "prior_incidents": {"type": "integer", "minimum": 0, "maximum": 999, "default": 0},
            "special_protection": _code_list(SPECIAL_PROTECTION),
            "urgent": {"type": "boolean"},
            "description": TEXT,
        },
    }
    po_create = {
        "type": "object",
        "required": ["type", "jurisdiction", "applicant_role", "subject"],
        "additionalProperties": False,
        "description": "An application for a protection order (反家庭暴力法 Art. 23–27). "
        "Creating it fires `draft`; only the victim is needed now, `file` checks the "
        "rest. The court named here sees the case once it is filed.",
        "properties": {
            "type": {"type": "string", "enum": ["protection_order"]},
            "jurisdiction": JURISDICTION,
            "source_case": {
                **ID,
                "description": "a dv_warning case the user can see, that this application "
                "starts from",
            },
            "subject": _ref("Victim"),
            "applicant_role": _codes(
                PO_APPLICANT_ROLES,
                description="`victim`, `close_relative` (applicant.name required), or the "
                "proxy the drafter's organisation is (Art. 23 ¶2; 法释〔2022〕17号 Art. 2): "
                "another gives 422",
            ),
            "proxy_reason": _codes(
                PROXY_REASONS, description="required when applicant_role is not `victim`"
            ),
            "applicant": _ref("Applicant"),
            "oral_application": {"type": "boolean"},
            "special_protection": _code_list(SPECIAL_PROTECTION),
            "urgent": {
                "type": "boolean",
                "description": "a request for a ruling within 24 hours (Art. 28); the court "
                "decides urgency at court_accept",
            },
            "description": {**TEXT, "description": "the facts of the violence or the danger"},
            "respondent": _ref("Respondent"),
            "measures": _code_list(PO_MEASURES, description="Art. 29; 法释〔2022〕17号 Art. 10"),
            "measures_other": _string(2000, description="details of `other`"),
            "evidence": _code_list(PO_EVIDENCE, description="法释〔2022〕17号 Art. 6"),
            "court": {**ID, "description": "the organisation id of a court (Art. 25)"},
            "court_basis": _codes(COURT_BASES),
            "victim_wishes_confirmed": {
                "type": "boolean",
                "description": "a proxy applies on the victim's wishes (needed to file when "
                "consent_required: 法释〔2022〕17号 Art. 2 reasons, an adult victim)",
            },
        },
    }
    dv_fields = {
        "type": "object",
        "required": ["call_at", "violence_forms", "warning"],
        "properties": {
            "call_at": DATETIME,
            "attended_at": _nullable(DATETIME),
            "location": _nullable({"type": "string"}),
            "relation": relation,
            "violence_forms": _code_list(VIOLENCE_FORMS),
            "injury_level": _codes(INJURY_LEVELS),
            "injuries": {"type": "string"},
            "minors_present": {"type": "boolean"},
            "minors_witnessed": {"type": "boolean"},
            "prior_incidents": {"type": "integer"},
            "outcome": _nullable(_codes(DV_OUTCOMES, description="what the police did")),
            "outcome_at": _nullable(DATETIME),
            "outcome_detail": _nullable({"type": "string"}),
            "warning": {
                "type": "object",
                "nullable": True,
                "description": "the warning letter (告诫书), once issued",
                "properties": {
                    "number": {"type": "string"},
                    "issued_at": DATETIME,
                    "facts": {"type": "string"},
                    "prohibition": {"type": "string"},
                    "delivered_abuser_at": _nullable(DATETIME),
                    "delivered_victim_at": _nullable(DATETIME),
                    "committee_notified_at": _nullable(DATETIME),
                    "committee_name": _nullable({"type": "string"}),
                    "delivered_at": _nullable(
                        {**DATETIME, "description": "the last of the three (Art. 17)"}
                    ),
                },
            },
        },
    }
    po_fields = {
        "type": "object",
        "required": ["applicant_role", "measures", "service"],
        "properties": {
            "source_case_id": _nullable(ID),
            "applicant_role": _codes(PO_APPLICANT_ROLES),
            "proxy_reason": _nullable(_codes(PROXY_REASONS)),
            "victim_wishes_confirmed": {"type": "boolean"},
            "consent_required": {"type": "boolean"},
            "relation": _nullable(
                _codes(DV_RELATIONS, description="the respondent's, to the victim")
            ),
            "measures": _code_list(PO_MEASURES, description="requested"),
            "measures_other": _nullable({"type": "string"}),
            "evidence": _code_list(PO_EVIDENCE),
            "court": {
                "type": "object",
                "nullable": True,
                "properties": {"id": ID, "name": {"type": "string"}},
            },
            "court_basis": _nullable(_codes(COURT_BASES)),
            "oral_application": {"type": "boolean"},
            "urgency_requested": {
                "type": "boolean",
                "description": "the applicant asked for urgency; the court's finding is the "
                "case's `urgent` from court_accept on",
            },
            "filed_at": _nullable(DATETIME),
            "accepted_at": _nullable(DATETIME),
            "court_case_number": _nullable({"type": "string"}),
            "ruling": _nullable(
                {
                    "type": "string",
                    "enum": ["issued", "rejected"],
                    "description": "the first ruling; a reconsideration decision is "
                    "reconsideration_decided_at",
                }
            ),
            "ruled_at": _nullable(DATETIME),
            "rejection_reason": _nullable({"type": "string"}),
            "rejection_served_at": _nullable(
                {**DATETIME, "description": "the reconsideration window runs from it"}
            ),
            "reconsideration_requested_at": _nullable(DATETIME),
            "reconsideration_decided_at": _nullable(DATETIME),
            "order_number": _nullable({"type": "string"}),
            "issued_at": _nullable(DATETIME),
            "expires_at": _nullable({**DATETIME, "description": "the end of the order's last day"}),
            "granted_measures": _code_list(PO_MEASURES, description="ordered"),
            "service": {
                "type": "object",
                "description": "service on the four parties (Art. 32)",
                "properties": {
                    "applicant_at": _nullable(DATETIME),
                    "respondent_at": _nullable(DATETIME),
                    "police_at": _nullable(DATETIME),
                    "police_name": _nullable({"type": "string"}),
                    "committee_at": _nullable(DATETIME),
                    "committee_name": _nullable({"type": "string"}),
                    "complete_at": _nullable({**DATETIME, "description": "the last of the four"}),
                },
            },
            "respondent_review": {
                "type": "object",
                "description": "the respondent's reconsideration of the order (Art. 31)",
                "properties": {
                    "requested_at": _nullable(DATETIME),
                    "decided_at": _nullable(DATETIME),
                    "outcome": _nullable(_codes(PO_REVIEW_OUTCOMES)),
                },
            },
            "ended_at": _nullable(DATETIME),
            "end_reason": _nullable(_codes(PO_END_REASONS)),
        },
    }
    return {
        "Victim": _identity("the victim's name", ["name", "sex"]),
        "Abuser": _identity("the abuser's name", ["name", "relation"], relation=relation),
        "Respondent": _identity(
            "required to file (Art. 27 (1))",
            [],
            relation={**relation, "description": "to the victim"},
        ),
        "Applicant": {
            "type": "object",
            "additionalProperties": False,
            "description": "A proxy applicant; defaults to the user's unit.",
            "properties": {
                "name": _string(100, description="a person or a unit"),
                "relation": _string(50, description="to the victim"),
                "phone": _string(20),
            },
        },
        "DvWarningCreate": dv_create,
        "ProtectionOrderCreate": po_create,
        "DvWarningFields": dv_fields,
        "ProtectionOrderFields": po_fields,
    }


def legal_aid_schemas() -> dict:
    """A referral to legal aid (法律援助法 Art. 31–49): create body and `fields`."""
    create = {
        "type": "object",
        "required": ["type", "jurisdiction", "matter", "description", "subject"],
        "additionalProperties": False,
        "description": "Creating it fires `refer`. Without `means_test_exempt_reason` the "
        "means questions (household_size, monthly_income) and the honesty undertaking "
        "are required (Art. 41); victims of abuse, abandonment or domestic violence are "
        "exempt from the means test (Art. 32 (4)).",
        "properties": {
            "type": {"type": "string", "enum": ["legal_aid"]},
            "jurisdiction": JURISDICTION,
            "source_case_id": {**ID, "description": "an open case the user can see"},
            "subject": _ref("AidApplicant"),
            "matter": _codes(LEGAL_MATTERS),
            "description": {**TEXT, "description": "what help is needed"},
            "means_test_exempt_reason": _codes(MEANS_EXEMPTIONS),
            "household_size": {"type": "integer", "minimum": 1, "maximum": 50},
            "monthly_income": {
                "type": "integer",
                "minimum": 0,
                "maximum": 10**7,
                "description": "yuan per person per month",
            },
            "honesty_undertaking": {"type": "boolean"},
            "urgent_pre_provision": {
                "type": "boolean",
                "description": "先行提供 (Art. 44)",
            },
            "procedural_deadline": {"type": "string", "format": "date"},
            "special_protection": _code_list(SPECIAL_PROTECTION),
            "urgent": {"type": "boolean"},
        },
    }
    when = {**DATETIME, "nullable": True}
    text = {"type": "string", "nullable": True}
    fields = {
        "type": "object",
        "required": ["matter", "means_test_exempt_reason"],
        "properties": {
            "source_case_id": {**ID, "nullable": True},
            "referral_id": {**ID, "nullable": True},
            "matter": _codes(LEGAL_MATTERS),
            "means_test_exempt_reason": _nullable(_codes(MEANS_EXEMPTIONS)),
            # The applicant's personal data: null for a reader without identity access.
            "household_size": {"type": "integer", "nullable": True},
            "monthly_income": {"type": "integer", "nullable": True},
            "means_masked": {"type": "boolean"},
            "honesty_undertaking": {"type": "boolean"},
            "urgent_pre_provision": {"type": "boolean"},
            "procedural_deadline": {"type": "string", "format": "date", "nullable": True},
            "received_at": when,
            "materials_requested": text,
            "materials_requested_at": when,
            "materials_supplied_at": when,
            "decision": _nullable(_codes({"granted": "", "denied": ""})),
            "decided_at": when,
            "denial_reason": text,
            "objection_at": when,
            "objection_decided_at": when,
            "lawyer_name": text,
            "law_firm": text,
            "assigned_at": when,
            "concluded_at": when,
            "outcome": text,
        },
    }
    return {
        "AidApplicant": _identity("the applicant's name", ["name", "sex"]),
        "LegalAidCreate": create,
        "LegalAidFields": fields,
    }


def schemas() -> dict:
    person = {
        "type": "object",
        "description": "Identity fields (name, id_number, phone, address, school) are masked "
        "unless the user may see identities of the case; `masked` says so, and a masked "
        "person has no birth_date and no age (the age band stays).",
        "properties": {
            "role": {"type": "string", "enum": list(PERSON_ROLES)},
            "name": {"type": "string", "nullable": True},
            "sex": {"type": "string", "nullable": True, "enum": [*SEXES, None]},
            "birth_date": {"type": "string", "format": "date", "nullable": True},
            "id_number": {"type": "string", "nullable": True},
            "phone": {"type": "string", "nullable": True},
            "address": {"type": "string", "nullable": True},
            "school": {"type": "string", "nullable": True},
            "relation": {
                "type": "string",
                "nullable": True,
                "description": "abuser: one of DvWarningFields.relation; applicant: free text",
            },
            "organisation_name": {"type": "string", "nullable": True},
            "masked": {"type": "boolean"},
            "age": {"type": "integer", "nullable": True},
            "age_band": {"type": "string", "nullable": True},
            "party_id": {"type": "integer", "description": "The party's row in this case."},
            "person_id": {
                "type": "integer",
                "nullable": True,
                "description": "The party's person record across cases (case detail only; "
                "null until a user links it, or if the identity is not the reader's).",
            },
            "repeat_abuser": {
                "type": "boolean",
                "description": "An abuser or respondent of two or more DV cases, or of a "
                "violated protection order, within the reader's scope.",
            },
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
                    "description": {
                        "type": "string",
                        "description": "Free text, like comments, notes, reasons and facts: "
                        "for a reader without identity access the persons' names, ID numbers, "
                        "phones and addresses and any ID-number or mobile pattern are masked.",
                    },
                    "text_redacted": {
                        "type": "boolean",
                        "description": "true when free text is masked for this reader "
                        "(the pages show 已隐去身份信息)",
                    },
                    "warnings": {
                        "type": "array",
                        "description": "Only on the answer to a change: identity_in_text when "
                        "the free text just saved names a person, an ID or a phone number "
                        "(write 当事人 / 被申请人 instead); the text is saved as sent.",
                        "items": {
                            "type": "object",
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        },
                    },
                    "special_protection": {
                        "type": "array",
                        "items": {"type": "string", "enum": list(SPECIAL_PROTECTION)},
                    },
                    "closed_at": {**DATETIME, "nullable": True},
                    "persons": {"type": "array", "items": _ref("Person")},
                    "repeat_abuser": {
                        "type": "boolean",
                        "description": "A party of this case is a repeat abuser (see Person).",
                    },
                    "fields": {
                        "description": "the fields of the case's type; the required "
                        "properties of each tell the four apart",
                        "oneOf": [
                            _ref("MandatoryReportFields"),
                            _ref("DvWarningFields"),
                            _ref("ProtectionOrderFields"),
                            _ref("LegalAidFields"),
                        ],
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
    child = _identity("the child's name", ["name", "sex"], school=_string(100))
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
        "required": [
            "type",
            "jurisdiction",
            "reporter_org_type",
            "discovered_at",
            "description",
            "subject",
        ],
        "additionalProperties": False,
        "description": "Creating a case fires its first trigger (`submit`). Unknown fields, "
        "oversized strings, a future birth date or an invalid ID number give 422.",
        "properties": {
            "type": {"type": "string", "enum": ["mandatory_report"]},
            "jurisdiction": JURISDICTION,
            "intake_org": {
                **ID,
                "description": "police or civil-affairs unit covering the "
                "place; default: the nearest one",
            },
            "reporter_org_type": {"type": "string", "enum": list(REPORTER_ORG_TYPES)},
            "discovered_at": DATETIME,
            "reported_at": {
                **PAST,
                "description": "when the report was made (the act), if before this entry: "
                "not before discovered_at; default now. report_late is judged from it",
            },
            "report_channel": {
                "type": "string",
                "enum": list(REPORT_CHANNELS),
                "default": "system",
                "description": "how the report was made",
            },
            "reported_to": _string(
                200, description="to whom (unit or person); default: the receiving unit"
            ),
            "situation_codes": {
                "type": "array",
                "items": {"type": "integer", "enum": list(SITUATIONS)},
                "description": "强制报告意见 Art. 4 situations 1–9; any one makes it urgent",
            },
            "ongoing_danger": {"type": "boolean"},
            "guardian_is_suspect": {"type": "boolean"},
            **openapi_steps.REPORT_CREATE_PROPERTIES,
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
                "total": {
                    "type": "integer",
                    "description": "Exact up to 1000 matching cases; beyond, the database's "
                    "estimate (then `total_estimated` is true).",
                },
                "total_estimated": {
                    "type": "boolean",
                    "description": "`total` is an estimate, not a count.",
                },
                "cursor": {
                    "type": "string",
                    "nullable": True,
                    "description": "Give it back as `cursor` with the next (or any nearby) "
                    "`page`: that page is then read by key, quickly, and no case is "
                    "repeated or skipped while new cases arrive.",
                },
                "more": {"type": "boolean", "description": "a next page may follow"},
            },
        },
        "Child": child,
        "Reporter": reporter,
        "MandatoryReportCreate": create,
        **domestic_violence_schemas(),
        **legal_aid_schemas(),
        "MandatoryReportFields": {
            "type": "object",
            "required": ["reporter_org_type", "discovered_at", "situation_codes"],
            "properties": {
                "reporter_org_type": {"type": "string", "enum": list(REPORTER_ORG_TYPES)},
                "discovered_at": DATETIME,
                "reported_at": {**DATETIME, "description": "when the report was made (the act)"},
                "report_channel": _nullable(
                    {
                        "type": "string",
                        "enum": list(REPORT_CHANNELS),
                        "description": "null for reports entered before it was kept",
                    }
                ),
                "reported_to": _nullable({"type": "string"}),
                "situation_codes": {
                    "type": "array",
                    "items": {"type": "integer", "enum": list(SITUATIONS)},
                },
                "situations": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "the label of each situation code",
                },
                "ongoing_danger": {"type": "boolean"},
                "guardian_is_suspect": {"type": "boolean"},
                **openapi_steps.REPORT_FIELDS,
                "child_safety": {"type": "string", "enum": list(CHILD_SAFETY)},
                "verifier": {"type": "string", "nullable": True},
                "findings": {"type": "string", "nullable": True},
                "confirmed_situations": {
                    "type": "array",
                    "nullable": True,
                    "items": {"type": "integer", "enum": list(SITUATIONS)},
                },
            },
        },
        "ActionBody": {
            "type": "object",
            "required": ["version"],
            "additionalProperties": False,
            "description": "Fields by trigger (* required): "
            + "; ".join(f"{t}: {', '.join(f)}" for t, f in ACTION_FIELDS.items())
            + ". Fields of another trigger are unknown fields (422). Also checked: "
            + "; ".join(f"{t}: {note}" for t, note in ACTION_NOTES.items())
            + ".",
            "properties": _all_action_properties(),
        },
        "Deadline": {
            "type": "object",
            "properties": {
                "id": ID,
                "kind": {"type": "string", "enum": list(DEADLINE_KINDS)},
                "status": {"type": "string", "enum": ["open", "met", "missed", "waived"]},
                "opened_at": DATETIME,
                "due_at": DATETIME,
                "closed_at": {**DATETIME, "nullable": True},
                "done_late": {"type": "boolean"},
                "basis": {"type": "string"},
                "calendar_note": {
                    "type": "string",
                    "nullable": True,
                    "description": "Rows counted before the calendar was data only.",
                },
                "provisional": {
                    "type": "boolean",
                    "description": "Counted on a provisional calendar (no State Council "
                    "notice for the year of its end yet); it may move when the notice is "
                    "entered and never makes the system refuse a party's act.",
                },
                "referral_id": {"type": "integer", "nullable": True},
                "waiver_reason": {"type": "string", "nullable": True},
            },
        },
        "Event": {
            "type": "object",
            "properties": {
                "seq": {"type": "integer"},
                "at": {**DATETIME, "description": "when it was entered"},
                "actor": {
                    "type": "string",
                    "nullable": True,
                    "description": "who entered it",
                },
                "trigger": {"type": "string"},
                "from_state": {"type": "string", "nullable": True},
                "to_state": {"type": "string"},
                "comment": {"type": "string"},
                "data": {
                    "type": "object",
                    "description": "the step's facts. A step recording a person's act (a "
                    "report, a reconsideration applied for, an objection, materials supplied, "
                    "a delivery or service, a visit) has `acted_at` (ISO time of the act) and, "
                    "when entered more than LATE_ENTRY_HOURS after it, `late_entry: true` with "
                    "`late_entry_hours`; a late act let through because its window was counted "
                    "on a provisional calendar has `window_warning`",
                },
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
            "required": ["id", "case_id", "status"],
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
            "required": ["items", "case_version"],
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
        _query("q", _string(100), "part of the case number or the subject's name"),
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
        _query(
            "cursor",
            _string(120),
            "the `cursor` of a page already read: the requested page is read by key from it "
            "(an unknown cursor is ignored and the page read by offset)",
        ),
    ]
    return {
        "/api/v1/auth/token": {
            "post": {
                "summary": "Get a bearer token",
                "description": "Failed attempts are counted per account name and per client "
                "address; past the limits the answer is 429 with Retry-After, the same for "
                "names that exist and names that do not.",
                "security": [],
                "requestBody": {"required": True, **_json(_ref("TokenRequest"))},
                "responses": {
                    **_responses("200", _ref("Token"), "a token", "400", "413", "422"),
                    "401": _error("Wrong username or password."),
                    "429": _error("Too many failed attempts; wait and try again."),
                },
            },
            "delete": openapi_auth.REVOKE_CALLING_TOKEN,
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
                "description": "The first trigger of each type is fired by the create: "
                "submit (mandatory_report, reporters), log_incident (dv_warning: police, "
                "hotline, women's federation), draft (protection_order: women's federation, "
                "hotline, police, legal aid). Another role gets 403.",
                "requestBody": {
                    "required": True,
                    **_json(
                        {
                            "oneOf": [_ref(name) for name in CREATE_SCHEMAS.values()],
                            "discriminator": {
                                "propertyName": "type",
                                "mapping": {
                                    case_type: f"#/components/schemas/{name}"
                                    for case_type, name in CREATE_SCHEMAS.items()
                                },
                            },
                        }
                    ),
                },
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
                "permission (403: the role, the unit handling the case, the court the "
                "application was filed with), state and time (409 invalid_transition: not "
                "possible in this state, or no longer — a closed reconsideration window, an "
                "expired order), fields (422). The initial trigger is fired by creating the "
                "case (409); `expire` is fired by the scheduler only (403).",
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
    return _finish(_document())


def _finish(doc: dict) -> dict:
    """Rules of the whole document, applied once rather than at each schema:
    - a JSON body takes null for any property it does not require: from_json reads it as
      leaving the field out (caseflow/forms/base.py), so the document says so;
    - a nullable enum lists null among its values (OpenAPI 3.0 checks the enum too);
    - a nullable oneOf lets null match its first branch only (else null matches none,
      or every branch);
    - every operation behind a login may answer 403 `password_change_required` while the
      user's password is a one-time password an administrator gave (views/auth.py)."""
    for path in doc["paths"].values():
        for operation in path.values():
            responses = operation.get("responses", {}) if isinstance(operation, dict) else {}
            if "401" in responses and "403" not in responses:
                responses["403"] = PASSWORD_CHANGE_REQUIRED
    schemas = doc["components"]["schemas"]
    for name in _request_schemas(doc):
        schema = schemas[name]
        required = set(schema.get("required", []))
        for prop, sub in schema.get("properties", {}).items():
            if prop not in required:
                schema["properties"][prop] = _null_allowed(sub)
    _walk(doc)
    return doc


def _null_allowed(schema: dict) -> dict:
    if "$ref" in schema:  # a reference takes no siblings: null is a branch of its own
        return {"oneOf": [schema, {"nullable": True, "enum": [None]}]}
    return {**schema, "nullable": True}


def _request_schemas(doc: dict) -> set[str]:
    """The component schemas a request body can contain, following references."""
    found: set[str] = set()
    stack = [
        operation["requestBody"]
        for path in doc["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "requestBody" in operation
    ]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in found:
                    found.add(name)
                    stack.append(doc["components"]["schemas"][name])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _walk(node) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("nullable") and isinstance(node.get("enum"), list) and None not in node["enum"]:
        node["enum"] = [*node["enum"], None]
    if node.get("nullable") and "oneOf" in node:
        del node["nullable"]
        node["oneOf"] = [{**node["oneOf"][0], "nullable": True}, *node["oneOf"][1:]]
    for value in list(node.values()):
        _walk(value)


def _document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "caseflow JSON API",
            "version": "1",
            "description": "Cases of mandatory reporting of harm to children (mandatory_report), "
            "police domestic-violence calls and warning letters (dv_warning) and personal "
            "safety protection orders (protection_order), referrals to legal aid (legal_aid); "
            "hotline calls. Errors are "
            '{"error": {"code", "message", "fields"}}. Out-of-scope cases do not exist (404).',
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": openapi_persons.with_person_links(schemas(), CREATE_SCHEMAS.values())
            | openapi_auth.SCHEMAS
            | openapi_hotline.SCHEMAS
            | openapi_review.SCHEMAS
            | openapi_notifications.SCHEMAS
            | openapi_indicators.SCHEMAS
            | openapi_calendar.SCHEMAS
            | openapi_access_log.SCHEMAS
            | openapi_attachments.SCHEMAS
            | openapi_persons.SCHEMAS
            | openapi_admin.SCHEMAS,
        },
        "paths": paths()
        | openapi_auth.PATHS
        | openapi_hotline.PATHS
        | openapi_review.PATHS
        | openapi_notifications.PATHS
        | openapi_indicators.PATHS
        | openapi_calendar.PATHS
        | openapi_access_log.PATHS
        | openapi_attachments.PATHS
        | openapi_persons.PATHS
        | openapi_admin.PATHS,
    }
