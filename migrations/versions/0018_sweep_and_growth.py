"""set-based sweep, and growth

deadlines.escalated_at / escalated_up_at: when the sweep told a missed deadline's handlers
and its place's supervisors, with a partial index holding the deadlines not yet told, so a
sweep with nothing new reads nothing. sweep_lock: the sweep's lock row on SQLite
(PostgreSQL takes an advisory lock).

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


def downgrade():
    op.drop_table("sweep_lock")
    op.drop_index("ix_deadlines_to_escalate", table_name="deadlines")
    with op.batch_alter_table("deadlines") as batch:
        batch.drop_column("escalated_up_at")
        batch.drop_column("escalated_at")
