"""Proof of the timeline: daily checkpoints of every case's chain head and the
verification of every chain against its keys and its checkpoints.

- `verify` walks each case's events in order and names every break: a seq missing
  (an event deleted in the middle), a link to a previous hash that is not the previous
  event's (deleted or reordered), a hash that its key does not reproduce (an edited event,
  or hashes recomputed by someone without the key), a key id no configured key has, a
  plain legacy hash after keyed ones, and a legacy chain no keyed event or checkpoint
  vouches for. Then it holds the chain against the case's checkpoints: each checkpoint's
  own HMAC, and the event it names still there with the same hash — so deleting the
  newest events, which leaves a shorter chain that is intact in itself, is found.
- `checkpoint` records the head (last seq, its hash) of every chain that verified and
  changed since its last checkpoint. Rows are only ever added (the database refuses
  UPDATE/DELETE); two runs at once insert each head once (unique case_id + seq).
- `nightly` does both, records the run and tells the administrators and the supervisors
  of the place about each new break (case number only, no identity).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import timeutil
from ..extensions import db
from ..models import AuditCheckpoint, AuditVerification, Case, Event, Organisation, User
from . import audit
from .notifications import notify

MAX_DETAILS = 500  # breaks kept on the run's row (the command prints them all)
BATCH = 5000

REASONS = {
    "gap": "events missing before this one (deleted in the middle)",
    "link": "does not point to the event before it (deleted or reordered)",
    "hash": "content does not match its keyed hash (edited, or rehashed without the key)",
    "key": "hashed with an unknown key id",
    "legacy_after_keyed": "plain legacy hash after keyed events",
    "legacy_unsealed": "legacy chain with no keyed event or checkpoint after it",
    "checkpoint_mac": "checkpoint does not match its keyed hash",
    "checkpoint_missing": "the checkpointed event is gone (newest events deleted)",
    "checkpoint_hash": "the checkpointed event's hash differs from the checkpoint",
}

# The same reasons for the administrator's page.
REASON_LABELS = {
    "gap": _l("Events missing before this one (deleted in the middle)"),
    "link": _l("Does not point to the event before it (deleted or reordered)"),
    "hash": _l("Content does not match its keyed hash (edited, or rehashed without the key)"),
    "key": _l("Hashed with an unknown key"),
    "legacy_after_keyed": _l("Plain legacy hash after keyed events"),
    "legacy_unsealed": _l("Legacy chain with no keyed event or checkpoint after it"),
    "checkpoint_mac": _l("Checkpoint does not match its keyed hash"),
    "checkpoint_missing": _l("The checkpointed event is gone (newest events deleted)"),
    "checkpoint_hash": _l("The checkpointed event's hash differs from the checkpoint"),
}


@dataclass(frozen=True)
class Break:
    case_id: int
    seq: int
    reason: str
    number: str = ""

    def describe(self) -> str:
        return f"case {self.case_id} ({self.number}) seq {self.seq}: {REASONS[self.reason]}"

    def as_dict(self) -> dict:
        return {
            "case_id": self.case_id,
            "number": self.number,
            "seq": self.seq,
            "reason": self.reason,
        }


@dataclass
class Result:
    cases: int = 0
    events: int = 0
    checkpoints: int = 0
    breaks: list[Break] = field(default_factory=list)
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)  # intact chains

    @property
    def ok(self) -> bool:
        return not self.breaks


# --------------------------------------------------------------------------- checkpoints


def checkpoint_payload(case_id: int, seq: int, head_hash: str, at: datetime) -> str:
    return f"checkpoint|{case_id}|{seq}|{head_hash}|{at.astimezone(UTC).isoformat()}"


def checkpoint(heads: dict[int, tuple[int, str]], now: datetime | None = None) -> int:
    """Record each given chain head not yet checkpointed. Returns how many were added."""
    # Whole seconds: the time is part of the signed text and must read back the same.
    now = (now or timeutil.now()).replace(microsecond=0)
    key_id = audit.current_key_id()
    rows = [
        {
            "case_id": case_id,
            "seq": seq,
            "head_hash": head_hash,
            "at": now,
            "key_id": key_id,
            "mac": audit.mac(key_id, checkpoint_payload(case_id, seq, head_hash, now)),
        }
        for case_id, (seq, head_hash) in sorted(heads.items())
    ]
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    added = 0
    for start in range(0, len(rows), BATCH):
        statement = (
            insert(AuditCheckpoint)
            .values(rows[start : start + BATCH])
            .on_conflict_do_nothing(index_elements=["case_id", "seq"])
            .returning(AuditCheckpoint.id)
        )
        added += len(db.session.execute(statement).all())
    return added


def legacy_heads(case_id: int | None = None) -> dict[int, tuple[int, str]]:
    """The heads of chains that hold only legacy (plain SHA-256) events: checkpointing
    them once after the upgrade (`flask audit checkpoint --legacy`) seals them under the
    key. Only an operator does this, on chains written before the upgrade."""
    last = (
        select(Event.case_id, func.max(Event.seq).label("seq"))
        .group_by(Event.case_id)
        .having(func.sum(case((Event.key_id != audit.LEGACY_KEY_ID, 1), else_=0)) == 0)
    )
    if case_id is not None:
        last = last.where(Event.case_id == case_id)
    last = last.subquery()
    rows = db.session.execute(
        select(Event.case_id, Event.seq, Event.hash).join(
            last, and_(Event.case_id == last.c.case_id, Event.seq == last.c.seq)
        )
    )
    return {case_id: (seq, head) for case_id, seq, head in rows}


# --------------------------------------------------------------------------- verification


def _events(case_id: int | None) -> Iterator:
    stmt = select(
        Event.case_id,
        Event.seq,
        Event.at,
        Event.actor_id,
        Event.trigger,
        Event.from_state,
        Event.to_state,
        Event.comment,
        Event.data,
        Event.prev_hash,
        Event.hash,
        Event.key_id,
    ).order_by(Event.case_id, Event.seq)
    if case_id is not None:
        stmt = stmt.where(Event.case_id == case_id)
    yield from db.session.execute(stmt.execution_options(yield_per=BATCH))


def _checkpoints(case_id: int | None) -> dict[int, list]:
    stmt = select(AuditCheckpoint).order_by(AuditCheckpoint.case_id, AuditCheckpoint.seq)
    if case_id is not None:
        stmt = stmt.where(AuditCheckpoint.case_id == case_id)
    return {
        cid: list(rows) for cid, rows in groupby(db.session.scalars(stmt), key=lambda c: c.case_id)
    }


def _checkpoint_ok(cp: AuditCheckpoint) -> bool:
    if cp.key_id == audit.LEGACY_KEY_ID or not audit.known_key(cp.key_id):
        return False
    expected = audit.mac(cp.key_id, checkpoint_payload(cp.case_id, cp.seq, cp.head_hash, cp.at))
    return expected == cp.mac


def _check_case(case_id: int, events: list, checkpoints: list, result: Result) -> None:
    found: list[Break] = []
    prev, expected, keyed, legacy_end = audit.GENESIS, 1, False, 0
    hashes = {}
    for e in events:
        hashes[e.seq] = e.hash
        if e.seq != expected:
            found.append(Break(case_id, e.seq, "gap"))
        elif e.prev_hash != prev:
            found.append(Break(case_id, e.seq, "link"))
        if not audit.known_key(e.key_id):
            found.append(Break(case_id, e.seq, "key"))
        elif not audit.event_hash_ok(e.prev_hash, e):
            found.append(Break(case_id, e.seq, "hash"))
        elif e.key_id == audit.LEGACY_KEY_ID:
            if keyed:
                found.append(Break(case_id, e.seq, "legacy_after_keyed"))
            else:
                legacy_end = e.seq
        keyed = keyed or e.key_id != audit.LEGACY_KEY_ID
        prev, expected = e.hash, e.seq + 1
    valid_checkpoints = []
    for cp in checkpoints:
        if not _checkpoint_ok(cp):
            found.append(Break(case_id, cp.seq, "checkpoint_mac"))
            continue
        valid_checkpoints.append(cp)
        if cp.seq not in hashes:
            found.append(Break(case_id, cp.seq, "checkpoint_missing"))
        elif hashes[cp.seq] != cp.head_hash:
            found.append(Break(case_id, cp.seq, "checkpoint_hash"))
    # A legacy prefix is vouched for by the keyed event after it or by a checkpoint at or
    # beyond its end; otherwise anyone could have written it.
    if legacy_end and not keyed and not any(cp.seq >= legacy_end for cp in valid_checkpoints):
        found.append(Break(case_id, legacy_end, "legacy_unsealed"))
    result.breaks.extend(found)
    # Intact chains whose head has moved since their last checkpoint get a new one.
    if events and not found and events[-1].seq not in {cp.seq for cp in valid_checkpoints}:
        result.heads[case_id] = (events[-1].seq, events[-1].hash)


def verify(case_id: int | None = None) -> Result:
    """Check every chain (or one case's) and every checkpoint. Read-only."""
    result = Result()
    checkpoints = _checkpoints(case_id)
    result.checkpoints = sum(len(v) for v in checkpoints.values())
    for cid, rows in groupby(_events(case_id), key=lambda e: e.case_id):
        events = list(rows)
        result.cases += 1
        result.events += len(events)
        _check_case(cid, events, checkpoints.pop(cid, []), result)
    for cid, rest in checkpoints.items():  # checkpoints of cases whose events are all gone
        result.cases += 1
        _check_case(cid, [], rest, result)
    numbers = _numbers({b.case_id for b in result.breaks})
    result.breaks = [
        Break(b.case_id, b.seq, b.reason, numbers.get(b.case_id, "?")) for b in result.breaks
    ]
    return result


def _numbers(case_ids: set[int]) -> dict[int, str]:
    if not case_ids:
        return {}
    rows = db.session.execute(select(Case.id, Case.number).where(Case.id.in_(sorted(case_ids))))
    return {case_id: number for case_id, number in rows}


def record(result: Result, trigger: str, started_at: datetime, case_id=None) -> AuditVerification:
    run = AuditVerification(
        started_at=started_at,
        finished_at=timeutil.now(),
        trigger=trigger,
        case_id=case_id,
        cases=result.cases,
        events=result.events,
        checkpoints=result.checkpoints,
        breaks=len(result.breaks),
        details=[b.as_dict() for b in result.breaks[:MAX_DETAILS]],
    )
    db.session.add(run)
    db.session.flush()
    return run


def last_run() -> AuditVerification | None:
    return db.session.scalar(
        select(AuditVerification).order_by(
            AuditVerification.started_at.desc(), AuditVerification.id.desc()
        )
    )


# --------------------------------------------------------------------------- the nightly job


def recipients(case: Case | None) -> list[User]:
    """Administrators, and the supervisors whose area holds the case's place."""
    users = db.session.scalars(
        select(User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(User.role.in_(("admin", "supervisor")), User.active)
        .order_by(User.id)
    ).all()
    return [
        u
        for u in users
        if u.role == "admin"
        or (case is not None and u.organisation.jurisdiction.contains(case.jurisdiction))
    ]


def notify_breaks(breaks: list[Break]) -> int:
    """One notification per person per break, once (the key names the break)."""
    sent = 0
    for b in breaks:
        case = db.session.get(Case, b.case_id)
        subject = _("Audit trail check failed: case %(number)s", number=b.number)
        body = _(
            "The nightly verification found a break in the timeline of case %(number)s at "
            "event %(seq)d (%(reason)s). See the audit trail page.",
            number=b.number,
            seq=b.seq,
            reason=str(REASON_LABELS[b.reason]),
        )
        for user in recipients(case):
            key = f"audit-break:c{b.case_id}:s{b.seq}:{b.reason}:u{user.id}"
            sent += notify(user, key, "audit_break", subject, body)
    return sent


def nightly(now: datetime | None = None) -> tuple[AuditVerification, int, int]:
    """Verify every chain, checkpoint the intact ones, record the run and tell people
    about breaks. Returns (run, checkpoints added, notifications). The caller commits."""
    started = now or timeutil.now()
    result = verify()
    added = checkpoint(result.heads, started)
    run = record(result, "nightly", started)
    return run, added, notify_breaks(result.breaks)
