"""A county's administration: its users, units and places, by its administrators.

An administrator's county is the county-level place at or above the place of their unit;
everything they see and change lies in that county's subtree (a unit, a user's unit, a
place). Checks run in the house order: the role first (the whole area is closed to other
roles, 403), then scope (a thing outside the county is not found, 404), then state (409:
the last active administrator, a place with cases), then the fields (422). Every change is
an AdminEvent (who, when, what, before and after) in the same transaction.
"""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import timeutil
from ..extensions import db
from ..models import AdminEvent, Case, Jurisdiction, Organisation, RuleOverride, User
from ..security import accounts, sessions
from ..vocab import JURISDICTION_LEVELS, ORG_TYPES, ROLES
from .errors import Forbidden, NotFound, ServiceError, ValidationFailed

USERNAME_RE = re.compile(r"[A-Za-z0-9_.-]{3,64}", re.ASCII)
PHONE_RE = re.compile(r"[0-9+()\- ]{3,40}", re.ASCII)
EMAIL_RE = re.compile(r"[^@\s]{1,100}@[^@\s]{1,100}\.[^@\s]{1,40}")


class StateConflict(ServiceError):
    status, code = 409, "state_conflict"
    default_message = _l("This is not possible in the current state.")


# --- who may, and where -------------------------------------------------------------


def county_of(user: User) -> Jurisdiction | None:
    """The county of an administrator: the county-level place at or above their unit's."""
    place = user.organisation.jurisdiction
    while place is not None and place.level != "county":
        place = place.parent
    return place


def require_admin(user: User) -> Jurisdiction:
    """The administrator's county; 403 for any other role (or an admin of no county)."""
    county = county_of(user) if user.role == "admin" else None
    if county is None:
        raise Forbidden(_l("Only an administrator may do this."))
    return county


def in_county(county: Jurisdiction, place: Jurisdiction | None) -> bool:
    return place is not None and place.path.startswith(county.path)


def place_in(county: Jurisdiction, place_id) -> Jurisdiction:
    place = db.session.get(Jurisdiction, place_id) if _is_id(place_id) else None
    if not in_county(county, place):
        raise NotFound()
    return place


def unit_in(county: Jurisdiction, org_id) -> Organisation:
    org = db.session.get(Organisation, org_id) if _is_id(org_id) else None
    if org is None or not in_county(county, org.jurisdiction):
        raise NotFound()
    return org


def user_in(county: Jurisdiction, user_id) -> User:
    user = db.session.get(User, user_id) if _is_id(user_id) else None
    if user is None or not in_county(county, user.organisation.jurisdiction):
        raise NotFound()
    return user


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


# --- the log ----------------------------------------------------------------------


def record(actor: User, action: str, target_type: str, target_id, label, before, after):
    county = county_of(actor)
    db.session.add(
        AdminEvent(
            at=timeutil.now(),
            actor_id=actor.id,
            county_id=county.id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_label=str(label)[:200],
            before=before,
            after=after,
        )
    )


def log_page(county: Jurisdiction, page: int, per_page: int) -> tuple[list[AdminEvent], int]:
    where = AdminEvent.county_id == county.id
    total = db.session.scalar(select(func.count()).select_from(AdminEvent).where(where))
    rows = db.session.scalars(
        select(AdminEvent)
        .where(where)
        .order_by(AdminEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return rows, total


# --- field helpers ----------------------------------------------------------------


def _text(data: dict, name: str, errors: dict, most: int, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[name] = [_l("This field is required.")]
        return None
    if not isinstance(value, str):
        errors[name] = [_l("Text expected.")]
        return None
    value = value.strip()
    if len(value) > most:
        errors[name] = [_l("At most %(n)d characters.", n=most)]
        return None
    return value


def _flag(data: dict, name: str, errors: dict) -> bool | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("1", "0", "true", "false", "on", "off"):
        return value in ("1", "true", "on")
    errors[name] = [_l("Use true or false.")]
    return None


def _id(data: dict, name: str, errors: dict, required: bool = True) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            errors[name] = [_l("This field is required.")]
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not _is_id(value):
        errors[name] = [_l("Choose from the list.")]
        return None
    return value


def _known(data: dict, allowed: set) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationFailed(fields={k: [_l("Unknown field.")] for k in unknown})


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationFailed(fields=errors)


# --- users ------------------------------------------------------------------------


def user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "organisation": user.organisation.name if user.organisation else None,
        "email": user.email,
        "is_lead": user.is_lead,
        "active": user.active,
    }


def users(county: Jurisdiction) -> list[User]:
    return db.session.scalars(
        select(User)
        .join(Organisation, Organisation.id == User.organisation_id)
        .join(Jurisdiction, Jurisdiction.id == Organisation.jurisdiction_id)
        .where(Jurisdiction.path.startswith(county.path))
        .order_by(User.active.desc(), User.username)
    ).all()


def _active_admins(county: Jurisdiction) -> int:
    return db.session.scalar(
        select(func.count(User.id))
        .join(Organisation, Organisation.id == User.organisation_id)
        .join(Jurisdiction, Jurisdiction.id == Organisation.jurisdiction_id)
        .where(
            Jurisdiction.path.startswith(county.path),
            User.role == "admin",
            User.active.is_(True),
        )
    )


def keep_an_admin(county: Jurisdiction, user: User) -> None:
    if user.role == "admin" and user.active and _active_admins(county) <= 1:
        raise StateConflict(
            _l("This is the county's last active administrator: appoint another one first.")
        )


USER_FIELDS = {"username", "display_name", "role", "organisation_id", "email", "is_lead"}


def _user_fields(county, data: dict, errors: dict, creating: bool) -> dict:
    out: dict = {}
    if creating:
        name = _text(data, "username", errors, 64)
        if name is not None:
            if not USERNAME_RE.fullmatch(name):
                errors["username"] = [_l("3 to 64 letters, digits, dots, dashes or underscores.")]
            elif db.session.scalar(select(User.id).where(User.username == name)):
                errors["username"] = [_l("This username is taken.")]
            else:
                out["username"] = name
    if creating or "display_name" in data:
        out["display_name"] = _text(data, "display_name", errors, 100)
    if creating or "role" in data:
        role = data.get("role")
        if role not in ROLES:
            errors["role"] = [_l("Unknown role.")]
        else:
            out["role"] = role
    if creating or "organisation_id" in data:
        org_id = _id(data, "organisation_id", errors)
        if org_id is not None:
            org = db.session.get(Organisation, org_id)
            if org is None or not in_county(county, org.jurisdiction):
                errors["organisation_id"] = [_l("No such unit in your county.")]
            elif not org.active:
                errors["organisation_id"] = [_l("This unit is inactive.")]
            else:
                out["organisation_id"] = org.id
    if "email" in data:
        email = _text(data, "email", errors, 200, required=False)
        if email is not None and not EMAIL_RE.fullmatch(email):
            errors["email"] = [_l("Not an email address.")]
        else:
            out["email"] = email
    if "is_lead" in data:
        flag = _flag(data, "is_lead", errors)
        if flag is not None:
            out["is_lead"] = flag
    return out


def create_user(actor: User, data: dict) -> tuple[User, str]:
    """A new account with a one-time password to hand over (changed at the first login)."""
    county = require_admin(actor)
    _known(data, USER_FIELDS)
    errors: dict = {}
    fields = _user_fields(county, data, errors, creating=True)
    _raise(errors)
    user = User(**fields)
    one_time = accounts.one_time_password(user)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", "user", user.id, user.username, None, user_snapshot(user))
    return user, one_time


def update_user(actor: User, user: User, data: dict) -> User:
    county = require_admin(actor)
    _known(data, USER_FIELDS - {"username"})
    errors: dict = {}
    fields = _user_fields(county, data, errors, creating=False)
    if fields.get("role", user.role) != "admin":
        keep_an_admin(county, user)
    _raise(errors)
    before = user_snapshot(user)
    for name, value in fields.items():
        setattr(user, name, value)
    db.session.flush()
    db.session.refresh(user, ["organisation"])
    after = user_snapshot(user)
    if after != before:
        record(actor, "user.edit", "user", user.id, user.username, before, after)
        if before["role"] != after["role"] or before["organisation"] != after["organisation"]:
            # What the sessions were allowed to see has changed: they end.
            sessions.end_all(user, "administrator")
    return user


def deactivate_user(actor: User, user: User) -> None:
    county = require_admin(actor)
    if not user.active:
        raise StateConflict(_l("This account is already inactive."))
    keep_an_admin(county, user)
    before = user_snapshot(user)
    accounts.deactivate(user)
    record(actor, "user.deactivate", "user", user.id, user.username, before, user_snapshot(user))


def reactivate_user(actor: User, user: User) -> None:
    require_admin(actor)
    if user.active:
        raise StateConflict(_l("This account is already active."))
    if not user.organisation.active:
        raise StateConflict(_l("The account's unit is inactive: move it to an active unit first."))
    before = user_snapshot(user)
    user.active = True
    record(actor, "user.reactivate", "user", user.id, user.username, before, user_snapshot(user))


def reset_password(actor: User, user: User) -> str:
    require_admin(actor)
    if not user.active:
        raise StateConflict(_l("This account is inactive: reactivate it first."))
    one_time = accounts.reset_password(user)
    record(
        actor,
        "user.reset_password",
        "user",
        user.id,
        user.username,
        None,
        {"must_change_password": True},
    )
    return one_time


def end_sessions(actor: User, user: User) -> None:
    require_admin(actor)
    sessions.end_all(user, "administrator")
    record(actor, "user.end_sessions", "user", user.id, user.username, None, {"sessions": "ended"})


# --- organisations ----------------------------------------------------------------

ORG_FIELDS = {
    "name",
    "type",
    "jurisdiction_id",
    "parent_id",
    "phone",
    "active",
    "referable",
    "services",
    "hours",
    "serves",
}


def org_snapshot(org: Organisation) -> dict:
    return {
        "name": org.name,
        "type": org.type,
        "place": org.jurisdiction.code if org.jurisdiction else None,
        "parent": org.parent.name if org.parent else None,
        "phone": org.phone,
        "active": org.active,
        "referable": org.referable,
        "services": org.services,
        "hours": org.hours,
        "serves": [p.code for p in org.serves],
    }


def organisations(county: Jurisdiction) -> list[Organisation]:
    return db.session.scalars(
        select(Organisation)
        .join(Jurisdiction, Jurisdiction.id == Organisation.jurisdiction_id)
        .where(Jurisdiction.path.startswith(county.path))
        .order_by(Organisation.type, Organisation.name)
    ).all()


def _org_fields(county, org: Organisation | None, data: dict) -> dict:
    errors: dict = {}
    out: dict = {}
    creating = org is None
    if creating or "name" in data:
        out["name"] = _text(data, "name", errors, 200)
    if creating or "type" in data:
        if data.get("type") not in ORG_TYPES:
            errors["type"] = [_l("Unknown unit type.")]
        else:
            out["type"] = data["type"]
    if creating or "jurisdiction_id" in data:
        place_id = _id(data, "jurisdiction_id", errors)
        if place_id is None and "jurisdiction_id" not in errors:
            errors["jurisdiction_id"] = [_l("A unit needs its place.")]
        if place_id is not None:
            place = db.session.get(Jurisdiction, place_id)
            if not in_county(county, place):
                errors["jurisdiction_id"] = [_l("No such place in your county.")]
            else:
                out["jurisdiction"] = place
        elif "jurisdiction_id" in errors and data.get("jurisdiction_id") in (None, ""):
            errors["jurisdiction_id"] = [_l("A unit needs its place.")]
    if "parent_id" in data:
        parent_id = _id(data, "parent_id", errors, required=False)
        if parent_id is None:
            out["parent"] = None
        else:
            parent = db.session.get(Organisation, parent_id)
            if parent is None or not in_county(county, parent.jurisdiction):
                errors["parent_id"] = [_l("No such unit in your county.")]
            else:
                node, seen = parent, 0
                while node is not None and seen < 50:
                    if org is not None and node.id == org.id:
                        errors["parent_id"] = [_l("A unit cannot be placed under itself.")]
                        break
                    node, seen = node.parent, seen + 1
                else:
                    out["parent"] = parent
    if "phone" in data:
        phone = _text(data, "phone", errors, 40, required=False)
        if phone is not None and not PHONE_RE.fullmatch(phone):
            errors["phone"] = [_l("Digits, spaces, +, - and brackets only.")]
        else:
            out["phone"] = phone
    for name in ("active", "referable"):
        if name in data:
            flag = _flag(data, name, errors)
            if flag is not None:
                out[name] = flag
    if "services" in data:
        out["services"] = _text(data, "services", errors, 2000, required=False)
    if "hours" in data:
        out["hours"] = _text(data, "hours", errors, 200, required=False)
    if "serves" in data:
        raw = data["serves"]
        if not isinstance(raw, list) or len(raw) > 500:
            errors["serves"] = [_l("A list of places.")]
        else:
            places = []
            for value in raw:
                if isinstance(value, str) and value.isascii() and value.isdigit():
                    value = int(value)
                place = db.session.get(Jurisdiction, value) if _is_id(value) else None
                if not in_county(county, place):
                    errors["serves"] = [_l("No such place in your county.")]
                    break
                places.append(place)
            else:
                out["serves"] = sorted(set(places), key=lambda p: p.path)
    _raise(errors)
    return out


def create_organisation(actor: User, data: dict) -> Organisation:
    county = require_admin(actor)
    _known(data, ORG_FIELDS)
    fields = _org_fields(county, None, data)
    org = Organisation(**fields)
    if not fields.get("serves"):  # a unit serves at least its own place
        org.serves = [fields["jurisdiction"]]
    db.session.add(org)
    db.session.flush()
    record(actor, "organisation.create", "organisation", org.id, org.name, None, org_snapshot(org))
    return org


def update_organisation(actor: User, org: Organisation, data: dict) -> Organisation:
    county = require_admin(actor)
    _known(data, ORG_FIELDS)
    if data.get("active") in (False, "0", "false", "off") and org.active:
        active_users = db.session.scalar(
            select(func.count(User.id)).where(User.organisation_id == org.id, User.active)
        )
        if active_users:
            raise StateConflict(
                _l(
                    "%(n)d active accounts belong to this unit: move or deactivate them first.",
                    n=active_users,
                )
            )
    fields = _org_fields(county, org, data)
    before = org_snapshot(org)
    for name, value in fields.items():
        setattr(org, name, value)
    db.session.flush()
    after = org_snapshot(org)
    if after != before:
        record(actor, "organisation.edit", "organisation", org.id, org.name, before, after)
    return org


# --- places -----------------------------------------------------------------------

LEVEL_WORDS = {
    "county": "county",
    "区县": "county",
    "县": "county",
    "区": "county",
    "township": "township",
    "乡镇": "township",
    "乡镇街道": "township",
    "街道": "township",
    "乡": "township",
    "镇": "township",
    "village": "village",
    "村": "village",
    "社区": "village",
    "村社区": "village",
    "村居": "village",
}


def short_code(code: str, level: str) -> str:
    """The code as the tree keeps it: 6 digits for a county, 9 for a township, 12 for a
    village (统计用区划代码 pads the higher levels with zeros)."""
    return code[: {"county": 6, "township": 9}.get(level, 12)]


def code_problem(code: str, level: str, county: Jurisdiction) -> tuple[str, object] | None:
    """(field, message) of what is wrong with a 12-digit statistical code, or None."""
    if not (len(code) == 12 and code.isascii() and code.isdigit()):
        return "code", _l("The code must have exactly 12 digits.")
    if not code.startswith(county.code[:6]):
        return "code", _l("The code is outside your county (%(code)s).", code=county.code[:6])
    if level not in JURISDICTION_LEVELS:
        return "level", _l("Unknown level: county, township or village.")
    expected = "county" if code[6:] == "000000" else "township" if code[9:] == "000" else "village"
    if expected != level:
        return "level", _l("The code is that of a %(level)s.", level=JURISDICTION_LEVELS[expected])
    return None


def parent_code(code: str, level: str) -> str | None:
    return {"township": code[:6], "village": code[:9]}.get(level)


def place_snapshot(place: Jurisdiction) -> dict:
    return {"code": place.code, "name": place.name, "level": place.level, "active": place.active}


def places(county: Jurisdiction) -> list[Jurisdiction]:
    return db.session.scalars(
        select(Jurisdiction)
        .where(Jurisdiction.path.startswith(county.path))
        .order_by(Jurisdiction.path)
    ).all()


def add_place(actor: User, data: dict) -> Jurisdiction:
    county = require_admin(actor)
    _known(data, {"code", "name", "level"})
    errors: dict = {}
    code = _text(data, "code", errors, 12)
    name = _text(data, "name", errors, 100)
    level = LEVEL_WORDS.get(str(data.get("level") or "").strip(), str(data.get("level") or ""))
    parent = None
    if code is not None:
        problem = code_problem(code, level, county)
        if problem is not None:
            errors[problem[0]] = [problem[1]]
        elif level == "county":
            errors["level"] = [_l("The county itself exists; add townships and villages.")]
        else:
            short = short_code(code, level)
            if db.session.scalar(select(Jurisdiction.id).where(Jurisdiction.code == short)):
                errors["code"] = [_l("A place with this code exists.")]
            parent = db.session.scalar(
                select(Jurisdiction).where(Jurisdiction.code == parent_code(code, level))
            )
            if parent is None and "code" not in errors:
                errors["code"] = [_l("The place above this one does not exist.")]
    _raise(errors)
    place = Jurisdiction.make(short_code(code, level), name, level, parent)
    db.session.add(place)
    db.session.flush()
    record(actor, "place.add", "place", place.id, place.name, None, place_snapshot(place))
    return place


def update_place(actor: User, place: Jurisdiction, data: dict) -> Jurisdiction:
    """Rename, deactivate or reactivate; the code never changes."""
    county = require_admin(actor)
    if "code" in data and data["code"] != place.code:
        raise ValidationFailed(fields={"code": [_l("A place's code never changes.")]})
    _known(data, {"name", "active", "code"})
    errors: dict = {}
    name = _text(data, "name", errors, 100) if "name" in data else None
    active = _flag(data, "active", errors)
    _raise(errors)
    if active is False and place.id == county.id:
        raise StateConflict(_l("The county itself cannot be deactivated."))
    before = place_snapshot(place)
    if name is not None:
        place.name = name
    if active is not None:
        place.active = active
    after = place_snapshot(place)
    if after != before:
        record(actor, "place.edit", "place", place.id, place.name, before, after)
    return place


def delete_place(actor: User, place: Jurisdiction) -> None:
    """Only a place nothing refers to: never one with cases, units, places below or rules."""
    county = require_admin(actor)
    if place.id == county.id:
        raise StateConflict(_l("The county itself cannot be deleted."))
    used = (
        (Case, Case.jurisdiction_id, _l("It has cases: deactivate it instead.")),
        (Jurisdiction, Jurisdiction.parent_id, _l("Places lie below it.")),
        (Organisation, Organisation.jurisdiction_id, _l("Units are based there.")),
        (RuleOverride, RuleOverride.jurisdiction_id, _l("Rule overrides are set for it.")),
    )
    for model, column, message in used:
        if db.session.scalar(select(func.count()).select_from(model).where(column == place.id)):
            raise StateConflict(message)
    before = place_snapshot(place)
    try:
        with db.session.begin_nested():
            db.session.execute(
                db.text("DELETE FROM organisation_places WHERE jurisdiction_id = :id"),
                {"id": place.id},
            )
            db.session.delete(place)
            db.session.flush()
    except IntegrityError:
        raise StateConflict(_l("Records refer to this place: deactivate it instead.")) from None
    record(actor, "place.delete", "place", None, before["name"], before, None)
