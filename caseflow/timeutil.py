"""Time: stored in UTC, shown in the configured local zone (Asia/Shanghai by default).

The database keeps naive UTC datetimes (SQLite has no time zones); UTCDateTime converts
at the boundary so the rest of the code only ever sees aware datetimes.
"""

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy.types import DateTime, TypeDecorator

_clock_override: datetime | None = None


def now() -> datetime:
    """The current time, aware, in UTC. Tests may freeze it with set_clock()."""
    return _clock_override or datetime.now(UTC)


def set_clock(value: datetime | None) -> None:
    global _clock_override
    _clock_override = value.astimezone(UTC) if value else None


def local_zone() -> tzinfo:
    from flask import current_app, has_app_context

    name = current_app.config["TIMEZONE"] if has_app_context() else "Asia/Shanghai"
    return ZoneInfo(name)


def to_local(value: datetime | None) -> datetime | None:
    return value.astimezone(local_zone()) if value else None


def aware(value: datetime) -> datetime:
    """A datetime typed without a zone is local time, as a person in the county means it."""
    return value.replace(tzinfo=local_zone()) if value.tzinfo is None else value


class UTCDateTime(TypeDecorator):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None else None
