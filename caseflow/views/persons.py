"""One person across cases (services/persons.py): the parties' links on the case page,
the person page, merges and their undoing, the repeat-abuser badge, and the high-risk
household list with its screening visits. Pages and /api/v1.
"""

from datetime import date

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import policy, presenters, timeutil
from ..extensions import db
from ..models import Case, Person, PersonMerge
from ..services import persons
from ..services.access_log import log_access
from ..services.errors import Forbidden, NotFound, ServiceError, ValidationFailed
from ..vocab import HIGH_RISK_REASONS, SCREENING_OUTCOMES
from .api import _case, commit, json_body, token_required
from .api import bp as api_bp
from .cases import _case_or_404, _flash_service_error, bp

PROPOSAL_PARAMS = ("name", "birth_date", "id_number", "phone")


def install(app) -> None:
    @app.template_global()
    def repeat_abuser_case_ids(cases) -> set[int]:
        """Which of these cases have a repeat abuser among their parties (one query)."""
        return set(persons.flagged_parties(current_user, [c.id for c in cases]))

    @app.template_global()
    def person_panel(case) -> list[dict]:
        """Each party of the case with its person record, or the proposals for it."""
        case = presenters.unwrap(case)
        flags = persons.flagged_parties(current_user, [case.id]).get(case.id, set())
        rows = []
        for party in case.persons:
            visible = persons.can_see_party(current_user, case, party)
            rows.append(
                {
                    "party": party,
                    "visible": visible,
                    "record_id": party.link.record_id if party.link and visible else None,
                    "flagged": party.id in flags,
                    "proposals": persons.party_proposals(current_user, case, party)
                    if visible and case.is_open
                    else [],
                }
            )
        return rows

    @app.template_global()
    def sees_high_risk_list() -> bool:
        return current_user.is_authenticated and current_user.role in persons.HIGH_RISK_ROLES


def _int(raw):
    raw = (raw or "").strip()
    if not raw.isdigit() or len(raw) > 9:
        return None
    return int(raw)


def _proposal(user, proposal) -> dict:
    party = proposal.party
    return {
        "person_id": proposal.record_id,
        "matched_by": proposal.matched_by,
        "name": party.name,
        "sex": party.sex,
        "birth_date": party.birth_date.isoformat() if party.birth_date else None,
        "cases": [{"id": c.id, "number": c.number, "role": role} for c, role in proposal.cases],
    }


def _record_cases(user, record) -> list[dict]:
    flags = persons.repeat_abusers(user, [record.id])
    return [
        {
            "case": case,
            "role": party.role,
            "party": party,
            "flagged": party.role in persons.ABUSER_ROLES and record.id in flags,
        }
        for case, party in persons.record_cases(user, record.id)
    ]


# --- pages -------------------------------------------------------------------------------


@bp.post("/cases/<int:case_id>/parties/<int:party_id>/person")
@login_required
def link_party(case_id, party_id):
    case = _case_or_404(case_id)
    choice = (request.form.get("person_id") or "").strip()
    try:
        party = persons.party_of(case, party_id)
        record_id = None if choice == "new" else _int(choice)
        if choice != "new" and record_id is None:
            raise ValidationFailed(fields={"person_id": [_("Choose a person or a new record.")]})
        item = persons.link(current_user, case, party, record_id)
        db.session.commit()
    except ServiceError as exc:
        _flash_service_error(exc)
        return redirect(url_for("cases.detail", case_id=case_id) + "#persons")
    flash(_("Linked to person record %(id)s.", id=item.record_id), "success")
    return redirect(url_for("cases.detail", case_id=case_id) + "#persons")


def _record_or_404(record_id):
    record = persons.visible_record(current_user, record_id)
    if record is None:
        abort(404)
    return record


@bp.get("/persons/<int:record_id>")
@login_required
def person_page(record_id):
    record = _record_or_404(record_id)
    if record.merged_into_id is not None:
        return redirect(url_for("cases.person_page", record_id=record.merged_into_id))
    rows = _record_cases(current_user, record)
    for row in rows:
        log_access(current_user, row["case"], "person")
    db.session.commit()
    return render_template(
        "persons/person.html",
        record=record,
        rows=rows,
        merges=persons.merges_of(record),
        may_merge=current_user.role in persons.MERGE_ROLES,
    )


@bp.post("/persons/<int:record_id>/merge")
@login_required
def merge_person(record_id):
    record = _record_or_404(record_id)
    try:
        persons.merge(
            current_user, record, _int(request.form.get("other_id")), request.form.get("reason")
        )
        db.session.commit()
    except ServiceError as exc:
        _flash_service_error(exc)
        return redirect(url_for("cases.person_page", record_id=record_id))
    flash(_("Person records merged."), "success")
    return redirect(url_for("cases.person_page", record_id=record_id))


@bp.post("/person-merges/<int:merge_id>/undo")
@login_required
def undo_merge(merge_id):
    row = persons.visible_merge(current_user, merge_id)
    if row is None:
        abort(404)
    survivor = row.survivor_id
    try:
        persons.unmerge(current_user, row, request.form.get("reason"))
        db.session.commit()
    except ServiceError as exc:
        _flash_service_error(exc)
        return redirect(url_for("cases.person_page", record_id=survivor))
    flash(_("Merge undone."), "success")
    return redirect(url_for("cases.person_page", record_id=survivor))


def _households(user):
    if user.role not in persons.HIGH_RISK_ROLES:
        raise Forbidden(
            _("The high-risk household list is for the police and the women's federation.")
        )
    households = persons.high_risk_households(user)
    shown = []
    for household in households:
        case = household.case
        subject = case.subject
        abuser = case.person("abuser") or case.person("respondent")
        redactor = policy.redactor(user, case)
        identity = policy.can_see_identity(user, case)
        if identity:
            for member in household.cases:
                log_access(user, member, "list")
        last = household.last
        shown.append(
            {
                "household": household,
                "subject": policy.person_view(user, case, subject) if subject else None,
                "abuser": policy.person_view(user, case, abuser) if abuser else None,
                "last_note": redactor.text(last.note) if last else None,
            }
        )
    return shown


@bp.get("/high-risk")
@login_required
def high_risk():
    try:
        rows = _households(current_user)
    except Forbidden:
        abort(403)
    db.session.commit()
    return render_template(
        "persons/high_risk.html",
        rows=rows,
        reasons=HIGH_RISK_REASONS,
        outcomes=SCREENING_OUTCOMES,
        may_screen=current_user.role in persons.SCREENING_ROLES,
        today=timeutil.to_local(timeutil.now()).date().isoformat(),
    )


@bp.post("/high-risk/<int:case_id>/screenings")
@login_required
def record_screening(case_id):
    case = _case_or_404(case_id)
    raw = (request.form.get("done_on") or "").strip()
    try:
        done_on = date.fromisoformat(raw) if raw else None
    except ValueError:
        done_on = raw
    try:
        persons.record_screening(
            current_user,
            case,
            {
                "done_on": done_on,
                "outcome": request.form.get("outcome"),
                "note": request.form.get("note", ""),
            },
        )
        db.session.commit()
    except ServiceError as exc:
        _flash_service_error(exc)
        return redirect(url_for("cases.high_risk"))
    flash(_("Screening visit recorded."), "success")
    return redirect(url_for("cases.high_risk"))


# --- API ---------------------------------------------------------------------------------


def _api_record(user, record_id):
    record = persons.visible_record(user, record_id)
    if record is None:
        raise NotFound(_("No such person in your scope."))
    return record


@api_bp.get("/person-proposals")
@token_required
def api_person_proposals():
    user = g.api_user
    unknown = set(request.args) - set(PROPOSAL_PARAMS)
    if unknown:
        raise ValidationFailed(fields={k: [_("Unknown parameter.")] for k in sorted(unknown)})
    given = {}
    for name in PROPOSAL_PARAMS:
        value = (request.args.get(name) or "").strip()
        if len(value) > 100:
            raise ValidationFailed(fields={name: [_("At most 100 characters.")]})
        given[name] = value or None
    if given["birth_date"]:
        try:
            given["birth_date"] = date.fromisoformat(given["birth_date"])
        except ValueError:
            raise ValidationFailed(fields={"birth_date": [_("Not a valid date.")]}) from None
    found = persons.proposals(user, given)
    commit()
    return jsonify({"proposals": [_proposal(user, p) for p in found]})


def _api_party(user, case_id, party_id) -> tuple[Case, Person]:
    case = _case(user, case_id)
    return case, persons.party_of(case, party_id)


@api_bp.get("/cases/<int:case_id>/parties/<int:party_id>/proposals")
@token_required
def api_party_proposals(case_id, party_id):
    user = g.api_user
    case, party = _api_party(user, case_id, party_id)
    if not persons.can_see_party(user, case, party):
        raise Forbidden(_("Only those who may see this party's identity may link it."))
    found = persons.party_proposals(user, case, party)
    commit()
    return jsonify(
        {
            "person_id": party.link.record_id if party.link else None,
            "proposals": [_proposal(user, p) for p in found],
        }
    )


@api_bp.post("/cases/<int:case_id>/parties/<int:party_id>/person")
@token_required
def api_link_party(case_id, party_id):
    user = g.api_user
    body = json_body()
    case, party = _api_party(user, case_id, party_id)
    if "person_id" not in body:
        raise ValidationFailed(fields={"person_id": [_("This field is required.")]})
    value = body.get("person_id")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValidationFailed(fields={"person_id": [_("Must be a whole number or null.")]})
    unknown = set(body) - {"person_id"}
    if unknown:
        raise ValidationFailed(fields={k: [_("Unknown field.")] for k in sorted(unknown)})
    item = persons.link(user, case, party, value)
    commit()
    return jsonify(
        {"party_id": party.id, "person_id": item.record_id, "version": case.version}
    ), 201


def _person_json(user, record) -> dict:
    rows = _record_cases(user, record)
    for row in rows:
        log_access(user, row["case"], "person")
    return {
        "id": record.id,
        "repeat_abuser": any(r["flagged"] for r in rows),
        "cases": [
            {
                "id": r["case"].id,
                "number": r["case"].number,
                "type": r["case"].type,
                "state": r["case"].state,
                "role": r["role"],
                "party": presenters.person(user, r["case"], r["party"]),
            }
            for r in rows
        ],
        "merges": [_merge_json(m) for m in persons.merges_of(record)],
    }


def _merge_json(row: PersonMerge) -> dict:
    return {
        "id": row.id,
        "survivor_id": row.survivor_id,
        "merged_id": row.merged_id,
        "merged_at": presenters.iso(row.merged_at),
        "undone_at": presenters.iso(row.undone_at),
    }


@api_bp.get("/persons/<int:person_id>")
@token_required
def api_person(person_id):
    user = g.api_user
    record = _api_record(user, person_id)
    if record.merged_into_id is not None:
        record = _api_record(user, record.merged_into_id)
    data = _person_json(user, record)
    commit()
    return jsonify(data)


@api_bp.post("/persons/<int:person_id>/merge")
@token_required
def api_merge_person(person_id):
    user = g.api_user
    body = json_body()
    record = _api_record(user, person_id)
    other = body.get("other_id")
    if isinstance(other, bool) or not isinstance(other, int):
        other = None
    unknown = set(body) - {"other_id", "reason"}
    if unknown:
        raise ValidationFailed(fields={k: [_("Unknown field.")] for k in sorted(unknown)})
    row = persons.merge(user, record, other, body.get("reason"))
    commit()
    return jsonify(_merge_json(row)), 201


@api_bp.post("/person-merges/<int:merge_id>/undo")
@token_required
def api_undo_merge(merge_id):
    user = g.api_user
    body = json_body()
    row = persons.visible_merge(user, merge_id)
    if row is None:
        raise NotFound(_("No such merge in your scope."))
    unknown = set(body) - {"reason"}
    if unknown:
        raise ValidationFailed(fields={k: [_("Unknown field.")] for k in sorted(unknown)})
    persons.unmerge(user, row, body.get("reason"))
    commit()
    return jsonify(_merge_json(row))


def _household_json(row) -> dict:
    household = row["household"]
    last = household.last
    return {
        "case_id": household.case.id,
        "number": household.case.number,
        "cases": [c.number for c in household.cases],
        "jurisdiction": household.case.jurisdiction.code,
        "reasons": household.reasons,
        "subject": row["subject"],
        "abuser": row["abuser"],
        "interval_days": household.interval_days,
        "due_on": household.due_on.isoformat(),
        "status": household.status,
        "last_screening": None
        if last is None
        else {
            "done_on": last.done_on.isoformat(),
            "outcome": last.outcome,
            "note": row["last_note"],
        },
    }


@api_bp.get("/high-risk")
@token_required
def api_high_risk():
    user = g.api_user
    if request.args:
        raise ValidationFailed(fields={k: [_("Unknown parameter.")] for k in sorted(request.args)})
    rows = _households(user)
    commit()
    return jsonify({"items": [_household_json(r) for r in rows]})


@api_bp.post("/cases/<int:case_id>/screenings")
@token_required
def api_record_screening(case_id):
    user = g.api_user
    body = json_body()
    case = _case(user, case_id)
    unknown = set(body) - {"done_on", "outcome", "note"}
    visit = persons.record_screening(user, case, body)
    if unknown:
        raise ValidationFailed(fields={k: [_("Unknown field.")] for k in sorted(unknown)})
    commit()
    return jsonify(
        {
            "id": visit.id,
            "case_id": visit.case_id,
            "done_on": visit.done_on.isoformat(),
            "outcome": visit.outcome,
        }
    ), 201
