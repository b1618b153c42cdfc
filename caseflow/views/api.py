"""JSON API v1 (shared/design/api.md).

Every view: authenticate the bearer token, parse the body, find the case in the user's
scope, check what the client sent in the order a client can act on (version, permission,
state, then the fields), call one service, commit once. Any refusal rolls back and is
answered as {"error": {"code", "message", "fields"}}; nothing a client sends gives a 500.
"""

import json
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from wtforms import FormField
from wtforms.validators import NumberRange, ValidationError

from .. import policy, presenters
from ..extensions import db
from ..forms import (
    ACTION_FORMS,
    CREATE_FORMS,
    BadShape,
    ReferralAnswerForm,
    ReferralForm,
    TokenForm,
    UnknownFields,
    VisitForm,
    flat_errors,
    from_json,
)
from ..models import ApiToken, Organisation, Referral
from ..services import cases as case_service
from ..services import persons as person_service
from ..services import queries
from ..services import referrals as referral_service
from ..services import visits as visit_service
from ..services.access_log import log_access, log_reads
from ..services.errors import (
    GUARD_MESSAGES,
    Forbidden,
    InvalidTransitionError,
    NotFound,
    ServiceError,
    ValidationFailed,
    VersionConflict,
)
from ..workflows import ALL_STATES, WORKFLOWS
from .names import identities_warning
from .params import Params

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Ids are 32-bit integers in the database; larger ones cannot exist (and would overflow
# SQLite's integer binding), so they are simply not found.
MAX_ID = 2**31 - 1
MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000


def error_response(status: int, code: str, message, fields: dict | None = None):
    body = {"error": {"code": code, "message": str(message), "fields": _str_fields(fields)}}
    return jsonify(body), status


def _str_fields(fields: dict | None) -> dict:
    """Field messages may be lazy strings: render them in the request's language."""
    return {str(k): [str(m) for m in v] for k, v in (fields or {}).items()}


class ApiError(ServiceError):
    """A refusal decided by the API layer itself (malformed body, bad query, …)."""

    def __init__(self, status: int, code: str, message, fields: dict | None = None):
        super().__init__(message, fields)
        self.status, self.code = status, code


class UnknownAction(NotFound):
    code = "unknown_trigger"


# --- errors -------------------------------------------------------------------------


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError):
    db.session.rollback()
    return error_response(exc.status, exc.code, exc.message, exc.fields)


@bp.errorhandler(UnknownFields)
@bp.errorhandler(BadShape)
def _form_shape_error(exc):
    db.session.rollback()
    return error_response(
        422, "validation_failed", _("Some fields are missing or invalid."), exc.fields
    )


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    from . import _http_code, _http_message

    db.session.rollback()
    return error_response(exc.code or 500, _http_code(exc.code), _http_message(exc))


# --- request helpers ----------------------------------------------------------------


MAX_DEPTH = 20  # bodies nest two or three levels; deeper is not a request we understand


def _too_deep(payload) -> bool:
    """Bodies nest two or three levels; deeper is not a request we understand.
    Walked without recursion."""
    stack = [(payload, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return False


def json_body() -> dict:
    """The request body as a JSON object: 400 if it is not one, 413 if too large."""
    raw = request.get_data(cache=True)  # raises 413 above MAX_CONTENT_LENGTH
    try:
        data = json.loads(raw) if raw.strip() else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", _("The request body must be a JSON object."))
    if _too_deep(data):
        raise ApiError(400, "bad_request", _("The request body is nested too deeply."))
    return data


def token_required(view):
    """Authenticate `Authorization: Bearer <token>` for this request only (no session).
    A user on a one-time password may only change it (or drop the token): 403 otherwise."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
        raw = raw.strip()
        token = None
        if scheme.lower() == "bearer" and raw and len(raw) <= 256:
            token = ApiToken.find(raw)
        if token is None:
            db.session.rollback()
            body, status = error_response(
                401, "unauthorized", _("A valid bearer token is required. Please log in.")
            )
            body.headers["WWW-Authenticate"] = 'Bearer realm="caseflow"'
            return body, status
        if token.user.must_change_password and not getattr(view, "open_during_change", False):
            db.session.rollback()
            return error_response(
                403,
                "password_change_required",
                _(
                    "Your password was reset: change it first "
                    "(POST /api/v1/auth/password or the change-password page)."
                ),
            )
        g.api_user, g.api_token = token.user, token
        return view(*args, **kwargs)

    return wrapped


def open_during_change(view):
    """Mark a view a user on a one-time password may still use (put below token_required)."""
    view.open_during_change = True
    return view


def commit() -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise VersionConflict() from None


def validated(form):
    """The form if valid, else 422 with every field's errors."""
    ok = form.validate()
    errors = flat_errors(form) if not ok else {}
    for name, message in _out_of_range(form):
        errors.setdefault(name, [message])
    if errors:
        raise ValidationFailed(fields=errors)
    return form


_ID_RANGE = NumberRange(min=-MAX_ID, max=MAX_ID)


def _out_of_range(form, prefix: str = ""):
    """Whole numbers the database cannot hold (its integers are 32-bit): such a number
    names no case or organisation, and comparing a column with it can fail in the driver
    (SQLite refuses integers over 64 bits). Yields (dotted field name, message)."""
    for name, field in form._fields.items():
        if isinstance(field, FormField):
            yield from _out_of_range(field.form, f"{prefix}{name}.")
        elif isinstance(field.data, int) and not isinstance(field.data, bool):
            try:
                _ID_RANGE(form, field)
            except ValidationError as exc:
                yield prefix + name, str(exc)


def _case(user, case_id: int):
    """The case if it exists and is in the user's scope: one 404 for unknown and hidden."""
    case = policy.visible_case(user, case_id) if case_id <= MAX_ID else None
    if case is None:
        raise NotFound()
    return case


def _check_version(case, body: dict) -> int:
    """422 if `version` is missing or not a JSON whole number, 409 if it is stale."""
    value = body.get("version")
    if value is None:
        raise ValidationFailed(fields={"version": [_("This field is required.")]})
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(fields={"version": [_("Must be a whole number (a JSON number).")]})
    if value != case.version:
        raise VersionConflict()
    return value


def _rename(fields: dict, old: str, new: str) -> dict:
    return {(new if k == old else k): v for k, v in fields.items()}


# --- auth ---------------------------------------------------------------------------


@bp.post("/auth/token")
def issue_token():
    """Exchange a username and password for a bearer token. Failures are counted per
    account name and per client address (security/throttle.py); past the limits the
    answer is 429 with Retry-After, the same for names that exist and names that do not."""
    from ..security import login as checks

    form = validated(from_json(TokenForm, json_body()))
    outcome = checks.attempt(form.username.data, form.password.data, "api")
    if outcome.throttled:
        body, status = error_response(429, "throttled", checks.throttled_message(outcome.verdict))
        body.headers["Retry-After"] = str(outcome.verdict.retry_after)
        return body, status
    if outcome.user is None:
        return error_response(401, "unauthorized", _("Wrong username or password."))
    user = outcome.user
    token, raw = ApiToken.issue(user, current_app.config["API_TOKEN_HOURS"])
    expires_at = token.expires_at
    commit()
    return jsonify({"token": raw, "expires_at": presenters.iso(expires_at)})


@bp.get("/me")
@token_required
def me():
    user = g.api_user
    org = user.organisation
    place = org.jurisdiction
    return jsonify(
        {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "roles": [user.role],
            "organisation": {"id": org.id, "name": org.name, "type": org.type},
            "jurisdiction": {"code": place.code, "name": place.name, "level": place.level},
        }
    )


# --- cases --------------------------------------------------------------------------


@bp.post("/cases")
@token_required
def create_case():
    user = g.api_user
    body = json_body()
    case_type = body.pop("type", None)
    if case_type is None:
        raise ValidationFailed(fields={"type": [_("This field is required.")]})
    if not isinstance(case_type, str) or case_type not in CREATE_FORMS:
        raise ValidationFailed(fields={"type": [_("Unknown case type.")]})
    workflow = WORKFLOWS[case_type]
    if user.role not in workflow.step(workflow.initial_trigger).roles:
        raise Forbidden(GUARD_MESSAGES["role"])
    links = person_service.links_requested(body.pop("person_links", None))
    form = validated(from_json(CREATE_FORMS[case_type], body).setup(user))
    case = case_service.create_case(user, case_type, form.to_data())
    person_service.link_on_creation(user, case, links)  # the persons the caller chose
    log_access(user, case, "api_detail", what="create")
    commit()
    response = jsonify(_with_warnings(presenters.case_detail(user, case), case, form.data))
    response.headers["Location"] = url_for(".get_case", case_id=case.id)
    return response, 201


LIST_PARAMS = frozenset(
    {
        "type",
        "state",
        "jurisdiction",
        "overdue",
        "urgent",
        "q",
        "created_from",
        "created_to",
        "page",
        "per_page",
        "cursor",
    }
)


def _list_filters(args) -> tuple[queries.CaseFilters, int, int]:
    params = Params(args)
    for name in args:
        if name not in LIST_PARAMS:
            params.refuse(name, _("Unknown parameter."))
    filters = queries.CaseFilters(
        type=params.choice("type", WORKFLOWS, _("Unknown case type.")),
        state=params.choice("state", ALL_STATES, _("Unknown state.")),
        jurisdiction=params.text("jurisdiction", 32),
        overdue=params.flag("overdue") or False,
        urgent=params.flag("urgent"),
        q=params.text("q", 100),
        created_from=params.when("created_from"),
        created_to=params.when("created_to", end=True),
    )
    page = params.number("page", 1, MAX_PAGE)
    per_page = params.number("per_page", current_app.config.get("PER_PAGE", 25), MAX_PER_PAGE)
    if params.errors:
        raise ValidationFailed(fields=params.errors)
    return filters, page, per_page


@bp.get("/cases")
@token_required
def list_cases():
    user = g.api_user
    filters, page, per_page = _list_filters(request.args)
    result = queries.case_list(
        user, filters, page, per_page, cursor=request.args.get("cursor", "")[:120]
    )
    items = result.items
    # Persons in one statement, who may see whose identities in another (set-based).
    visible = presenters.identity_visible(user, items)
    log_reads(user, items, "search" if filters.q else "api_list", visible=visible)
    # Built before the commit, which would expire (and reload) every case of the page.
    answer = {
        "items": presenters.case_summaries(user, items, visible),
        "page": page,
        "per_page": per_page,
        "total": result.total,
        "total_estimated": result.estimated,
        "cursor": result.cursor,
        "more": result.more,
    }
    commit()
    return jsonify(answer)


@bp.get("/cases/<int:case_id>")
@token_required
def get_case(case_id):
    user = g.api_user
    case = _case(user, case_id)
    log_access(user, case, "api_detail")
    commit()
    return jsonify(presenters.case_detail(user, case))


@bp.post("/cases/<int:case_id>/actions/<trigger>")
@token_required
def fire_action(case_id, trigger):
    user = g.api_user
    body = json_body()
    case = _case(user, case_id)
    workflow = case.workflow
    if trigger not in workflow.triggers:
        raise UnknownAction(_("Unknown action."))
    if trigger == workflow.initial_trigger:  # fired by creating the case
        raise InvalidTransitionError()
    version = _check_version(case, body)
    form_class = ACTION_FORMS.get((case.type, trigger))
    typed: dict = {}

    def fields() -> dict:
        if form_class is None:  # no form: not a step a user takes through the API
            raise Forbidden(GUARD_MESSAGES["role"])
        form = validated(from_json(form_class, body).setup(user, case))
        typed.update(form.data)
        return form.to_data()

    # Version, state, role and guards, then the fields: in that order, in the service.
    case_service.fire(user, case, trigger, fields, version)
    log_access(user, case, "api_detail", what=f"action:{trigger}")
    commit()
    return jsonify(_with_warnings(presenters.case_detail(user, case), case, typed))


def _with_warnings(data: dict, case, typed) -> dict:
    """The answer to a change, with the warning when the free text names a person."""
    message = identities_warning(case, typed)
    data["warnings"] = [{"code": "identity_in_text", "message": message}] if message else []
    return data


# --- referrals ----------------------------------------------------------------------


@bp.post("/cases/<int:case_id>/referrals")
@token_required
def add_referrals(case_id):
    """Refer an open case. `to_org` (one id) answers with the referral; `to_orgs` (a list)
    answers with {"items": [...]}. Both carry the case's new `case_version`."""
    user = g.api_user
    body = json_body()
    case = _case(user, case_id)
    single = "to_org" in body
    if single:
        if "to_orgs" in body:
            raise ValidationFailed(fields={"to_org": [_("Send to_org or to_orgs, not both.")]})
        target = body.pop("to_org")
        body["to_orgs"] = [] if target is None else [target]
    version = _check_version(case, body)
    try:
        referral_service.check_add(case, user, version)
        form = validated(from_json(ReferralForm, body).setup(user, case))
        orgs = [db.session.get(Organisation, i) for i in form.to_orgs.data]
        sent = referral_service.add(case, user, orgs, form.reason.data, form.due_at.data, version)
    except (ServiceError, UnknownFields, BadShape) as exc:
        if single:
            exc.fields = _rename(exc.fields, "to_orgs", "to_org")
        raise
    commit()
    if single:
        data = presenters.referral(presenters.shown_referral(user, sent[0])) | {
            "case_version": case.version
        }
        response = jsonify(data)
    else:
        response = jsonify(
            {
                "items": [presenters.referral(presenters.shown_referral(user, r)) for r in sent],
                "case_version": case.version,
            }
        )
    return response, 201


def _referral(user, referral_id: int) -> Referral:
    """The referral if the user's unit sent or received it, or its case is in scope."""
    referral = db.session.get(Referral, referral_id) if referral_id <= MAX_ID else None
    if referral is None or not (
        user.organisation_id in (referral.to_org_id, referral.from_org_id)
        or policy.visible_case(user, referral.case_id) is not None
    ):
        raise NotFound()
    return referral


@bp.post("/referrals/<int:referral_id>/actions/<action>")
@token_required
def answer_referral(referral_id, action):
    """accept / decline (reason) / complete (outcome) by the receiving unit; withdraw
    (reason) by the sending unit. An optional `version` is checked against the case."""
    user = g.api_user
    body = json_body()
    referral = _referral(user, referral_id)
    if action not in referral_service.ANSWERS:
        raise UnknownAction(_("Unknown action."))
    if "version" in body:
        _check_version(referral.case, body)
        body.pop("version")
    referral_service.check_answer(referral, user, action)
    form = validated(from_json(ReferralAnswerForm, body))
    used, unused = ("outcome", "reason") if action == "complete" else ("reason", "outcome")
    if form[unused].data:
        raise ValidationFailed(fields={unused: [_("Not used for this action.")]})
    referral_service.answer(referral, user, action, form[used].data or "")
    # The answer carries the sender's reason: a read of the case when written for the team.
    log_reads(user, [referral.case], "api_detail", what=f"referral:{action}")
    commit()
    shown = presenters.shown_referral(user, referral)
    return jsonify(presenters.referral(shown) | {"case_version": referral.case.version})


# --- visits -------------------------------------------------------------------------


@bp.post("/cases/<int:case_id>/visits")
@token_required
def record_visit(case_id):
    user = g.api_user
    body = json_body()
    case = _case(user, case_id)
    version = _check_version(case, body)
    visit_service.check_record(case, user, version)
    form = validated(from_json(VisitForm, body).setup(user, case))
    visit = visit_service.record(
        case,
        user,
        form.done_at.data,
        form.method.data,
        form.outcome.data,
        form.notes.data or "",
        form.next_due.data,
        version,
    )
    commit()
    shown = presenters.shown(user, case)
    data = presenters.visit(next(v for v in shown.visits if v.id == visit.id))
    return jsonify(data | {"case_version": case.version}), 201


# --- the contract -------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi():
    from ..openapi import spec

    return jsonify(spec())
