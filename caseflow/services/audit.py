"""The timeline (hash-chained immutable events); the access log is in access_log.py."""

import hashlib
import json

from sqlalchemy import select

from .. import timeutil
from ..extensions import db
from ..models import Case, Event, User

GENESIS = "0" * 64


def _digest(prev_hash: str, event: Event) -> str:
    body = {
        "case_id": event.case_id,
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "trigger": event.trigger,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "comment": event.comment,
        "data": event.data,
    }
    payload = prev_hash + json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def append_event(
    case: Case,
    actor: User | None,
    trigger: str,
    from_state: str | None,
    comment: str = "",
    data: dict | None = None,
) -> Event:
    """Add an event to the case's timeline, chained to the one before it.

    The chain is per case and the case row's version lock serialises writers, so two
    requests can never append with the same predecessor.
    """
    last = case.events[-1] if case.events else None
    event = Event(
        case=case,
        case_id=case.id,
        seq=(last.seq + 1) if last else 1,
        at=timeutil.now(),
        actor_id=actor.id if actor else None,
        trigger=trigger,
        from_state=from_state,
        to_state=case.state,
        comment=comment or "",
        data=data or {},
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = _digest(event.prev_hash, event)
    db.session.add(event)
    return event


def verify_chain(case_id: int) -> int | None:
    """The seq of the first event whose hash does not match, or None if the chain is intact."""
    prev = GENESIS
    for event in db.session.scalars(
        select(Event).where(Event.case_id == case_id).order_by(Event.seq)
    ):
        if event.prev_hash != prev or _digest(prev, event) != event.hash:
            return event.seq
        prev = event.hash
    return None


# The access log lives in services/access_log.py; kept here for existing importers.
from .access_log import log_access  # noqa: E402, F401
