"""The administration pages of a county (role `admin`): users, units and the service
directory, places, rule overrides and the administration log. The same services as the
API (caseflow/views/api_admin.py) decide; a refused change shows the page again with the
messages and the status of the refusal, nothing changed."""

from functools import wraps

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..deadlines.bounds import LAW_BOUNDS
from ..extensions import db
from ..models import Jurisdiction
from ..services import admin_imports, rule_overrides
from ..services import administration as admin
from ..services.errors import Forbidden, NotFound, ServiceError
from ..vocab import JURISDICTION_LEVELS, ORG_TYPES, ROLES

bp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 50
ACTIONS = {
    "user.create": _l("User created"),
    "user.edit": _l("User edited"),
    "user.deactivate": _l("User deactivated"),
    "user.reactivate": _l("User reactivated"),
    "user.reset_password": _l("Password reset"),
    "user.end_sessions": _l("Sessions ended"),
    "organisation.create": _l("Unit created"),
    "organisation.edit": _l("Unit edited"),
    "place.add": _l("Place added"),
    "place.edit": _l("Place edited"),
    "place.delete": _l("Place deleted"),
    "rule.set": _l("Rule override set"),
    "rule.remove": _l("Rule override removed"),
}


@bp.app_template_global()
def rule_label(kind: str) -> str:
    """A rule-pack entry by its name: a deadline kind or another length of one."""
    from .. import vocab

    if kind in vocab.RULE_ENTRIES:
        return str(vocab.RULE_ENTRIES[kind])
    return vocab.label(vocab.DEADLINE_KINDS, kind)


@bp.app_template_global()
def admin_action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def admin_page(view):
    """Logged in, an administrator of a county (403), the item in the county (404)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        try:
            county = admin.require_admin(current_user)
        except Forbidden:
            abort(403)
        try:
            return view(county, *args, **kwargs)
        except NotFound:
            db.session.rollback()
            abort(404)

    return wrapped


def _refused(exc: ServiceError, render, **kwargs):
    db.session.rollback()
    fields = {k: [str(m) for m in v] for k, v in exc.fields.items()}
    return render(errors=fields, message=str(exc.message), **kwargs), exc.status


def _form(*names) -> dict:
    return {n: request.form.get(n, "") for n in names}


# --- entry -------------------------------------------------------------------------


@bp.get("/")
@admin_page
def index(county):
    return render_template("admin/index.html", county=county)


# --- users ------------------------------------------------------------------------


def _render_users(county, errors=None, message=None, created=None, values=None):
    return render_template(
        "admin/users.html",
        county=county,
        users=admin.users(county),
        units=[o for o in admin.organisations(county) if o.active],
        roles=ROLES,
        errors=errors or {},
        message=message,
        created=created,
        values=values or {},
    )


@bp.get("/users")
@admin_page
def users(county):
    return _render_users(county)


@bp.post("/users")
@admin_page
def create_user(county):
    data = _form("username", "display_name", "role", "organisation_id", "email")
    if not data["email"]:
        data.pop("email")
    try:
        user, one_time = admin.create_user(current_user, data)
    except ServiceError as exc:
        return _refused(exc, lambda **k: _render_users(county, values=data, **k))
    db.session.commit()
    return render_template("admin/one_time.html", user=user, one_time=one_time, created=True)


def _render_user(county, user, errors=None, message=None):
    return render_template(
        "admin/user.html",
        county=county,
        user=user,
        units=[o for o in admin.organisations(county) if o.active or o.id == user.organisation_id],
        roles=ROLES,
        errors=errors or {},
        message=message,
    )


@bp.get("/users/<int:user_id>")
@admin_page
def user(county, user_id):
    return _render_user(county, admin.user_in(county, user_id))


@bp.post("/users/<int:user_id>")
@admin_page
def edit_user(county, user_id):
    user = admin.user_in(county, user_id)
    data = _form("display_name", "role", "organisation_id", "email")
    data["is_lead"] = "1" if request.form.get("is_lead") else "0"
    try:
        admin.update_user(current_user, user, data)
    except ServiceError as exc:
        db.session.rollback()
        user = admin.user_in(county, user_id)
        return _refused(exc, lambda **k: _render_user(county, user, **k))
    db.session.commit()
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/<action>")
@admin_page
def user_action(county, user_id, action):
    user = admin.user_in(county, user_id)
    actions = {
        "deactivate": admin.deactivate_user,
        "reactivate": admin.reactivate_user,
        "reset-password": admin.reset_password,
        "end-sessions": admin.end_sessions,
    }
    if action not in actions:
        abort(404)
    try:
        one_time = actions[action](current_user, user)
    except ServiceError as exc:
        db.session.rollback()
        user = admin.user_in(county, user_id)
        return _refused(exc, lambda **k: _render_user(county, user, **k))
    db.session.commit()
    if action == "reset-password":
        return render_template("admin/one_time.html", user=user, one_time=one_time, created=False)
    return redirect(url_for("admin.user", user_id=user_id))


def _import_page(kind: str, result=None, errors=None, message=None):
    return render_template(
        "admin/import.html", kind=kind, result=result, errors=errors or {}, message=message
    )


def _run_import(kind: str, importer):
    upload = request.files.get("file")
    dry_run = request.form.get("apply") != "1"
    if upload is None or not upload.filename:
        return _import_page(kind, errors={"file": [_("Choose a file.")]}), 422
    data = upload.read(admin_imports.MAX_BYTES + 1)
    try:
        result = importer(current_user, upload.filename, data, dry_run)
    except admin_imports.ImportRefused as exc:
        db.session.rollback()
        return _import_page(kind, result=exc.result, message=str(exc.message)), 422
    except ServiceError as exc:
        return _refused(exc, lambda **k: _import_page(kind, **k))
    db.session.commit()
    return _import_page(kind, result=result), 200


@bp.route("/users/import", methods=["GET", "POST"])
@admin_page
def import_users(county):
    if request.method == "GET":
        return _import_page("users")
    return _run_import("users", admin_imports.import_users)


# --- units ------------------------------------------------------------------------


def _render_units(county, errors=None, message=None, values=None):
    return render_template(
        "admin/units.html",
        county=county,
        units=admin.organisations(county),
        places=admin.places(county),
        types=ORG_TYPES,
        errors=errors or {},
        message=message,
        values=values or {},
    )


def _org_data(editing: bool) -> dict:
    data = _form("name", "type", "jurisdiction_id", "parent_id", "phone", "services", "hours")
    data["serves"] = request.form.getlist("serves")
    data["referable"] = "1" if request.form.get("referable") else "0"
    if editing:
        data["active"] = "1" if request.form.get("active") else "0"
    return data


@bp.get("/units")
@admin_page
def units(county):
    return _render_units(county)


@bp.post("/units")
@admin_page
def create_unit(county):
    data = _org_data(editing=False)
    try:
        org = admin.create_organisation(current_user, data)
    except ServiceError as exc:
        return _refused(exc, lambda **k: _render_units(county, values=data, **k))
    db.session.commit()
    return redirect(url_for("admin.unit", org_id=org.id))


def _render_unit(county, org, errors=None, message=None):
    return render_template(
        "admin/unit.html",
        county=county,
        org=org,
        units=[o for o in admin.organisations(county) if o.id != org.id],
        places=admin.places(county),
        types=ORG_TYPES,
        errors=errors or {},
        message=message,
    )


@bp.get("/units/<int:org_id>")
@admin_page
def unit(county, org_id):
    return _render_unit(county, admin.unit_in(county, org_id))


@bp.post("/units/<int:org_id>")
@admin_page
def edit_unit(county, org_id):
    org = admin.unit_in(county, org_id)
    try:
        admin.update_organisation(current_user, org, _org_data(editing=True))
    except ServiceError as exc:
        db.session.rollback()
        org = admin.unit_in(county, org_id)
        return _refused(exc, lambda **k: _render_unit(county, org, **k))
    db.session.commit()
    return redirect(url_for("admin.unit", org_id=org_id))


# --- places -----------------------------------------------------------------------


def _render_places(county, errors=None, message=None, values=None):
    return render_template(
        "admin/places.html",
        county=county,
        places=admin.places(county),
        levels=JURISDICTION_LEVELS,
        errors=errors or {},
        message=message,
        values=values or {},
    )


@bp.get("/places")
@admin_page
def places(county):
    return _render_places(county)


@bp.post("/places")
@admin_page
def add_place(county):
    data = _form("code", "name", "level")
    try:
        admin.add_place(current_user, data)
    except ServiceError as exc:
        return _refused(exc, lambda **k: _render_places(county, values=data, **k))
    db.session.commit()
    return redirect(url_for("admin.places"))


@bp.post("/places/<int:place_id>")
@admin_page
def edit_place(county, place_id):
    place = admin.place_in(county, place_id)
    data = {}
    if "name" in request.form:
        data["name"] = request.form["name"]
    if "active" in request.form:
        data["active"] = request.form["active"]
    try:
        admin.update_place(current_user, place, data)
    except ServiceError as exc:
        return _refused(exc, lambda **k: _render_places(county, **k))
    db.session.commit()
    return redirect(url_for("admin.places"))


@bp.post("/places/<int:place_id>/delete")
@admin_page
def delete_place(county, place_id):
    place = admin.place_in(county, place_id)
    try:
        admin.delete_place(current_user, place)
    except ServiceError as exc:
        return _refused(exc, lambda **k: _render_places(county, **k))
    db.session.commit()
    return redirect(url_for("admin.places"))


@bp.route("/places/import", methods=["GET", "POST"])
@admin_page
def import_places(county):
    if request.method == "GET":
        return _import_page("places")
    return _run_import("places", admin_imports.import_places)


# --- rule overrides ---------------------------------------------------------------


def _render_overrides(county, place, errors=None, message=None, kind=None):
    pack = rule_overrides.current_pack()
    rows = []
    for k in pack.defaults:
        rule = pack.rule(k, place.path)
        code, source = rule_overrides.source_of(pack, k, place.path)
        rows.append(
            {
                "kind": k,
                "rule": rule,
                "source": source,
                "source_place": code,
                "bound": LAW_BOUNDS.get(k),
                "override": rule_overrides.existing(place, k),
            }
        )
    choices = [p for p in admin.places(county) if p.level in rule_overrides.OVERRIDE_LEVELS]
    return render_template(
        "admin/overrides.html",
        county=county,
        place=place,
        choices=choices,
        rows=rows,
        history=rule_overrides.history(county, 50),
        errors=errors or {},
        message=message,
        failed_kind=kind,
        names={p.code: p for p in admin.places(county)},
    )


def _override_place(county, raw) -> Jurisdiction:
    place = county
    if raw:
        place = db.session.get(Jurisdiction, int(raw)) if str(raw).isdigit() else None
    return rule_overrides.overridable(county, place)


@bp.get("/overrides")
@admin_page
def overrides(county):
    try:
        place = _override_place(county, request.args.get("place"))
    except ServiceError:
        abort(404)
    return _render_overrides(county, place)


@bp.post("/overrides/<int:place_id>/<kind>")
@admin_page
def set_override(county, place_id, kind):
    try:
        place = _override_place(county, place_id)
    except ServiceError:
        abort(404)
    try:
        if request.form.get("remove") == "1":
            rule_overrides.remove_override(current_user, place, kind)
        else:
            fields = rule_overrides.check(
                kind,
                request.form.get("unit", ""),
                request.form.get("length", ""),
                request.form.get("basis", ""),
                request.form.get("basis_en", ""),
            )
            rule_overrides.set_override(current_user, place, kind, fields)
    except ServiceError as exc:
        db.session.rollback()
        return _refused(exc, lambda **k: _render_overrides(county, place, kind=kind, **k))
    db.session.commit()
    return redirect(url_for("admin.overrides", place=place.id))


# --- the log ----------------------------------------------------------------------


@bp.get("/log")
@admin_page
def log(county):
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100000 else 1
    rows, total = admin.log_page(county, page, PER_PAGE)
    return render_template(
        "admin/log.html",
        county=county,
        events=rows,
        page=page,
        pages=max(1, (total + PER_PAGE - 1) // PER_PAGE),
        total=total,
    )
