"""JSON API v1 for hotline systems (shared/design/api.md; workflows.md §5).

POST /api/v1/hotline/calls logs a call once per `client_token` (a retried request answers
200 with the call it saved the first time) and, with `"open_case": {"type", ...}`, opens a
case from it through that type's creation form and attaches the call, in one transaction:
if anything is refused, nothing is saved. GET /api/v1/hotline/calls/matches finds earlier
calls of the team and cases in scope for a phone or an ID number; cases outside the
scope are only counted. The routes are attached to the blueprint of caseflow/views/api.py.
"""

import re

from flask import g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import presenters, timeutil
from ..extensions import db
from ..forms import CREATE_FORMS, BadShape, HotlineCallForm, UnknownFields, flat_errors, from_json
from ..forms.base import id_number_ok, normalise_id_number, normalise_phone, storable
from ..models import HotlineCall
from ..services import cases as case_service
from ..services import hotline as hotline_service
from ..services.access_log import log_access, log_reads
from ..services.errors import GUARD_MESSAGES, Forbidden, ValidationFailed
from ..workflows import WORKFLOWS
from .api import bp, commit, json_body, token_required

MATCH_PARAMS = frozenset({"phone", "id_number"})
PHONE_PATTERN = r"1[3-9]\d{9}|0\d{9,11}|\d{3,8}"


def call_json(call: HotlineCall) -> dict:
    """A call as its team sees it (only the team that took a call ever gets it)."""
    iso = presenters.iso
    return {
        "id": call.id,
        "number": call.number,
        "client_token": call.client_token,
        "line": call.line,
        "received_at": iso(call.received_at),
        "duration_minutes": call.duration_minutes,
        "anonymous": call.anonymous,
        "caller": {
            "name": call.caller_name,
            "phone": call.caller_phone,
            "id_number": call.caller_id_number,
            "relation": call.caller_relation,
        },
        "subject": {
            "name": call.subject_name,
            "sex": call.subject_sex,
            "phone": call.subject_phone,
            "id_number": call.subject_id_number,
        },
        "jurisdiction": call.jurisdiction.code if call.jurisdiction else None,
        "category": call.category,
        "urgency": call.urgency,
        "summary": call.summary,
        "action_taken": call.action_taken,
        "action_note": call.action_note,
        "danger": call.danger,
        "transferred_110_at": iso(call.transferred_110_at),
        "callback": {
            "needed": call.callback_needed,
            "due": iso(call.callback_due),
            "done_at": iso(call.callback_done_at),
            "note": call.callback_note,
            "overdue": hotline_service.overdue(call),
        },
        "case": {"id": call.case.id, "number": call.case.number} if call.case else None,
        "agent": call.agent.username,
        "created_at": iso(call.created_at),
    }


def _caller_may_log(user) -> None:
    if not hotline_service.may_log_calls(user):
        raise Forbidden(_("Your role may not log hotline calls."))


def _prefixed(fields: dict, prefix: str) -> dict:
    return {f"{prefix}{name}": messages for name, messages in fields.items()}


def _existing(user, token) -> HotlineCall | None:
    """The call saved earlier with this token by this user (a retried request)."""
    if not isinstance(token, str) or not token.strip() or len(token) > 64:
        return None
    if not storable(token):
        return None
    call = db.session.scalar(select(HotlineCall).where(HotlineCall.client_token == token.strip()))
    if call is not None and call.agent_id != user.id:
        raise ValidationFailed(fields={"client_token": [_("This form was already used.")]})
    return call


def _case_form(user, body: dict, open_case):
    """The creation form of the case to open, built and checked; (type, form, errors)."""
    if not isinstance(open_case, dict):
        return None, None, {"open_case": [_("Must be an object.")]}
    open_case = dict(open_case)
    case_type = open_case.pop("type", None)
    if case_type is None:
        return None, None, {"open_case.type": [_("This field is required.")]}
    if not isinstance(case_type, str) or case_type not in CREATE_FORMS:
        return None, None, {"open_case.type": [_("Unknown case type.")]}
    workflow = WORKFLOWS[case_type]
    if user.role not in workflow.step(workflow.initial_trigger).roles:
        raise Forbidden(GUARD_MESSAGES["role"])
    form_class = CREATE_FORMS[case_type]
    # What the call already says, unless the case says otherwise.
    fields = {name for name in dir(form_class) if not name.startswith("_")}
    defaults = {"jurisdiction": body.get("jurisdiction"), "description": body.get("summary")}
    if case_type == "dv_warning":
        defaults["call_at"] = body.get("received_at") or presenters.iso(timeutil.now())
    for name, value in defaults.items():
        if name in fields and value is not None and name not in open_case:
            open_case[name] = value
    try:
        form = from_json(form_class, open_case).setup(user)
    except (UnknownFields, BadShape) as exc:
        return case_type, None, _prefixed(exc.fields, "open_case.")
    if not form.validate():
        return case_type, form, _prefixed(flat_errors(form), "open_case.")
    return case_type, form, {}


@bp.post("/hotline/calls")
@token_required
def log_hotline_call():
    user = g.api_user
    body = json_body()
    _caller_may_log(user)
    existing = _existing(user, body.get("client_token"))
    if existing is not None:  # a retry: the call (and any case it opened) exists already
        return jsonify(call_json(existing) | {"created": False}), 200
    open_case = body.pop("open_case", None)
    errors = {}
    try:
        form = from_json(HotlineCallForm, body).setup(user)
        if not form.validate():
            errors.update(flat_errors(form))
    except (UnknownFields, BadShape) as exc:
        form = None
        errors.update(exc.fields)
    case_type = case_form = None
    if open_case is not None:
        case_type, case_form, case_errors = _case_form(user, body, open_case)
        errors.update(case_errors)
    if errors:
        raise ValidationFailed(fields=errors)
    call, created = hotline_service.log_call(user, form.to_data())
    if not created:  # sent at the same moment as the first: that one saved the call
        commit()
        return jsonify(call_json(call) | {"created": False}), 200
    case = None
    if case_form is not None:
        case = case_service.create_case(user, case_type, case_form.to_data())
        hotline_service.attach(call, case, user)
        if call.action_taken == "advice":
            call.action_taken = "case_created"
        log_access(user, case, "api_detail", what="create")
    try:
        commit()
    except IntegrityError:  # the same request twice at the same moment: the other one won
        db.session.rollback()
        call = _existing(user, body.get("client_token"))
        if call is None:
            raise
        return jsonify(call_json(call) | {"created": False}), 200
    data = call_json(call) | {"created": True}
    if case is not None:
        data["case"] = presenters.case_summary(user, case)
    return jsonify(data), 201


def _match_param(args, name: str, normalise, valid, errors: dict) -> str | None:
    raw = args.get(name, "")
    if not raw.strip():
        return None
    if len(raw) > 40 or not storable(raw):
        errors[name] = [_("Not a valid value.")]
        return None
    value = normalise(raw)
    if not valid(value):
        errors[name] = [
            _("Not a valid phone number.")
            if name == "phone"
            else _("This ID number is not valid (GB 11643: 18 characters, check digit).")
        ]
        return None
    return value


@bp.get("/hotline/calls/matches")
@token_required
def hotline_matches():
    user = g.api_user
    _caller_may_log(user)
    args = request.args
    errors = {name: [_("Unknown parameter.")] for name in args if name not in MATCH_PARAMS}
    phone = _match_param(
        args,
        "phone",
        normalise_phone,
        lambda v: bool(re.fullmatch(PHONE_PATTERN, v, re.ASCII)),
        errors,
    )
    id_number = _match_param(args, "id_number", normalise_id_number, id_number_ok, errors)
    if not errors and not (phone or id_number):
        errors["phone"] = [_("Give a phone number or an ID number.")]
    if errors:
        raise ValidationFailed(fields=errors)
    found = hotline_service.matches(user, phone, id_number)
    log_reads(user, found.cases, "hotline_preview", what="matches")
    db.session.commit()
    return jsonify(
        {
            "calls": [call_json(c) for c in found.calls],
            "cases": [presenters.case_summary(user, c) for c in found.cases],
        }
    )
