"""export jobs claimed by the scheduler; the scheduler's heartbeat

export_jobs gain the claim of the scheduler process that builds them (who, when the
lease was last renewed, how many times a job was taken, when it started): a job waits in
the table until the scheduler takes it, so it survives a restart of the web servers and
of the scheduler. scheduler_heartbeats: the active scheduler's row, renewed every few
seconds; /readyz reads it.

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-02 01:10:00

"""
from alembic import op
import sqlalchemy as sa
import caseflow.timeutil  # noqa: F401  (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN on both engines (no table rebuild).
    op.add_column("export_jobs", sa.Column("claimed_by", sa.String(length=200), nullable=True))
    op.add_column(
        "export_jobs", sa.Column("claimed_at", caseflow.timeutil.UTCDateTime(), nullable=True)
    )
    op.add_column(
        "export_jobs", sa.Column("started_at", caseflow.timeutil.UTCDateTime(), nullable=True)
    )
    op.add_column(
        "export_jobs",
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index("ix_export_jobs_status", "export_jobs", ["status"])
    op.create_table(
        "scheduler_heartbeats",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("instance", sa.String(length=200), nullable=False),
        sa.Column("started_at", caseflow.timeutil.UTCDateTime(), nullable=False),
        sa.Column("beat_at", caseflow.timeutil.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_heartbeats")),
    )


def downgrade():
    op.drop_table("scheduler_heartbeats")
    op.drop_index("ix_export_jobs_status", table_name="export_jobs")
    with op.batch_alter_table("export_jobs") as batch_op:
        batch_op.drop_column("attempts")
        batch_op.drop_column("started_at")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claimed_by")
