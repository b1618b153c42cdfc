"""Rule-pack overrides set in the app by a county's administrator, for the county or one
of its townships: the rule pack file stays the default, an override here wins over the
file's entry for the same place and deadline, the most specific place still wins. Every
change is a row of rule_override_changes (who, when, before, after) and an administrative
event; the pack in force is rebuilt when the newest change differs, so a change applies
to the next deadline opened, with no restart."""

import copy

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import timeutil
from ..deadlines.bounds import LAW_BOUNDS
from ..deadlines.rules import Rule, RulePack, load
from ..extensions import db
from ..models import Jurisdiction, RuleOverride, RuleOverrideChange, User
from .errors import NotFound, ValidationFailed

OVERRIDE_LEVELS = ("county", "township")
MAX_LENGTH = {"days": 3650, "hours": 24 * 366}
_packs: dict[tuple, RulePack] = {}


def _rows() -> tuple:
    """The overrides in force, as plain values (small table: one query per use)."""
    return tuple(
        db.session.execute(
            select(
                Jurisdiction.code,
                RuleOverride.kind,
                RuleOverride.hours,
                RuleOverride.days,
                RuleOverride.basis,
                RuleOverride.basis_en,
            )
            .join(Jurisdiction, Jurisdiction.id == RuleOverride.jurisdiction_id)
            .order_by(RuleOverride.id)
        ).all()
    )


def current_pack() -> RulePack:
    """The file's pack with the app's overrides laid over it, rebuilt whenever the
    overrides differ from the last build (no restart, no stale pack)."""
    path = current_app.config["RULE_PACK"]
    base = load(path)
    key = (path, id(base), _rows())
    pack = _packs.get(key)
    if pack is None:
        pack = with_overrides(base, key[2])
        if len(_packs) > 16:
            _packs.clear()
        _packs[key] = pack
    return pack


def with_overrides(base: RulePack, rows) -> RulePack:
    pack = copy.copy(base)
    pack.overrides = {code: dict(rules) for code, rules in base.overrides.items()}
    pack.set_here = set()  # (code, kind) set in the app, not in the file
    for code, kind, hours, days, basis, basis_en in rows:
        if kind not in base.defaults:
            continue  # a deadline the file no longer has
        rule = Rule(kind, hours, days, basis, basis_en or basis, base.defaults[kind].counts_from)
        pack.overrides.setdefault(code, {})[kind] = rule
        pack.set_here.add((code, kind))
    return pack


def source_of(pack: RulePack, kind: str, path: str) -> tuple[str | None, str]:
    """(place code, "override" set here / "file" override / "default") of a rule."""
    for code in reversed([c for c in path.split("/") if c]):
        if kind in pack.overrides.get(code, {}):
            here = (code, kind) in getattr(pack, "set_here", set())
            return code, "override" if here else "file"
    return None, "default"


def snapshot(row: RuleOverride | None) -> dict | None:
    if row is None:
        return None
    return {
        "hours": row.hours,
        "days": row.days,
        "basis": row.basis,
        "basis_en": row.basis_en,
    }


def check(kind: str, unit: str, length, basis: str, basis_en: str) -> dict:
    """The override's fields, or 422 naming each problem (the law's bounds, the basis)."""
    pack = load(current_app.config["RULE_PACK"])
    errors: dict[str, list] = {}
    if kind not in pack.defaults:
        raise ValidationFailed(fields={"kind": [_l("No such deadline in the rule pack.")]})
    bound = LAW_BOUNDS.get(kind)
    if unit not in ("days", "hours"):
        errors["unit"] = [_l("Choose days or hours.")]
    elif bound is not None and unit != bound.unit:
        errors["unit"] = [
            _l(
                "The law counts this period in %(unit)s.",
                unit=_l("days") if bound.unit == "days" else _l("hours"),
            )
        ]
    value = None
    if isinstance(length, bool) or not isinstance(length, int | str):
        errors["length"] = [_l("A whole number greater than zero.")]
    else:
        text = str(length).strip()
        if not text.isascii() or not text.isdigit() or int(text) <= 0:
            errors["length"] = [_l("A whole number greater than zero.")]
        else:
            value = int(text)
    if value is not None and "unit" not in errors:
        if value > MAX_LENGTH[unit]:
            errors["length"] = [_l("At most %(n)d.", n=MAX_LENGTH[unit])]
        elif bound is not None and bound.exact and value != bound.most:
            errors["length"] = [
                _l(
                    "The law sets exactly %(n)d for this period (%(basis)s); it cannot change.",
                    n=bound.most,
                    basis=bound.basis,
                )
            ]
        elif bound is not None and value > bound.most:
            errors["length"] = [
                _l(
                    "The law allows at most %(n)d for this period (%(basis)s).",
                    n=bound.most,
                    basis=bound.basis,
                )
            ]
    basis = (basis or "").strip()
    if not basis:
        errors["basis"] = [_l("The legal basis is required.")]
    elif len(basis) > 1000:
        errors["basis"] = [_l("At most %(n)d characters.", n=1000)]
    basis_en = (basis_en or "").strip()
    if len(basis_en) > 1000:
        errors["basis_en"] = [_l("At most %(n)d characters.", n=1000)]
    if errors:
        raise ValidationFailed(fields=errors)
    return {
        "hours": value if unit == "hours" else None,
        "days": value if unit == "days" else None,
        "basis": basis,
        "basis_en": basis_en or None,
    }


def overridable(county: Jurisdiction, place: Jurisdiction | None) -> Jurisdiction:
    """The place an override may be set for: the county or one of its townships (404)."""
    if place is None or not place.path.startswith(county.path):
        raise NotFound()
    if place.level not in OVERRIDE_LEVELS:
        raise ValidationFailed(
            fields={"place": [_l("Overrides are set for the county or a township.")]}
        )
    return place


def _record(actor: User, place: Jurisdiction, kind: str, before, after) -> None:
    from .administration import record

    db.session.add(
        RuleOverrideChange(
            at=timeutil.now(),
            actor_id=actor.id,
            jurisdiction_id=place.id,
            kind=kind,
            before=before,
            after=after,
        )
    )
    record(
        actor,
        "rule.set" if after is not None else "rule.remove",
        "rule",
        place.id,
        f"{place.name} · {kind}",
        before,
        after,
    )


def existing(place: Jurisdiction, kind: str) -> RuleOverride | None:
    return db.session.scalar(
        select(RuleOverride).where(
            RuleOverride.jurisdiction_id == place.id, RuleOverride.kind == kind
        )
    )


def set_override(actor: User, place: Jurisdiction, kind: str, fields: dict) -> RuleOverride:
    row = existing(place, kind)
    before = snapshot(row)
    if row is None:
        row = RuleOverride(jurisdiction=place, kind=kind)
        db.session.add(row)
    row.hours, row.days = fields["hours"], fields["days"]
    row.basis, row.basis_en = fields["basis"], fields["basis_en"]
    row.updated_by_id, row.updated_at = actor.id, timeutil.now()
    _record(actor, place, kind, before, snapshot(row))
    return row


def remove_override(actor: User, place: Jurisdiction, kind: str) -> None:
    row = existing(place, kind)
    if row is None:
        raise NotFound(_l("No override of this deadline is set here."))
    before = snapshot(row)
    db.session.delete(row)
    _record(actor, place, kind, before, None)


def history(county: Jurisdiction, limit: int = 200) -> list[RuleOverrideChange]:
    return db.session.scalars(
        select(RuleOverrideChange)
        .join(Jurisdiction, Jurisdiction.id == RuleOverrideChange.jurisdiction_id)
        .where(Jurisdiction.path.startswith(county.path))
        .order_by(RuleOverrideChange.id.desc())
        .limit(limit)
    ).all()
