"""The timeline (hash-chained immutable events); the access log is in access_log.py.

Each event's hash is an HMAC-SHA-256, under a key from the environment (never in the
database), of the previous event's hash and the event's own fields; the event names the
key by its id, so keys can be rotated (config.py: CASEFLOW_AUDIT_KEY / _KEY_ID / _KEYS).
Someone who can write to the database but does not hold the key cannot edit an event and
recompute the chain.

Events written before keyed hashing (migration 0010) carry the key id `sha256`: their hash
is the old plain SHA-256 and is still accepted, but only at the start of a chain (a plain
hash after a keyed one is a break) and only as far as the case's checkpoints, which are
keyed, vouch for it (services/audit_checks.py). Running `flask audit checkpoint` once after
the upgrade seals every existing chain under the key.
"""

import hashlib
import hmac
import json
import secrets
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select

from .. import timeutil
from ..extensions import db
from ..models import Case, Event, User

GENESIS = "0" * 64
LEGACY_KEY_ID = "sha256"  # events hashed before keys existed
DEV_KEY_FILE = "audit.key"


class AuditKeyError(RuntimeError):
    pass


def install_keys(app: Flask) -> None:
    """Read the audit keys from the configuration into the app (create_app calls this)."""
    current_id = app.config.get("AUDIT_KEY_ID") or "k1"
    current = app.config.get("AUDIT_KEY")
    if not current:
        if app.config.get("ENV_NAME") == "production":
            raise AuditKeyError("Set CASEFLOW_AUDIT_KEY in production.")
        current_id, current = "dev", _dev_key(Path(app.instance_path))
    keys: dict[str, bytes] = {}
    for item in (app.config.get("AUDIT_KEYS") or "").split(","):
        if not item.strip():
            continue
        key_id, sep, secret = item.strip().partition(":")
        if not sep or not key_id or not secret:
            raise AuditKeyError("CASEFLOW_AUDIT_KEYS is a list of id:key separated by commas.")
        keys[key_id] = secret.encode()
    keys[current_id] = current.encode()
    if LEGACY_KEY_ID in keys or any(len(k) > 16 for k in keys):
        raise AuditKeyError(f"Audit key ids are at most 16 characters, never {LEGACY_KEY_ID!r}.")
    app.extensions["audit_keys"] = (current_id, keys)


def _dev_key(folder: Path) -> str:
    """A development key kept in instance/, like a development secret: stable across
    restarts so the demo's chains keep verifying, never used in production."""
    path = folder / DEV_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


def current_key_id() -> str:
    return current_app.extensions["audit_keys"][0]


def known_key(key_id: str) -> bool:
    return key_id == LEGACY_KEY_ID or key_id in current_app.extensions["audit_keys"][1]


def current_key() -> tuple[str, bytes]:
    """The current key id and key, for a process without the app (synthetic workers)."""
    key_id, keys = current_app.extensions["audit_keys"]
    return key_id, keys[key_id]


def mac(key_id: str, payload: str, key: bytes | None = None) -> str:
    """HMAC-SHA-256 of `payload` under the key `key_id` (plain SHA-256 for legacy rows);
    `key` if given, else the app's key of that id."""
    if key_id == LEGACY_KEY_ID:
        return hashlib.sha256(payload.encode()).hexdigest()
    if key is None:
        key = current_app.extensions["audit_keys"][1][key_id]
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def _digest(prev_hash: str, event, key_id: str | None = None, key: bytes | None = None) -> str:
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
    return mac(key_id or event.key_id, payload, key)


def event_hash_ok(prev_hash: str, event) -> bool:
    if not known_key(event.key_id):
        return False
    return hmac.compare_digest(_digest(prev_hash, event), event.hash)


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
        key_id=current_key_id(),
    )
    event.hash = _digest(event.prev_hash, event)
    db.session.add(event)
    return event


def verify_chain(case_id: int) -> int | None:
    """The seq of the first event that does not verify, or None if the chain is intact.
    (The chain alone: audit_checks.verify also holds it against the checkpoints.)"""
    prev, keyed = GENESIS, False
    for event in db.session.scalars(
        select(Event).where(Event.case_id == case_id).order_by(Event.seq)
    ):
        if event.prev_hash != prev or not event_hash_ok(prev, event):
            return event.seq
        if event.key_id == LEGACY_KEY_ID and keyed:
            return event.seq
        keyed = keyed or event.key_id != LEGACY_KEY_ID
        prev = event.hash
    return None


# The access log lives in services/access_log.py; kept here for existing importers.
from .access_log import log_access  # noqa: E402, F401
