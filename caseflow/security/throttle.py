"""Login throttling: failed logins counted per account name and per client address.

The counters are rows of the database (models.security.LoginThrottle), so every worker of
every host sees the same counts without another service. Only failures count: a correct
password is never refused for having logged in often, and it clears its account's count.
After a few failures each further attempt must wait a growing delay (2, 4, 8 … s, at most
a minute); at the limit the name or address is locked for LOGIN_LOCK_MINUTES. The name is
counted as typed, whether or not such a user exists, so the answers — wrong password,
wait, locked — are the same for a real account and an invented one.

Both counters of an attempt are locked (a row lock on PostgreSQL, the write lock on
SQLite) from the check to the commit, in one order, so attempts against one account or
from one address are decided one after the other, never all on the same stale count.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, request
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import timeutil
from ..extensions import db
from ..models.security import LoginEvent, LoginThrottle


@dataclass(frozen=True)
class Limits:
    max_failures: int  # this many failures in a row lock the key
    delay_from: int  # from this many failures on, each attempt waits a growing delay


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds
    locked: bool = False


ALLOWED = Verdict(True)
MAX_DELAY = 60


def account_key(username: str) -> str:
    return "account:" + (username or "").strip().lower()[:64]


def address_key(address: str | None) -> str:
    return "address:" + (address or "unknown")[:64]


def client_address() -> str | None:
    # remote_addr is the proxy's unless CASEFLOW_PROXY_COUNT tells ProxyFix to look past it.
    return request.remote_addr


def _limits(key: str) -> Limits:
    cfg = current_app.config
    if key.startswith("account:"):
        return Limits(cfg["LOGIN_ACCOUNT_MAX_FAILURES"], cfg["LOGIN_ACCOUNT_DELAY_FROM"])
    return Limits(cfg["LOGIN_ADDRESS_MAX_FAILURES"], cfg["LOGIN_ADDRESS_DELAY_FROM"])


def _lock_length() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


def _window() -> timedelta:
    # Failures older than this, counted from the latest, are forgotten.
    return timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])


def delay_after(failures: int, limits: Limits) -> int:
    """Seconds an attempt must wait after `failures` failures in a row."""
    if failures < limits.delay_from:
        return 0
    return min(2 ** (failures - limits.delay_from + 1), MAX_DELAY)


def _current_failures(row: LoginThrottle, at: datetime) -> int:
    """The count that still applies: a lock that ran out, or a long pause, starts afresh."""
    if row.locked_until is not None and row.locked_until <= at:
        return 0
    if row.last_failure_at is None or at - row.last_failure_at >= _window():
        return 0
    return row.failures


def _lock_rows(keys: list[str]) -> list[LoginThrottle]:
    """Create the counters if missing and lock them for this transaction, in key order."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    rows = []
    for key in sorted(set(keys)):
        db.session.execute(
            insert(LoginThrottle)
            .values(key=key, failures=0)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        # A write to the row takes its lock until the commit (PostgreSQL: row lock;
        # SQLite: the database's write lock).
        db.session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(failures=LoginThrottle.failures),
            execution_options={"synchronize_session": False},
        )
        rows.append(db.session.get(LoginThrottle, key, populate_existing=True))
    return rows


def _log(kind: str, channel: str, username: str | None, user_id=None, detail=None) -> None:
    db.session.add(
        LoginEvent(
            at=timeutil.now(),
            kind=kind,
            channel=channel,
            username=(username or "")[:64] or None,
            user_id=user_id,
            address=(client_address() or "")[:64] or None,
            detail=detail,
        )
    )


class Attempt:
    """One login attempt: check() before the password is looked at, then failed() or
    succeeded(); the caller commits (the counters stay locked until then)."""

    def __init__(self, username: str, channel: str):
        self.username = username or ""
        self.channel = channel
        self.keys = [account_key(self.username), address_key(client_address())]
        self.rows: list[LoginThrottle] = []

    def check(self) -> Verdict:
        self.rows = _lock_rows(self.keys)
        at = timeutil.now()
        worst = ALLOWED
        for row in self.rows:
            verdict = self._verdict(row, at)
            if not verdict.allowed and verdict.retry_after >= worst.retry_after:
                worst = verdict
        if not worst.allowed:
            _log("refused", self.channel, self.username)
        return worst

    @staticmethod
    def _verdict(row: LoginThrottle, at: datetime) -> Verdict:
        if row.locked_until is not None and row.locked_until > at:
            return Verdict(False, _seconds(row.locked_until - at), locked=True)
        failures = _current_failures(row, at)
        wait = delay_after(failures, _limits(row.key))
        if wait and row.last_failure_at is not None:
            free_at = row.last_failure_at + timedelta(seconds=wait)
            if at < free_at:
                return Verdict(False, _seconds(free_at - at))
        return ALLOWED

    def failed(self, user_id: int | None) -> None:
        at = timeutil.now()
        _log("failure", self.channel, self.username, user_id)
        for row in self.rows:
            row.failures = _current_failures(row, at) + 1
            row.last_failure_at = at
            if row.locked_until is not None and row.locked_until <= at:
                row.locked_until = None
            if row.failures >= _limits(row.key).max_failures and row.locked_until is None:
                row.locked_until = at + _lock_length()
                _log("locked", self.channel, self.username, user_id, detail=row.key)

    def succeeded(self) -> None:
        """A right password clears its account's count (never the address's: one right
        password must not buy an address a fresh series of guesses at other accounts)."""
        for row in self.rows:
            if row.key.startswith("account:"):
                row.failures = 0
                row.last_failure_at = None


def _seconds(span: timedelta) -> int:
    return max(1, int(-(-span.total_seconds() // 1)))  # rounded up: never "wait 0 s"


def active_locks() -> list[LoginThrottle]:
    at = timeutil.now()
    return list(
        db.session.scalars(
            db.select(LoginThrottle)
            .where(LoginThrottle.locked_until > at)
            .order_by(LoginThrottle.locked_until.desc())
        )
    )


def lift(key: str, by: str) -> bool:
    """An administrator lifts a lock (and its count). False if the key was not locked."""
    row = db.session.get(LoginThrottle, key, with_for_update=True)
    if row is None or row.locked_until is None or row.locked_until <= timeutil.now():
        return False
    row.locked_until = None
    row.failures = 0
    row.last_failure_at = None
    db.session.add(
        LoginEvent(
            at=timeutil.now(),
            kind="unlocked",
            channel="admin",
            username=key.removeprefix("account:")[:64] if key.startswith("account:") else None,
            address=key.removeprefix("address:")[:64] if key.startswith("address:") else None,
            detail=f"{key} lifted by {by}"[:200],
        )
    )
    return True
