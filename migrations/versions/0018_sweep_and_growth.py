"""set-based sweep, and growth

deadlines.escalated_at / escalated_up_at: when the sweep told a missed deadline's handlers
and its place's supervisors, with a partial index holding the deadlines not yet told, so a
sweep with nothing new reads nothing. sweep_lock: the sweep's lock row on SQLite
(PostgreSQL takes an advisory lock).

On PostgreSQL, `events` and `access_log` become partitioned by month of `at`
(caseflow/partitions.py): each table is rebuilt as a partitioned table with the same
columns, indexes and foreign keys; its primary key and unique constraint take `at` as
well (PostgreSQL requires the partition column in them), the rows are copied into monthly
partitions from the first month held to three months ahead plus a default partition, and
the append-only triggers of migration 0010 are put back (the row trigger on the parent
reaches every partition, the TRUNCATE trigger is on each). Downgrade rebuilds plain tables.
SQLite keeps both tables as they are (never rebuilt: their triggers would be lost).

Revision ID: 0018
Revises: 0013
Create Date: 2026-12-02 01:00:00

"""

import sqlalchemy as sa
from alembic import op

import caseflow.timeutil  # noqa: F401  (UTCDateTime columns)

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

ESCALATE_PENDING = (
    "status = 'missed' AND closed_at IS NULL AND (escalated_at IS NULL OR escalated_up_at IS NULL)"
)


PARTITIONED = ("events", "access_log")


def _shape(bind, table):
    inspector = sa.inspect(bind)
    return {
        "indexes": inspector.get_indexes(table),
        "uniques": inspector.get_unique_constraints(table),
        "fks": inspector.get_foreign_keys(table),
        "columns": [c["name"] for c in inspector.get_columns(table)],
    }


def _rebuild(table, partitioned):
    """Rebuild `table` (PostgreSQL) partitioned by month of `at`, or back as a plain table,
    keeping its columns, rows, id sequence, indexes, foreign keys and triggers."""
    from caseflow import partitions

    bind = op.get_bind()
    shape = _shape(bind, table)
    extra = ["at"] if partitioned else []
    new = f"{table}_rebuilt"
    clause = " PARTITION BY RANGE (at)" if partitioned else ""
    op.execute(
        f"CREATE TABLE {new} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS){clause}"
    )
    if partitioned:
        first = bind.execute(sa.text(f"SELECT min(at) FROM {table}")).scalar()
        now = bind.execute(sa.text("SELECT (now() AT TIME ZONE 'UTC')")).scalar()
        start = min(first or now, now)
        count = (now.year - start.year) * 12 + now.month - start.month + 1 + partitions.AHEAD
        for month in partitions.months_from(start, count):
            op.execute(
                f"CREATE TABLE {partitions.partition_name(table, month)} PARTITION OF {new} "
                f"FOR VALUES FROM ('{month:%Y-%m-%d}') TO "
                f"('{partitions.month_start(month.year, month.month + 1):%Y-%m-%d}')"
            )
        op.execute(f"CREATE TABLE {table}_default PARTITION OF {new} DEFAULT")
    columns = ", ".join(f'"{c}"' for c in shape["columns"])
    op.execute(f"INSERT INTO {new} ({columns}) SELECT {columns} FROM {table}")
    op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY {new}.id")
    op.execute(f"DROP TABLE {table}")  # its partitions (downgrade) and triggers with it
    op.execute(f"ALTER TABLE {new} RENAME TO {table}")
    op.execute(
        f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY "
        f"({', '.join(['id', *extra])})"
    )
    for unique in shape["uniques"]:
        # The partition column joins every unique constraint (none held it before).
        cols = [c for c in unique["column_names"] if c != "at"] + extra
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {unique['name']} UNIQUE ({', '.join(cols)})"
        )
    for index in shape["indexes"]:
        if index.get("duplicates_constraint"):
            continue
        unique = "UNIQUE " if index["unique"] else ""
        op.execute(
            f"CREATE {unique}INDEX {index['name']} ON {table} "
            f"({', '.join(index['column_names'])})"
        )
    for fk in shape["fks"]:
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {fk['name']} FOREIGN KEY "
            f"({', '.join(fk['constrained_columns'])}) REFERENCES {fk['referred_table']} "
            f"({', '.join(fk['referred_columns'])})"
        )
    op.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION caseflow_append_only()"
    )
    op.execute(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION caseflow_append_only()"
    )
    if partitioned:
        for name in partitions.partitions(bind, table):
            op.execute(
                f"CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {name} "
                "FOR EACH STATEMENT EXECUTE FUNCTION caseflow_append_only()"
            )


def upgrade():
    op.add_column(
        "deadlines", sa.Column("escalated_at", caseflow.timeutil.UTCDateTime(), nullable=True)
    )
    op.add_column(
        "deadlines", sa.Column("escalated_up_at", caseflow.timeutil.UTCDateTime(), nullable=True)
    )
    op.create_index(
        "ix_deadlines_to_escalate",
        "deadlines",
        ["due_at"],
        postgresql_where=sa.text(ESCALATE_PENDING),
        sqlite_where=sa.text(ESCALATE_PENDING),
    )
    op.create_table(
        "sweep_lock",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("started_at", caseflow.timeutil.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sweep_lock")),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in PARTITIONED:
            _rebuild(table, partitioned=True)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in PARTITIONED:
            _rebuild(table, partitioned=False)
    op.drop_table("sweep_lock")
    op.drop_index("ix_deadlines_to_escalate", table_name="deadlines")
    with op.batch_alter_table("deadlines") as batch:
        batch.drop_column("escalated_up_at")
        batch.drop_column("escalated_at")
