"""JSON API v1: a county's administration (role `admin`, limited to the county's subtree).

Users, units (with their service-directory entries), places, rule-pack overrides and the
administration log, under /api/v1/admin/. The services (services/administration.py,
admin_imports.py, rule_overrides.py) decide; these routes only carry JSON. The routes are
attached to the blueprint of caseflow/views/api.py.
"""

import re

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _

from .. import presenters
from ..deadlines.bounds import LAW_BOUNDS
from ..deadlines.rules import load
from ..extensions import db
from ..models import Jurisdiction
from ..services import admin_imports, rule_overrides
from ..services import administration as admin
from ..services.errors import ValidationFailed
from .api import MAX_PAGE, MAX_PER_PAGE, bp, commit, json_body, token_required

USER_ACTIONS = ("deactivate", "reactivate", "reset-password", "end-sessions")


def user_json(user) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "organisation_id": user.organisation_id,
        "organisation": user.organisation.name,
        "email": user.email,
        "is_lead": user.is_lead,
        "active": user.active,
        "must_change_password": user.must_change_password,
    }


def org_json(org) -> dict:
    return {
        "id": org.id,
        "name": org.name,
        "type": org.type,
        "jurisdiction_id": org.jurisdiction_id,
        "place": org.jurisdiction.name,
        "parent_id": org.parent_id,
        "phone": org.phone,
        "active": org.active,
        "referable": org.referable,
        "services": org.services,
        "hours": org.hours,
        "serves": [p.id for p in org.serves],
    }


def place_json(place) -> dict:
    return {
        "id": place.id,
        "code": place.code,
        "name": place.name,
        "level": place.level,
        "parent_id": place.parent_id,
        "active": place.active,
    }


def event_json(event) -> dict:
    return {
        "id": event.id,
        "at": presenters.iso(event.at),
        "actor": event.actor.username,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target": event.target_label,
        "before": event.before,
        "after": event.after,
    }


def rule_json(pack, kind: str, place: Jurisdiction) -> dict:
    rule = pack.rule(kind, place.path)
    code, source = rule_overrides.source_of(pack, kind, place.path)
    bound = LAW_BOUNDS.get(kind)
    return {
        "kind": kind,
        "hours": rule.hours,
        "days": rule.days,
        "basis": rule.basis,
        "source": source,
        "source_place": code,
        "law_most": bound.most if bound else None,
        "law_unit": bound.unit if bound else None,
        "law_exact": bool(bound and bound.exact),
    }


def _county():
    return admin.require_admin(g.api_user)


def _paging() -> tuple[int, int]:
    errors = {}
    for name in request.args:
        if name not in ("page", "per_page"):
            errors[name] = [_("Unknown parameter.")]
    numbers = {}
    for name, default, top in (("page", 1, MAX_PAGE), ("per_page", 50, MAX_PER_PAGE)):
        raw = request.args.get(name, "").strip()
        if not raw:
            numbers[name] = default
        elif re.fullmatch(r"\d{1,7}", raw, re.ASCII) and 1 <= int(raw) <= top:
            numbers[name] = int(raw)
        else:
            errors[name] = [_("A whole number from 1 to %(max)d.", max=top)]
    if errors:
        raise ValidationFailed(fields=errors)
    return numbers["page"], numbers["per_page"]


def _upload() -> tuple[str, bytes, bool]:
    upload = request.files.get("file")
    dry = request.form.get("dry_run", "true").strip().lower()
    if dry not in ("true", "false", "1", "0"):
        raise ValidationFailed(fields={"dry_run": [_("Use true or false.")]})
    if upload is None or not upload.filename:
        raise ValidationFailed(fields={"file": [_("Choose a file.")]})
    return upload.filename, upload.read(admin_imports.MAX_BYTES + 1), dry in ("true", "1")


# --- users ------------------------------------------------------------------------


@bp.get("/admin/users")
@token_required
def admin_list_users():
    county = _county()
    return jsonify({"items": [user_json(u) for u in admin.users(county)]})


@bp.post("/admin/users")
@token_required
def admin_create_user():
    _county()
    user, one_time = admin.create_user(g.api_user, json_body())
    body = {**user_json(user), "one_time_password": one_time}
    commit()
    return jsonify(body), 201


@bp.get("/admin/users/<int:user_id>")
@token_required
def admin_get_user(user_id):
    county = _county()
    return jsonify(user_json(admin.user_in(county, user_id)))


@bp.patch("/admin/users/<int:user_id>")
@token_required
def admin_edit_user(user_id):
    county = _county()
    user = admin.user_in(county, user_id)
    admin.update_user(g.api_user, user, json_body())
    body = user_json(user)
    commit()
    return jsonify(body)


@bp.post("/admin/users/<int:user_id>/<action>")
@token_required
def admin_user_action(user_id, action):
    county = _county()
    user = admin.user_in(county, user_id)
    if action not in USER_ACTIONS:
        from .api import UnknownAction

        raise UnknownAction()
    extra = {}
    if action == "deactivate":
        admin.deactivate_user(g.api_user, user)
    elif action == "reactivate":
        admin.reactivate_user(g.api_user, user)
    elif action == "reset-password":
        extra["one_time_password"] = admin.reset_password(g.api_user, user)
    else:
        admin.end_sessions(g.api_user, user)
    body = {**user_json(user), **extra}
    commit()
    return jsonify(body)


@bp.post("/admin/users/import")
@token_required
def admin_import_users():
    _county()
    filename, data, dry_run = _upload()
    result = admin_imports.import_users(g.api_user, filename, data, dry_run)
    commit()
    return jsonify(result.as_json()), 200 if dry_run else 201


# --- organisations ----------------------------------------------------------------


@bp.get("/admin/organisations")
@token_required
def admin_list_organisations():
    county = _county()
    return jsonify({"items": [org_json(o) for o in admin.organisations(county)]})


@bp.post("/admin/organisations")
@token_required
def admin_create_organisation():
    _county()
    org = admin.create_organisation(g.api_user, json_body())
    body = org_json(org)
    commit()
    return jsonify(body), 201


@bp.patch("/admin/organisations/<int:org_id>")
@token_required
def admin_edit_organisation(org_id):
    county = _county()
    org = admin.unit_in(county, org_id)
    admin.update_organisation(g.api_user, org, json_body())
    body = org_json(org)
    commit()
    return jsonify(body)


# --- places -----------------------------------------------------------------------


@bp.get("/admin/places")
@token_required
def admin_list_places():
    county = _county()
    return jsonify({"items": [place_json(p) for p in admin.places(county)]})


@bp.post("/admin/places")
@token_required
def admin_add_place():
    _county()
    place = admin.add_place(g.api_user, json_body())
    body = place_json(place)
    commit()
    return jsonify(body), 201


@bp.patch("/admin/places/<int:place_id>")
@token_required
def admin_edit_place(place_id):
    county = _county()
    place = admin.place_in(county, place_id)
    admin.update_place(g.api_user, place, json_body())
    body = place_json(place)
    commit()
    return jsonify(body)


@bp.delete("/admin/places/<int:place_id>")
@token_required
def admin_delete_place(place_id):
    county = _county()
    place = admin.place_in(county, place_id)
    admin.delete_place(g.api_user, place)
    commit()
    return "", 204


@bp.post("/admin/places/import")
@token_required
def admin_import_places():
    _county()
    filename, data, dry_run = _upload()
    result = admin_imports.import_places(g.api_user, filename, data, dry_run)
    commit()
    return jsonify(result.as_json()), 200 if dry_run else 201


# --- rules ------------------------------------------------------------------------


def _rule_place(county, place_id) -> Jurisdiction:
    return rule_overrides.overridable(county, db.session.get(Jurisdiction, place_id))


@bp.get("/admin/places/<int:place_id>/rules")
@token_required
def admin_list_rules(place_id):
    county = _county()
    place = admin.place_in(county, place_id)
    pack = rule_overrides.current_pack()
    return jsonify({"items": [rule_json(pack, kind, place) for kind in pack.defaults]})


@bp.put("/admin/places/<int:place_id>/rules/<kind>")
@token_required
def admin_set_rule(place_id, kind):
    county = _county()
    place = _rule_place(county, place_id)
    body = json_body()
    unknown = sorted(set(body) - {"unit", "length", "basis", "basis_en"})
    if unknown:
        raise ValidationFailed(fields={k: [_("Unknown field.")] for k in unknown})
    if kind not in load(current_app.config["RULE_PACK"]).defaults:
        from ..services.errors import NotFound

        raise NotFound()
    fields = rule_overrides.check(
        kind, body.get("unit"), body.get("length"), body.get("basis"), body.get("basis_en")
    )
    rule_overrides.set_override(g.api_user, place, kind, fields)
    commit()
    return jsonify(rule_json(rule_overrides.current_pack(), kind, place))


@bp.delete("/admin/places/<int:place_id>/rules/<kind>")
@token_required
def admin_remove_rule(place_id, kind):
    county = _county()
    place = _rule_place(county, place_id)
    rule_overrides.remove_override(g.api_user, place, kind)
    commit()
    return "", 204


# --- the log ----------------------------------------------------------------------


@bp.get("/admin/log")
@token_required
def admin_log():
    county = _county()
    page, per_page = _paging()
    rows, total = admin.log_page(county, page, per_page)
    return jsonify(
        {
            "items": [event_json(e) for e in rows],
            "page": page,
            "per_page": per_page,
            "total": total,
        }
    )
