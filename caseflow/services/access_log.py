"""The access log: every answer that shows a case's identities writes one row (who, when,
which case, through which channel) in the same transaction as the answer.

Reading the log is itself a read: the viewer's pages and exports log the cases they show.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from .. import policy, timeutil
from ..extensions import db
from ..models import AccessLog, Case, MandatoryReport, Referral, User
from ..vocab import ACCESS_CHANNELS

# The doors an identity can leave through (access_log.channel):
# page, api_detail, api_list, search, prefill, hotline_preview, print, export, attachment,
# list (a page listing cases), log_viewer (the access-log viewer showing a case's readers).
CHANNELS = tuple(ACCESS_CHANNELS)


def log_access(user: User, case: Case, channel: str, what: str = "view") -> None:
    """One read of one case. Added to the session: committed with the answer itself."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown access-log channel {channel!r}")
    db.session.add(
        AccessLog(at=timeutil.now(), user_id=user.id, case_id=case.id, channel=channel, what=what)
    )


def log_reads(user: User, cases, channel: str, what: str = "view", visible=None) -> int:
    """The cases of a list or search answer whose identities this user sees unmasked: one
    row each (a list of masked names shows no identity and logs nothing). `visible`: those
    case ids when the caller already asked (policy.identity_visible_ids)."""
    ids = [c.id for c in cases]
    if not ids:
        return 0
    if visible is None:
        visible = policy.identity_visible_ids(user, ids)
    if channel not in CHANNELS:
        raise ValueError(f"unknown access-log channel {channel!r}")
    at = timeutil.now()
    rows = [
        {"at": at, "user_id": user.id, "case_id": i, "channel": channel, "what": what}
        for i in dict.fromkeys(ids)
        if i in visible
    ]
    if rows:  # one statement for the page, whatever its length
        db.session.execute(insert(AccessLog), rows)
    return len(visible)


# --- reading the log ---------------------------------------------------------------------


@dataclass
class LogFilters:
    """What the viewer asks for: local dates (inclusive), a user, a case, a channel."""

    date_from: date | None = None
    date_to: date | None = None
    user_id: int | None = None
    case_id: int | None = None
    channel: str | None = None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        zone = timeutil.local_zone()
        start = datetime.combine(self.date_from, time(0), tzinfo=zone) if self.date_from else None
        end = (
            datetime.combine(self.date_to + timedelta(days=1), time(0), tzinfo=zone)
            if self.date_to
            else None
        )
        return start, end


def _conditions(reader: User, filters: LogFilters) -> list:
    """The rows this reader may see (policy.access_log_scope) that match the filters."""
    conditions = [AccessLog.case_id.in_(select(Case.id).where(policy.access_log_scope(reader)))]
    start, end = filters.bounds()
    if start is not None:
        conditions.append(AccessLog.at >= start)
    if end is not None:
        conditions.append(AccessLog.at < end)
    if filters.user_id is not None:
        conditions.append(AccessLog.user_id == filters.user_id)
    if filters.case_id is not None:
        conditions.append(AccessLog.case_id == filters.case_id)
    if filters.channel:
        conditions.append(AccessLog.channel == filters.channel)
    return conditions


def rows(reader: User, filters: LogFilters, page: int = 1, per_page: int = 100):
    """(rows, total): the matching reads, newest first, each (AccessLog, reader, Case)."""
    conditions = _conditions(reader, filters)
    total = db.session.scalar(select(func.count()).select_from(AccessLog).where(*conditions))
    found = db.session.execute(
        select(AccessLog, User, Case)
        .join(User, AccessLog.user_id == User.id)
        .join(Case, AccessLog.case_id == Case.id)
        .where(*conditions)
        .order_by(AccessLog.at.desc(), AccessLog.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return found, total


def readers_of(reader: User, case: Case) -> list[dict]:
    """Who read a case and how: per user and channel, how many times, first and last."""
    found = db.session.execute(
        select(
            AccessLog.user_id,
            AccessLog.channel,
            func.count(),
            func.min(AccessLog.at),
            func.max(AccessLog.at),
        )
        .where(*_conditions(reader, LogFilters(case_id=case.id)))
        .group_by(AccessLog.user_id, AccessLog.channel)
    ).all()
    users = {
        u.id: u for u in db.session.scalars(select(User).where(User.id.in_({r[0] for r in found})))
    }
    summary = [
        {
            "user": users[user_id],
            "channel": channel,
            "count": count,
            "first": _utc(first),
            "last": _utc(last),
        }
        for user_id, channel, count, first, last in found
    ]
    return sorted(summary, key=lambda s: s["last"], reverse=True)


def log_shown(reader: User, cases, channel: str = "log_viewer", what: str = "access_log") -> None:
    """The viewer's own reads: each case it showed the readers of (or exported) is a read."""
    seen = set()
    for case in cases:
        if case.id not in seen:
            seen.add(case.id)
            log_access(reader, case, channel, what)


# --- unusual reading ---------------------------------------------------------------------

# Local hours that count as night (22:00–06:00): few people work a case then.
NIGHT_START, NIGHT_END = 22, 6
# How many distinct cases outside a user's own work, or of other units, make a reader
# stand out in a period (the report's defaults; the page can ask for others).
MANY_OUTSIDE_WORK = 10
MANY_OTHER_UNIT = 5


def _utc(value: datetime) -> datetime:
    """Aggregates may come back without the column's type (naive UTC on SQLite)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _is_night(at: datetime) -> bool:
    hour = timeutil.to_local(at).hour
    return hour >= NIGHT_START or hour < NIGHT_END


@dataclass
class Unusual:
    """One reader who stands out, and why: the cases behind each count."""

    user: User
    outside_work: set = field(default_factory=set)  # case ids
    other_unit: set = field(default_factory=set)
    night: list = field(default_factory=list)  # (at, case id)

    def reasons(self, many_outside: int, many_other: int) -> list[str]:
        found = []
        if len(self.outside_work) >= many_outside:
            found.append("outside_work")
        if len(self.other_unit) >= many_other:
            found.append("other_unit")
        if self.night:
            found.append("night")
        return found


def unusual(
    reader: User,
    filters: LogFilters,
    many_outside: int = MANY_OUTSIDE_WORK,
    many_other: int = MANY_OTHER_UNIT,
) -> list[tuple[Unusual, list[str]]]:
    """Readers who read many cases outside their own work, cases of another unit, or at
    night (local time), among the reads this reader may see. Own work: a case the user
    created, owns or verified, or that their unit owns or was referred."""
    referred = (
        select(Referral.id)
        .where(Referral.case_id == Case.id, Referral.to_org_id == User.organisation_id)
        .exists()
    )
    verified = (
        select(MandatoryReport.case_id)
        .where(MandatoryReport.case_id == Case.id, MandatoryReport.verifier_id == User.id)
        .exists()
    )
    found = db.session.execute(
        select(
            AccessLog.user_id,
            AccessLog.case_id,
            AccessLog.at,
            Case.created_by_id,
            Case.owner_user_id,
            Case.owner_org_id,
            User.organisation_id,
            referred,
            verified,
        )
        .join(User, AccessLog.user_id == User.id)
        .join(Case, AccessLog.case_id == Case.id)
        .where(*_conditions(reader, filters), AccessLog.channel != "log_viewer")
    ).all()
    by_user: dict[int, Unusual] = {}
    for (
        user_id,
        case_id,
        at,
        created_by,
        owner_user,
        owner_org,
        org,
        was_referred,
        verifier,
    ) in found:
        item = by_user.setdefault(user_id, Unusual(user=None))
        own_unit = owner_org == org
        if not (user_id in (created_by, owner_user) or own_unit or was_referred or verifier):
            item.outside_work.add(case_id)
        if owner_org is not None and not own_unit and not was_referred:
            item.other_unit.add(case_id)
        if _is_night(_utc(at)):
            item.night.append((_utc(at), case_id))
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(by_user)))}
    report = []
    for user_id, item in by_user.items():
        item.user = users[user_id]
        reasons = item.reasons(many_outside, many_other)
        if reasons:
            report.append((item, reasons))
    report.sort(key=lambda r: (-len(r[1]), -len(r[0].outside_work), r[0].user.username))
    return report
