"""Monthly partitions of the two tables that grow without end on PostgreSQL: `events` (the
timelines) and `access_log` (who read what). SQLite keeps them as plain tables.

Each table is partitioned by range of its `at` column (UTC, as stored), one partition a
month named `<table>_pYYYYMM`, and a default partition `<table>_default` that takes any
row no monthly partition covers, so a write is never refused for want of a partition.
The scheduler's `partitions` job (and `flask partitions`) creates the partitions of the
current month and of AHEAD months after it; creating them is idempotent.

The append-only rule holds on every partition: the row trigger on the parent is cloned
onto each partition by PostgreSQL; the TRUNCATE trigger, a statement trigger, is put on
each partition here as well (migration 0010 made it for the parent).
"""

import re
from datetime import UTC, datetime

from sqlalchemy import text

from . import timeutil

PARTITIONED = ("events", "access_log")
AHEAD = 3
PARTITION_NAME = re.compile(r"^(events|access_log)_(p\d{6}|default)$")


def is_partition(name: str) -> bool:
    """Whether a table name is one of the partitions (not a table of the models)."""
    return bool(PARTITION_NAME.match(name or ""))


def month_start(year: int, month: int) -> datetime:
    return datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def partition_name(table: str, start: datetime) -> str:
    return f"{table}_p{start:%Y%m}"


def months_from(start: datetime, count: int) -> list[datetime]:
    return [month_start(start.year, start.month + i) for i in range(count)]


def _protect(connection, name: str) -> None:
    connection.execute(
        text(
            f"CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {name} "
            "FOR EACH STATEMENT EXECUTE FUNCTION caseflow_append_only()"
        )
    )


def _exists(connection, name: str) -> bool:
    return connection.execute(text("SELECT to_regclass(:n) IS NOT NULL"), {"n": name}).scalar()


def is_partitioned(connection, table: str) -> bool:
    return bool(
        connection.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p "
                "JOIN pg_class c ON c.oid = p.partrelid WHERE c.relname = :t)"
            ),
            {"t": table},
        ).scalar()
    )


def create_default(connection, table: str) -> None:
    name = f"{table}_default"
    if not _exists(connection, name):
        connection.execute(text(f"CREATE TABLE {name} PARTITION OF {table} DEFAULT"))
        _protect(connection, name)


def create_month(connection, table: str, start: datetime) -> bool:
    """The partition of the month starting at `start` (naive UTC); False if it existed."""
    name = partition_name(table, start)
    if _exists(connection, name):
        return False
    end = month_start(start.year, start.month + 1)
    connection.execute(
        text(
            f"CREATE TABLE {name} PARTITION OF {table} "
            f"FOR VALUES FROM ('{start:%Y-%m-%d}') TO ('{end:%Y-%m-%d}')"
        )
    )
    _protect(connection, name)
    return True


def ensure_ahead(connection, at: datetime | None = None, ahead: int = AHEAD) -> list[str]:
    """Create the partitions of `at`'s month and of `ahead` months after it, on both
    tables (PostgreSQL; nothing on SQLite). Returns the names of those created.

    A month whose rows already went to the default partition (the scheduler was down for
    longer than `ahead` months) is left there: its rows are kept and still found, and the
    month gets no partition of its own (PostgreSQL refuses one that the default's rows
    would fall into; the append-only default cannot give them up)."""
    if connection.dialect.name != "postgresql":
        return []
    at = (at or timeutil.now()).astimezone(UTC).replace(tzinfo=None)
    created = []
    for table in PARTITIONED:
        if not is_partitioned(connection, table):
            continue
        create_default(connection, table)
        for start in months_from(at, ahead + 1):
            name = partition_name(table, start)
            end = month_start(start.year, start.month + 1)
            in_default = connection.execute(
                text(f"SELECT EXISTS (SELECT 1 FROM {table}_default WHERE at >= :s AND at < :e)"),
                {"s": start, "e": end},
            ).scalar()
            if in_default:
                continue
            if create_month(connection, table, start):
                created.append(name)
    return created


def partitions(connection, table: str) -> list[str]:
    """The partitions of `table`, by name."""
    return list(
        connection.execute(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :t ORDER BY 1"
            ),
            {"t": table},
        ).scalars()
    )


def include_name(name, type_, parent_names) -> bool:
    """Alembic's include_name: the partitions are not tables of the models."""
    return not (type_ == "table" and is_partition(name))
