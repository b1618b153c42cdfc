"""lists and search at scale

cases.next_due_at: the earliest due time of the case's unmet deadlines (the overdue filter
reads one index instead of every deadline), filled here from the deadlines. The index of
the list's order (urgent, created_at, id). The foreign keys the scope checks and joins
follow get their indexes (mandatory_reports.verifier_id first of all). On PostgreSQL,
trigram indexes (pg_trgm) for search by case number and by a party's name or phone, and
an index on the upper-cased ID number.

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-02 01:10:00

"""

import sqlalchemy as sa
from alembic import op

import caseflow.timeutil

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# (table, column) of the foreign keys that had no index.
FK_INDEXES = (
    ("mandatory_reports", "verifier_id"),
    ("referrals", "from_org_id"),
    ("referrals", "sent_by_id"),
    ("referrals", "answered_by_id"),
    ("visits", "by_user_id"),
    ("deadlines", "waived_by_id"),
    ("case_transfers", "from_org_id"),
    ("hotline_calls", "jurisdiction_id"),
    ("jurisdictions", "parent_id"),
)

# PostgreSQL only: expression indexes (not in the models; Alembic does not compare them).
PG_INDEXES = (
    ("ix_persons_name_trgm", "persons", "USING gin (lower(name) gin_trgm_ops)"),
    ("ix_persons_phone_trgm", "persons", "USING gin (phone gin_trgm_ops)"),
    ("ix_cases_number_trgm", "cases", "USING gin (lower(number) gin_trgm_ops)"),
    ("ix_persons_id_number_upper", "persons", "(upper(id_number))"),
)


def upgrade():
    op.add_column("cases", sa.Column("next_due_at", caseflow.timeutil.UTCDateTime(), nullable=True))
    op.execute(
        """
        UPDATE cases SET next_due_at = (
            SELECT min(d.due_at) FROM deadlines d
            WHERE d.case_id = cases.id AND d.closed_at IS NULL
              AND d.status IN ('open', 'missed'))
        WHERE EXISTS (
            SELECT 1 FROM deadlines d
            WHERE d.case_id = cases.id AND d.closed_at IS NULL
              AND d.status IN ('open', 'missed'))
        """
    )
    op.create_index("ix_cases_next_due_at", "cases", ["next_due_at"])
    op.create_index("ix_cases_list_order", "cases", ["urgent", "created_at", "id"])
    op.create_index("ix_cases_type_list_order", "cases", ["type", "urgent", "created_at", "id"])
    op.create_index("ix_cases_state_list_order", "cases", ["state", "urgent", "created_at", "id"])
    for table, column in FK_INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [column])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, spec in PG_INDEXES:
            op.execute(f"CREATE INDEX {name} ON {table} {spec}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, _table, _spec in PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    for table, column in FK_INDEXES:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    op.drop_index("ix_cases_state_list_order", table_name="cases")
    op.drop_index("ix_cases_type_list_order", table_name="cases")
    op.drop_index("ix_cases_list_order", table_name="cases")
    op.drop_index("ix_cases_next_due_at", table_name="cases")
    op.drop_column("cases", "next_due_at")
