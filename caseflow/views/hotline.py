"""Hotline pages (workflows.md §5): the call form an agent fills while on the phone, the
earlier calls and cases of the same person beside it, the call page (open a case from the
call, attach it to a case, mark the callback done), the callbacks due and the team's calls.

Only roles that may log calls (services.hotline.may_log_calls) get here; a call is seen by
the team (organisation) that took it, and by nobody else (404).
"""

import re
import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import policy, timeutil
from ..extensions import db
from ..forms import CallbackDoneForm, HotlineCallForm
from ..forms.base import id_number_ok, normalise_id_number, normalise_phone, storable
from ..models import Case, HotlineCall
from ..services import hotline as hotline_service
from ..services.access_log import log_reads
from ..services.errors import ServiceError
from ..vocab import CALL_CATEGORIES
from ..workflows import WORKFLOWS
from .params import MAX_PAGE, Params

bp = Blueprint("hotline", __name__, url_prefix="/hotline")

PHONE_RE = re.compile(r"1[3-9]\d{9}|0\d{9,11}|\d{3,8}", re.ASCII)
MAX_QUERY = 40  # a phone or an ID number typed with spaces and a +86 prefix fits


@bp.before_request
@login_required
def _only_call_roles():
    if not hotline_service.may_log_calls(current_user):
        abort(403)


def _call_or_404(call_id: int) -> HotlineCall:
    call = hotline_service.visible_call(current_user, call_id) if call_id <= 2**31 - 1 else None
    if call is None:
        abort(404)
    return call


def _new_form():
    return HotlineCallForm().setup(current_user)


def _fresh_form():
    """The form as shown to start a call: a new token, received now, line 12338."""
    form = HotlineCallForm(formdata=None).setup(current_user)
    form.client_token.data = secrets.token_urlsafe(24)
    form.received_at.data = timeutil.to_local(timeutil.now()).replace(second=0, microsecond=0)
    return form


def _service_errors_to_form(form, exc: ServiceError) -> None:
    """A refusal from the service shown on its field (or as a message if it has none)."""
    shown = False
    for name, messages in exc.fields.items():
        if name in form._fields:
            form[name].errors = [*form[name].errors, *messages]
            shown = True
    if not shown:
        flash(str(exc.message), "danger")


# --- matching ----------------------------------------------------------------------------


def clean_phone(raw) -> str | None:
    """A phone as the form stores it, or None if it is not (yet) a whole phone number."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_QUERY:
        return None
    value = normalise_phone(raw)
    return value if len(value) >= 7 and PHONE_RE.fullmatch(value) else None


def clean_id_number(raw) -> str | None:
    """An ID number as the form stores it, or None if it is not a complete valid one."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_QUERY:
        return None
    value = normalise_id_number(raw)
    return value if id_number_ok(value) else None


def match_groups(pairs, exclude_id: int | None = None) -> list[dict]:
    """For each (title, phone, id_number) with something to look for: the earlier calls of
    the team and the cases in scope (subject masked per policy); nothing about any other
    record. Each case whose subject is shown unmasked is a read (access log)."""
    groups = []
    for title, phone, id_number in pairs:
        if not (phone or id_number):
            continue
        found = hotline_service.matches(current_user, phone, id_number)
        log_reads(current_user, found.cases, "hotline_preview", what="matches")
        cases = []
        for case in found.cases:
            view = policy.person_view(current_user, case, case.subject) if case.subject else None
            cases.append({"case": case, "subject": view})
        groups.append(
            {
                "title": title,
                "phone": phone,
                "id_number": id_number,
                "calls": [c for c in found.calls if c.id != exclude_id],
                "cases": cases,
            }
        )
    db.session.commit()  # the reads logged above (a read-only answer: nothing else pending)
    return groups


def _form_match_groups(form) -> list[dict]:
    return match_groups(
        [
            (
                _("The caller"),
                clean_phone(form.caller_phone.data),
                clean_id_number(form.caller_id_number.data),
            ),
            (
                pgettext("hotline", "The person concerned"),
                clean_phone(form.subject_phone.data),
                clean_id_number(form.subject_id_number.data),
            ),
        ]
    )


@bp.get("/matches")
def call_matches():
    """Earlier calls and cases of the same person, for the panel beside the call form:
    an HTML fragment (or JSON with ?format=json). Partial numbers match nothing."""
    args = request.args
    groups = match_groups(
        [
            (
                _("The caller"),
                clean_phone(args.get("phone")),
                clean_id_number(args.get("id_number")),
            ),
            (
                pgettext("hotline", "The person concerned"),
                clean_phone(args.get("subject_phone")),
                clean_id_number(args.get("subject_id_number")),
            ),
        ]
    )
    if args.get("format") == "json":
        return jsonify(
            [
                {
                    "title": str(group["title"]),
                    "calls": [
                        {
                            "id": c.id,
                            "number": c.number,
                            "received_at": timeutil.to_local(c.received_at).isoformat(),
                            "category": c.category,
                            "summary": c.summary[:60],
                        }
                        for c in group["calls"]
                    ],
                    "cases": [
                        {
                            "id": item["case"].id,
                            "number": item["case"].number,
                            "type": item["case"].type,
                            "state": item["case"].state,
                            "subject_name": item["subject"]["name"] if item["subject"] else None,
                        }
                        for item in group["cases"]
                    ],
                }
                for group in groups
            ]
        )
    return render_template("hotline/_matches.html", groups=groups, searched=True)


# --- the call form -----------------------------------------------------------------------


@bp.route("/calls/new", methods=["GET", "POST"])
def new_call():
    if request.method == "GET":
        form = _fresh_form()
        return render_template("hotline/new.html", form=form, groups=[])
    form = _new_form()
    token = form.client_token.data
    if token and storable(token):
        # A second click on the same form: the first click saved the call.
        existing = db.session.scalar(
            select(HotlineCall).where(
                HotlineCall.client_token == token[:64],
                HotlineCall.agent_id == current_user.id,
            )
        )
        if existing is not None:
            flash(_("Call %(number)s was already saved.", number=existing.number), "info")
            return redirect(url_for("hotline.call_detail", call_id=existing.id))
    if form.validate():
        try:
            call, created = hotline_service.log_call(current_user, form.to_data())
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            _service_errors_to_form(form, exc)
        except IntegrityError:  # the same form sent twice at the same moment
            db.session.rollback()
            call = db.session.scalar(select(HotlineCall).where(HotlineCall.client_token == token))
            if call is None or call.agent_id != current_user.id:
                raise
            flash(_("Call %(number)s was already saved.", number=call.number), "info")
            return redirect(url_for("hotline.call_detail", call_id=call.id))
        else:
            if created:
                flash(_("Call %(number)s saved.", number=call.number), "success")
            else:
                flash(_("Call %(number)s was already saved.", number=call.number), "info")
            return redirect(url_for("hotline.call_detail", call_id=call.id))
    return render_template("hotline/new.html", form=form, groups=_form_match_groups(form)), 422


# --- the call page -----------------------------------------------------------------------

# The creation pages that exist (views/cases.py NEW_TEMPLATES); a type without a page is
# opened through the API only.


def case_types_for(user) -> list[str]:
    """The case types this user may open, in the order of the workflows."""
    from .cases import NEW_TEMPLATES

    return [
        name
        for name, workflow in WORKFLOWS.items()
        if name in NEW_TEMPLATES and user.role in workflow.step(workflow.initial_trigger).roles
    ]


def _callback_form(call):
    form = CallbackDoneForm(formdata=None, prefix=f"cb{call.id}")
    return form


def _render_call(call, attach_number="", attach_case=None, callback_form=None, status=200):
    if attach_case is not None:
        # The case a call is about to join, with its subject: a read of that case.
        log_reads(current_user, [attach_case], "hotline_preview", what="attach")
    return render_template(
        "hotline/detail.html",
        call=call,
        case_types=case_types_for(current_user) if call.case_id is None else [],
        workflows=WORKFLOWS,
        linked_case=policy.visible_case(current_user, call.case_id) if call.case_id else None,
        attach_number=attach_number,
        attach_case=attach_case,
        attach_subject=(
            policy.person_view(current_user, attach_case, attach_case.subject)
            if attach_case is not None and attach_case.subject
            else None
        ),
        callback_form=callback_form or _callback_form(call),
        overdue=hotline_service.overdue(call),
        groups=match_groups(
            [
                (_("The caller"), call.caller_phone, call.caller_id_number),
                (
                    pgettext("hotline", "The person concerned"),
                    call.subject_phone,
                    call.subject_id_number,
                ),
            ],
            exclude_id=call.id,
        ),
    ), status


@bp.get("/calls/<int:call_id>")
def call_detail(call_id):
    return _render_call(_call_or_404(call_id))


def _visible_case_by_number(number: str):
    number = (number or "").strip()[:32]
    if not number:
        return None
    return db.session.scalar(select(Case).where(Case.number == number, policy.scope(current_user)))


@bp.post("/calls/<int:call_id>/attach")
def attach_call(call_id):
    """Two steps: the agent types a case number and sees the case; confirming attaches the
    call to the case as it was shown (version-checked)."""
    call = _call_or_404(call_id)
    number = request.form.get("case_number", "")
    case = _visible_case_by_number(number)
    if case is None:
        flash(_("No case with this number in your scope."), "danger")
        return _render_call(call, attach_number=number[:32], status=404)
    version = request.form.get("version", "")
    if not version.isdigit():
        return _render_call(call, attach_number=case.number, attach_case=case)
    try:
        hotline_service.attach(call, case, current_user, int(version))
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        for messages in exc.fields.values():
            for message in messages:
                flash(str(message), "danger")
        call = _call_or_404(call_id)
        return _render_call(call, attach_number=case.number, status=exc.status)
    flash(
        _("Call %(call)s attached to case %(case)s.", call=call.number, case=case.number),
        "success",
    )
    return redirect(url_for("hotline.call_detail", call_id=call.id))


@bp.post("/calls/<int:call_id>/callback")
def callback_done(call_id):
    call = _call_or_404(call_id)
    form = CallbackDoneForm(prefix=f"cb{call.id}")
    back = request.args.get("next")
    try:
        # Still open (409) and this team (403) in the service, before the note (422).
        hotline_service.check_callback(call, current_user)
        if not form.validate():
            db.session.rollback()
            if back == "callbacks":
                flash(_("Say what was said on the callback."), "danger")
                return redirect(url_for("hotline.callback_list"))
            return _render_call(call, callback_form=form, status=422)
        hotline_service.mark_callback_done(call, current_user, form.note.data)
        db.session.commit()
        flash(_("Callback on %(number)s done.", number=call.number), "success")
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        for messages in exc.fields.values():
            for message in messages:
                flash(str(message), "danger")
    if back == "callbacks":
        return redirect(url_for("hotline.callback_list"))
    return redirect(url_for("hotline.call_detail", call_id=call.id))


# --- lists -------------------------------------------------------------------------------


@bp.get("/callbacks")
def callback_list():
    team = hotline_service.callbacks(current_user)
    at = timeutil.now()
    return render_template(
        "hotline/callbacks.html",
        mine=[c for c in team if c.agent_id == current_user.id],
        team=team,
        is_overdue=lambda c: hotline_service.overdue(c, at),
        forms={c.id: _callback_form(c) for c in team},
    )


@bp.get("/calls")
def call_list():
    args = request.args
    params = Params(args)
    query = select(HotlineCall).where(hotline_service.team_calls(current_user))
    category = params.choice("category", CALL_CATEGORIES, _("Not a valid value.")) or ""
    if category:
        query = query.where(HotlineCall.category == category)
    start, end = params.when("from"), params.when("to", end=True)
    if start:
        query = query.where(HotlineCall.received_at >= start)
    if end:
        query = query.where(HotlineCall.received_at < end)
    if args.get("open_callback") == "1":
        query = query.where(HotlineCall.callback_needed, HotlineCall.callback_done_at.is_(None))
    per_page = current_app.config["PER_PAGE"]
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // per_page))
    page = min(params.number("page", 1, MAX_PAGE), pages)
    params.flash_errors()  # the list is shown without the refused filters
    items = db.session.scalars(
        query.order_by(HotlineCall.received_at.desc(), HotlineCall.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return render_template(
        "hotline/list.html",
        items=items,
        total=total,
        page=page,
        pages=pages,
        category=category,
        date_from=args.get("from", "")[:10] if start else "",
        date_to=args.get("to", "")[:10] if end else "",
        page_args={k: v for k, v in args.items() if k != "page"},
        now_at=timeutil.now(),
        CALL_CATEGORIES=CALL_CATEGORIES,
    )


# --- opening a case from a call (used by views/cases.new_case) ----------------------------


def call_for_new_case():
    """The call named by ?from_call= on a case creation page: the team's call (404
    otherwise), not yet on a case (back to the call page otherwise)."""
    raw = request.args.get("from_call")
    if raw is None:
        return None
    if not hotline_service.may_log_calls(current_user) or not raw.isdigit():
        abort(404)
    call = _call_or_404(int(raw))
    if call.case_id is not None:
        flash(_("This call is already on a case."), "warning")
        abort(redirect(url_for("hotline.call_detail", call_id=call.id)))
    g.hotline_source_call = call
    return call


def _subject_from_call(call) -> dict:
    """The person concerned; the caller if they called about themselves."""
    subject = {
        "name": call.subject_name,
        "sex": call.subject_sex,
        "phone": call.subject_phone,
        "id_number": call.subject_id_number,
    }
    if call.caller_relation == "self" and not call.anonymous:
        subject["name"] = subject["name"] or call.caller_name
        subject["phone"] = subject["phone"] or call.caller_phone
        subject["id_number"] = subject["id_number"] or call.caller_id_number
    return subject


def prefill_from_call(form, case_type: str, call) -> None:
    """Start a case with what the agent wrote down during the call."""
    if call.jurisdiction is not None and "jurisdiction" in form._fields:
        if call.jurisdiction.code in {c.value for c in form.jurisdiction.choices}:
            form.jurisdiction.data = call.jurisdiction.code
    if "subject" in form._fields:
        sub = form.subject.form
        for name, value in _subject_from_call(call).items():
            if value and name in sub._fields:
                sub[name].data = value
    if "description" in form._fields:
        form.description.data = call.summary
    if "urgent" in form._fields and call.urgency in ("urgent", "danger"):
        form.urgent.data = True
    if case_type == "dv_warning":
        form.call_at.data = timeutil.to_local(call.received_at).replace(second=0, microsecond=0)
    if case_type == "mandatory_report" and call.danger:
        form.ongoing_danger.data = True


def attach_new_case(call, case) -> None:
    """The case opened from the call gets the call on its timeline; advice becomes a case."""
    hotline_service.attach(call, case, current_user)
    if call.action_taken == "advice":
        call.action_taken = "case_created"


# --- template helpers --------------------------------------------------------------------


@bp.app_template_global()
def hotline_enabled() -> bool:
    return current_user.is_authenticated and hotline_service.may_log_calls(current_user)


@bp.app_template_global()
def open_callbacks() -> dict:
    """The badge in the menu: the team's open callbacks and how many are overdue."""
    if not hotline_enabled():
        return {"open": 0, "overdue": 0}
    base = select(func.count()).where(
        hotline_service.team_calls(current_user),
        HotlineCall.callback_needed,
        HotlineCall.callback_done_at.is_(None),
    )
    return {
        "open": db.session.scalar(base),
        "overdue": db.session.scalar(base.where(HotlineCall.callback_due < timeutil.now())),
    }


@bp.app_template_global()
def team_calls_on(case) -> list:
    """The calls on a case that the user's hotline team took (others see only numbers)."""
    if not hotline_enabled():
        return []
    return [c for c in case.calls if c.org_id == current_user.organisation_id]
