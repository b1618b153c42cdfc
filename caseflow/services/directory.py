"""The service directory: the units a case may be referred to, and their order in the
referral picker (units serving the case's place first, the most specific place first;
then by type, then by name). Inactive units and units that take no referrals (the
statistics bureau) are never offered."""

from sqlalchemy import select

from ..extensions import db
from ..models import Case, Organisation, User
from ..vocab import ORG_TYPES

TYPE_ORDER = {code: n for n, code in enumerate(ORG_TYPES)}


def referable(actor: User) -> list[Organisation]:
    return db.session.scalars(
        select(Organisation).where(
            Organisation.active.is_(True),
            Organisation.referable.is_(True),
            Organisation.id != actor.organisation_id,
        )
    ).all()


def closeness(org: Organisation, case: Case | None) -> int:
    """How closely the unit serves the case's place: the depth of the most specific place
    it serves on the case's path (0: it serves none of them)."""
    if case is None:
        return 0
    path = case.jurisdiction.path
    return max(
        (p.path.count("/") for p in org.serves if path.startswith(p.path)),
        default=0,
    )


def ordered(actor: User, case: Case | None) -> list[tuple[Organisation, int]]:
    units = [(org, closeness(org, case)) for org in referable(actor)]
    return sorted(units, key=lambda u: (-u[1], TYPE_ORDER.get(u[0].type, 99), u[0].name))


def groups(actor: User, case: Case | None) -> list[dict]:
    """The picker's groups by type, in the order of their closest unit; each unit with
    whether it serves the case's place."""
    out: dict[str, dict] = {}
    for org, close in ordered(actor, case):
        group = out.setdefault(org.type, {"type": org.type, "units": []})
        group["units"].append({"org": org, "serves_case": close > 0})
    return list(out.values())
