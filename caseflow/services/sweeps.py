"""The sweep: everything time does to cases, run by the scheduler (or cron). Two sweeps
never run at once: each takes a database lock first (a PostgreSQL advisory lock, on SQLite
a write to its lock row) and a sweep that finds it taken skips its turn.

1. open deadlines past due are marked missed (one conditional UPDATE);
2. protection orders past their last day expire (rows claimed with SKIP LOCKED; each
   expiry is a step with its chained event);
3. reminders: a deadline due within REMINDER_WINDOW tells the people handling the case;
4. escalation: a missed deadline tells them, and after ESCALATE_AFTER the supervisors of
   the case's place; an unanswered referral past due tells the receiving unit and, after
   ESCALATE_AFTER, the supervisors over it;
5. protection orders: reminders 30 and 7 days before expiry (the rule pack's days).

The scheduler's sweep job and `flask sweep` also tell administrators and supervisors, once,
from 1 November while next year has no official holiday calendar
(services.calendar.announce_missing_notice).

Every kind of message is one `INSERT … SELECT … ON CONFLICT (key) DO NOTHING`: the rows
to tell and their recipients are chosen, and the texts written, by the database. Every
message has a key naming its cause, so it exists once whatever the number of runs. A
missed deadline records when its handlers (`escalated_at`) and its supervisors
(`escalated_up_at`) were told, so a sweep with nothing new reads only what is not yet
told (a partial index holds exactly those rows): the people told are those handling the
case, or supervising its place, when the deadline is missed.
A scheduler that was down catches up by the same rules: what is due is found by state,
not by when the last run was.

The texts hold no free text of a case (a case number, the label of a kind of deadline, a
time, a unit's name), so they read the same to every recipient and need no redaction.
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from .. import policy, timeutil
from ..deadlines import ledger
from ..deadlines.rules import load
from ..deadlines.windows import PARTY_WINDOWS
from ..extensions import db
from ..models import (
    Case,
    Deadline,
    Jurisdiction,
    Notification,
    Organisation,
    ProtectionOrder,
    Referral,
    User,
)
from ..timeutil import UTCDateTime
from ..vocab import DEADLINE_KINDS, label
from ..workflows import WORKFLOWS
from .protection_order import expire_due

log = logging.getLogger(__name__)

REMINDER_WINDOW = timedelta(hours=24)
ESCALATE_AFTER = timedelta(hours=24)
# pg_advisory_xact_lock key of the sweep ("cfsw"); released when the sweep commits.
LOCK_KEY = 0x63667377
LOCK_NAME = "sweep"


@dataclass
class SweepResult:
    missed: int = 0
    expired: int = 0
    notified: dict = field(default_factory=dict)
    skipped: bool = False  # another sweep held the lock

    def count(self, kind: str, n: int) -> None:
        if n:  # a kind with nothing to tell is not listed (as `flask sweep` has always said)
            self.notified[kind] = self.notified.get(kind, 0) + n


# --- who is told (also used one case at a time by visits and attachments) -----------------


def handlers(case: Case) -> list[User]:
    """Who is told about a case's deadlines: its assigned worker, else the active users of
    the owning unit whose role handles that type of case."""
    if case.owner_user is not None and case.owner_user.active:
        return [case.owner_user]
    if case.owner_org_id is None:
        return []
    users = db.session.scalars(
        select(User).where(User.organisation_id == case.owner_org_id, User.active)
    ).all()
    return [u for u in users if case.type in policy.ROLE_CASE_TYPES.get(u.role, ())]


def supervisors_over(jurisdiction: Jurisdiction) -> list[User]:
    """Active supervisors whose area contains the place."""
    users = db.session.scalars(
        select(User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(User.role == "supervisor", User.active)
    ).all()
    return [u for u in users if u.organisation.jurisdiction.contains(jurisdiction)]


# --- the same, as SQL over many cases ----------------------------------------------------------

Owner = aliased(User, name="owner")
Recipient = aliased(User, name="recipient")
CasePlace = aliased(Jurisdiction, name="case_place")
ToOrg = aliased(Organisation, name="to_org")
ToPlace = aliased(Jurisdiction, name="to_place")


def _handles_type():
    """The recipient's role handles the case's type (policy.ROLE_CASE_TYPES)."""
    pairs = [
        and_(Recipient.role == role, Case.type.in_(sorted(types)))
        for role, types in sorted(policy.ROLE_CASE_TYPES.items())
        if types
    ]
    return or_(*pairs) if pairs else false()


def _handler_selects(stmt):
    """`stmt` (a select over Case) once joined to the assigned worker, once to the owning
    unit's users when no active worker is assigned: the two halves of handlers()."""
    assigned = stmt.join(Recipient, and_(Recipient.id == Case.owner_user_id, Recipient.active))
    unit = (
        stmt.outerjoin(Owner, and_(Owner.id == Case.owner_user_id, Owner.active))
        .join(
            Recipient,
            and_(Recipient.organisation_id == Case.owner_org_id, Recipient.active),
        )
        .where(Owner.id.is_(None), _handles_type())
    )
    return [assigned, unit]


def _supervisor_selects(stmt, place) -> list:
    """`stmt` joined to each active supervisor whose area contains `place` (a Jurisdiction
    alias already in `stmt`): one select per supervisor, with the area's path as a
    constant, so the database starts from the few rows to tell (supervisors are few)."""
    supervisors = db.session.execute(
        select(User.id, Jurisdiction.path)
        .join(Organisation, Organisation.id == User.organisation_id)
        .join(Jurisdiction, Jurisdiction.id == Organisation.jurisdiction_id)
        .where(User.role == "supervisor", User.active)
        .order_by(User.id)
    ).all()
    return [
        stmt.join(Recipient, Recipient.id == user_id).where(place.path.startswith(path))
        for user_id, path in supervisors
    ]


def _case_is_open():
    return or_(
        *(
            and_(Case.type == name, Case.state.not_in(sorted(wf.final_states)))
            for name, wf in sorted(WORKFLOWS.items())
        )
    )


def _str(expr):
    return cast(expr, String)


def _local_text(column, fmt_pg: str, fmt_sqlite: str, shift: str = ""):
    """A stored UTC time as local wall-clock text (the zone's offset is fixed, as in
    indicators/sql.py): `fmt_pg` for to_char, `fmt_sqlite` for strftime."""
    offset = timeutil.local_zone().utcoffset(datetime(2000, 1, 1)) or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if _sqlite():
        modifiers = [f"{minutes:+d} minutes"] + ([shift] if shift else [])
        return func.strftime(fmt_sqlite, column, *modifiers)
    shifted = column + literal_column(f"interval '{minutes} minutes'")
    if shift:
        shifted = shifted + literal_column(f"interval '{shift}'")
    return func.to_char(shifted, fmt_pg)


def _when(column):
    return _local_text(column, "YYYY-MM-DD HH24:MI", "%Y-%m-%d %H:%M")


def _kind_label():
    return case(
        *((Deadline.kind == code, literal(label(DEADLINE_KINDS, code))) for code in DEADLINE_KINDS),
        else_=Deadline.kind,
    )


def _template(message: str, **parts):
    """A translated message with %(name)s placeholders, as a SQL concatenation of its
    literal pieces and the SQL expressions in `parts`."""
    pieces, position = [], 0
    for match in re.finditer(r"%\((\w+)\)s", message):
        pieces.append(literal(message[position : match.start()].replace("%%", "%")))
        pieces.append(parts[match.group(1)])
        position = match.end()
    pieces.append(literal(message[position:].replace("%%", "%")))
    expr = pieces[0]
    for piece in pieces[1:]:
        expr = expr.op("||")(piece)
    return expr


def _provisional():
    return case((Deadline.provisional, literal(_(" (provisional calendar)"))), else_=literal(""))


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


COLUMNS = (
    "key",
    "user_id",
    "case_id",
    "kind",
    "subject",
    "body",
    "link",
    "created_at",
    "email_status",
    "email_attempts",
)


def _rows(stmt, key, kind: str, subject, now):
    """The notification columns for the rows of `stmt` (Case and Recipient joined)."""
    email = case(
        (
            and_(
                Recipient.email.is_not(None),
                Recipient.email != "",
                Recipient.notify_mode == "immediate",
            ),
            literal("pending"),
        ),
        else_=literal("none"),
    )
    return stmt.with_only_columns(
        key.op("||")(literal(":u")).op("||")(_str(Recipient.id)),
        Recipient.id,
        Case.id,
        literal(kind),
        func.substr(subject, 1, 200),
        subject,
        literal("/cases/").op("||")(_str(Case.id)),
        literal(now, UTCDateTime()),
        email,
        literal(0, Integer()),
    ).where(true())  # SQLite: INSERT … SELECT … ON CONFLICT needs a WHERE


def _insert(selects) -> int:
    """INSERT the rows of `selects` (UNION ALL) as notifications, each key once."""
    if not selects:
        return 0
    source = selects[0] if len(selects) == 1 else selects[0].union_all(*selects[1:])
    insert = sqlite_insert if _sqlite() else pg_insert
    statement = (
        insert(Notification.__table__)
        .from_select(list(COLUMNS), source)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Notification.__table__.c.id)
    )
    # Counted from RETURNING: psycopg reports no rowcount for INSERT … SELECT here.
    return len(db.session.execute(statement).all())


# --- the kinds of effect ------------------------------------------------------------------------


def remind_due_soon(now, result: SweepResult) -> None:
    base = (
        select(Case.id)
        .select_from(Deadline)
        .join(Case, Case.id == Deadline.case_id)
        .where(
            Deadline.status == "open",
            Deadline.due_at >= now,
            Deadline.due_at <= now + REMINDER_WINDOW,
        )
    )
    subject = _template(
        _("%(number)s: %(what)s due %(when)s"),
        number=Case.number,
        what=_kind_label(),
        when=_when(Deadline.due_at),
    ).op("||")(_provisional())
    key = literal("due-soon:").op("||")(_str(Deadline.id))
    selects = [_rows(s, key, "reminder", subject, now) for s in _handler_selects(base)]
    result.count("reminder", _insert(selects))


def _missed(marker):
    """Missed deadlines of open cases, no referral's, not a party's window, not yet told
    at this stage (`marker` unset)."""
    return and_(
        Deadline.status == "missed",
        Deadline.closed_at.is_(None),
        marker.is_(None),
        Deadline.referral_id.is_(None),
        Deadline.kind.not_in(sorted(PARTY_WINDOWS)),
        _case_is_open(),
    )


def _missed_subject():
    return _template(
        _("%(number)s: %(what)s overdue since %(when)s"),
        number=Case.number,
        what=_kind_label(),
        when=_when(Deadline.due_at),
    ).op("||")(_provisional())


def _mark(marker_name: str, condition, now) -> None:
    """Record that the deadlines matching `condition` (on Deadline and Case) were told:
    one UPDATE … FROM cases."""
    db.session.execute(
        update(Deadline)
        .where(Deadline.case_id == Case.id, condition)
        .values({marker_name: now})
        .execution_options(synchronize_session=False)
    )


def escalate_missed(now, result: SweepResult) -> None:
    base = (
        select(Case.id)
        .select_from(Deadline)
        .join(Case, Case.id == Deadline.case_id)
        .where(_missed(Deadline.escalated_at))
    )
    key = literal("missed:").op("||")(_str(Deadline.id))
    subject = _missed_subject()
    selects = [_rows(s, key, "escalation", subject, now) for s in _handler_selects(base)]
    result.count("escalation", _insert(selects))
    _mark("escalated_at", _missed(Deadline.escalated_at), now)

    late = and_(_missed(Deadline.escalated_up_at), Deadline.due_at <= now - ESCALATE_AFTER)
    up = (
        select(Case.id)
        .select_from(Deadline)
        .join(Case, Case.id == Deadline.case_id)
        .join(CasePlace, CasePlace.id == Case.jurisdiction_id)
        .where(late)
    )
    key = literal("missed-supervisor:").op("||")(_str(Deadline.id))
    selects = [
        _rows(q, key, "escalation", subject, now) for q in _supervisor_selects(up, CasePlace)
    ]
    result.count("escalation", _insert(selects))
    _mark("escalated_up_at", late, now)


def _referral_missed(marker):
    return and_(
        Deadline.status == "missed",
        Deadline.closed_at.is_(None),
        marker.is_(None),
        Deadline.kind.not_in(sorted(PARTY_WINDOWS)),
        Referral.status.in_(("sent", "accepted")),
        _case_is_open(),
    )


def _mark_referrals(marker_name: str, condition, now) -> None:
    db.session.execute(
        update(Deadline)
        .where(Deadline.case_id == Case.id, Deadline.referral_id == Referral.id, condition)
        .values({marker_name: now})
        .execution_options(synchronize_session=False)
    )


def escalate_referrals(now, result: SweepResult) -> None:
    """An unanswered referral past due: its receiving unit, then the supervisors over it."""

    def base(condition):
        return (
            select(Case.id)
            .select_from(Deadline)
            .join(Referral, Referral.id == Deadline.referral_id)
            .join(Case, Case.id == Deadline.case_id)
            .join(ToOrg, ToOrg.id == Referral.to_org_id)
            .join(ToPlace, ToPlace.id == ToOrg.jurisdiction_id)
            .where(condition)
        )

    subject = _template(
        _("%(number)s: the referral to %(org)s is unanswered since %(when)s"),
        number=Case.number,
        org=ToOrg.name,
        when=_when(Deadline.due_at),
    )
    told = _referral_missed(Deadline.escalated_at)
    receivers = base(told).join(
        Recipient,
        and_(
            Recipient.organisation_id == Referral.to_org_id,
            Recipient.active,
            # Only the people who answer referrals: a unit's data reporter handles no cases.
            Recipient.role.not_in(sorted(policy.NO_IDENTITY_ROLES)),
        ),
    )
    key = literal("referral-overdue:").op("||")(_str(Referral.id))
    result.count("escalation", _insert([_rows(receivers, key, "escalation", subject, now)]))
    _mark_referrals("escalated_at", told, now)

    late = and_(_referral_missed(Deadline.escalated_up_at), Deadline.due_at <= now - ESCALATE_AFTER)
    key = literal("referral-overdue-supervisor:").op("||")(_str(Referral.id))
    selects = [
        _rows(q, key, "escalation", subject, now) for q in _supervisor_selects(base(late), ToPlace)
    ]
    result.count("escalation", _insert(selects))
    _mark_referrals("escalated_up_at", late, now)


def settle_untold(now) -> None:
    """Missed deadlines nobody is told about — of a closed case, of a referral answered or
    withdrawn, a party's own window — are set aside, so no later sweep reads them again.
    (A case reopened later is followed by the deadlines its reopening opens.)"""
    referral_closed = and_(
        Deadline.referral_id.is_not(None),
        ~select(Referral.id)
        .where(Referral.id == Deadline.referral_id, Referral.status.in_(("sent", "accepted")))
        .exists(),
    )
    db.session.execute(
        update(Deadline)
        .where(
            Deadline.case_id == Case.id,
            Deadline.status == "missed",
            Deadline.closed_at.is_(None),
            or_(Deadline.escalated_at.is_(None), Deadline.escalated_up_at.is_(None)),
            or_(
                ~_case_is_open(),
                Deadline.kind.in_(sorted(PARTY_WINDOWS)),
                referral_closed,
            ),
        )
        .values(
            escalated_at=func.coalesce(Deadline.escalated_at, literal(now, UTCDateTime())),
            escalated_up_at=func.coalesce(Deadline.escalated_up_at, literal(now, UTCDateTime())),
        )
        .execution_options(synchronize_session=False)
    )


def remind_expiring_orders(now, result: SweepResult) -> None:
    """The nearest reminder that is due (7 before 30): an order within 7 days of expiry
    gets the 7-day one, one within 30 (and not 7) the 30-day one. The expiry date is in
    the key: an extended order is reminded again."""
    reminder = load(current_app.config["RULE_PACK"]).reminders.get("order_expiry")
    if reminder is None:
        return
    subject = _template(
        _(
            "%(number)s: the protection order is in force until %(day)s; an extension "
            "must be applied for before then"
        ),
        number=Case.number,
        day=_local_text(ProtectionOrder.expires_at, "YYYY-MM-DD", "%Y-%m-%d", "-1 day"),
    )
    # The UTC date of the expiry, as date().isoformat() gives it.
    expiry_day = (
        func.strftime("%Y-%m-%d", ProtectionOrder.expires_at)
        if _sqlite()
        else func.to_char(ProtectionOrder.expires_at, "YYYY-MM-DD")
    )
    nearer = now
    for days in sorted(reminder.days_before):
        base = (
            select(Case.id)
            .select_from(ProtectionOrder)
            .join(Case, Case.id == ProtectionOrder.case_id)
            .where(
                Case.state.in_(("issued", "in_force")),
                ProtectionOrder.expires_at > nearer,
                ProtectionOrder.expires_at <= now + timedelta(days=days),
            )
        )
        key = (
            literal("expiry:")
            .op("||")(_str(Case.id))
            .op("||")(literal(f":{days}:"))
            .op("||")(expiry_day)
        )
        selects = [_rows(s, key, "reminder", subject, now) for s in _handler_selects(base)]
        result.count("reminder", _insert(selects))
        nearer = now + timedelta(days=days)


# --- the lock and the run -----------------------------------------------------------------------


def _lock() -> bool:
    """Take the sweep's lock for this transaction; False if another sweep holds it."""
    if not _sqlite():
        return bool(
            db.session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        )
    # SQLite has one writer at a time: writing the lock row first takes the database's
    # write lock until commit, so a second sweep waits for the first (busy timeout), then
    # finds nothing new.
    from ..models import SweepLock

    insert = sqlite_insert(SweepLock.__table__).values(name=LOCK_NAME, started_at=timeutil.now())
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["name"], set_={"started_at": insert.excluded.started_at}
        )
    )
    return True


def run() -> SweepResult:
    """One sweep. The caller commits (which releases the lock)."""
    result = SweepResult()
    if not _lock():
        log.warning("sweep: another sweep is running; this one skips its turn")
        result.skipped = True
        return result
    now = timeutil.now()
    result.expired = expire_due()
    result.missed = ledger.sweep(now)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        remind_due_soon(now, result)
        escalate_missed(now, result)
        escalate_referrals(now, result)
        settle_untold(now)
        remind_expiring_orders(now, result)
    return result


__all__ = ["ESCALATE_AFTER", "REMINDER_WINDOW", "SweepResult", "handlers", "run"]
