"""Monthly partitions of events and the access log (caseflow/partitions.py, migration
0018): created ahead by the scheduler's job and `flask partitions`, a read logged next
month lands in next month's partition and stays append-only there, a row no month covers
goes to the default partition. SQLite keeps plain tables."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from caseflow import partitions, scheduler, timeutil
from caseflow.extensions import db
from caseflow.models import AccessLog
from caseflow.services.access_log import log_access
from tests.conftest import postgres_only, user
from tests.integration.test_sweeps import warned

MAY_2031 = datetime(2031, 5, 15, 12, 0, tzinfo=UTC)


def _where(row_id: int) -> str:
    return db.session.execute(
        text("SELECT tableoid::regclass::text FROM access_log WHERE id = :id"), {"id": row_id}
    ).scalar()


def _refused(sql: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(text(sql))


def test_sqlite_keeps_plain_tables(ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    assert partitions.ensure_ahead(db.session.connection(), MAY_2031) == []


def test_partitions_are_created_ahead_once(ctx, clean):
    postgres_only()
    connection = db.session.connection()
    created = partitions.ensure_ahead(connection, MAY_2031)
    months = ["203105", "203106", "203107", "203108"]
    assert created == [f"{t}_p{m}" for t in partitions.PARTITIONED for m in months]
    assert partitions.ensure_ahead(connection, MAY_2031) == []
    for table in partitions.PARTITIONED:
        names = partitions.partitions(connection, table)
        assert f"{table}_default" in names
        assert {f"{table}_p{m}" for m in months} <= set(names)
        # Each new partition refuses TRUNCATE on its own (statement triggers are not
        # inherited from the parent).
        triggers = db.session.scalars(
            text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) AND NOT tgisinternal"
            ),
            {"t": f"{table}_p203106"},
        ).all()
        assert f"{table}_p203106_no_truncate" in triggers
    db.session.commit()

    # The scheduler's job does the same for the real month, and is idempotent.
    timeutil.set_clock(None)
    scheduler.run_partitions(clean)
    scheduler.run_partitions(clean)
    now = datetime.now(UTC)
    assert f"events_p{now:%Y%m}" in partitions.partitions(db.session.connection(), "events")
    outcome = clean.test_cli_runner().invoke(args=["partitions", "--ahead", "1"])
    assert outcome.exit_code == 0, outcome.output
    assert "0 partition(s) created" in outcome.output


def test_an_access_log_write_goes_into_next_months_partition(ctx, clean):
    postgres_only()
    case, _due = warned()
    reader = user("police")
    timeutil.set_clock(MAY_2031)
    partitions.ensure_ahead(db.session.connection())
    db.session.commit()

    timeutil.set_clock(datetime(2031, 6, 2, 9, 0, tzinfo=UTC))  # next month
    log_access(reader, case, "page")
    db.session.commit()
    row = db.session.scalar(select(AccessLog).order_by(AccessLog.id.desc()).limit(1))
    assert row.at.month == 6
    assert _where(row.id) == "access_log_p203106"
    # Append-only on the partition, through the parent and directly.
    _refused(f"UPDATE access_log SET what = 'edited' WHERE id = {row.id}")
    _refused(f"DELETE FROM access_log_p203106 WHERE id = {row.id}")
    _refused("TRUNCATE access_log_p203106")

    # A month nobody created: the default partition keeps the row.
    timeutil.set_clock(datetime(2040, 1, 1, tzinfo=UTC))
    log_access(reader, case, "page")
    db.session.commit()
    last = db.session.scalar(select(AccessLog.id).order_by(AccessLog.id.desc()).limit(1))
    assert _where(last) == "access_log_default"
    assert db.session.get(AccessLog, last).case_id == case.id
