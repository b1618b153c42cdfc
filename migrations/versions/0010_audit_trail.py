"""audit trail that proves itself

Keyed event hashes (events.key_id; rows already there keep the id "sha256" of their plain
SHA-256 hash), the append-only checkpoints of each case's chain head, the record of
verification runs, and triggers that refuse UPDATE and DELETE (and, on PostgreSQL,
TRUNCATE) on events, the access log and the checkpoints.

On PostgreSQL the triggers are ordinary triggers, so a superuser session that sets
session_replication_role = replica (as the test suite's purge does) skips them; the
application's own login must therefore not be a superuser. SQLite has no users: there
the triggers stop every connection that does not drop them first.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:10:00

"""
from alembic import op
import sqlalchemy as sa
import caseflow.timeutil  # noqa: F401  (UTCDateTime columns)


revision = '0010'
down_revision = "0009"
branch_labels = None
depends_on = None

PROTECTED = ("events", "access_log", "audit_checkpoints")


def _create_triggers():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE OR REPLACE FUNCTION caseflow_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION USING MESSAGE =
                    'caseflow: ' || TG_TABLE_NAME || ' is append-only, ' || TG_OP || ' refused';
            END
            $$
            """
        )
        for table in PROTECTED:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION caseflow_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION caseflow_append_only()"
            )
        return
    for table in PROTECTED:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'caseflow: {table} is append-only, {action} "
                "refused'); END"
            )


def _drop_triggers():
    if op.get_bind().dialect.name == "postgresql":
        for table in PROTECTED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS caseflow_append_only()")
        return
    for table in PROTECTED:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")


def upgrade():
    # Plain ADD COLUMN (no batch): SQLite must not rebuild events, and the rows already
    # there take the legacy key id.
    op.add_column(
        'events',
        sa.Column('key_id', sa.String(length=16), server_default='sha256', nullable=False),
    )
    op.create_table('audit_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.Column('at', caseflow.timeutil.UTCDateTime(), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_audit_checkpoints_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints')),
    sa.UniqueConstraint('case_id', 'seq', name='uq_audit_checkpoints_case_seq')
    )
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_checkpoints_case_id'), ['case_id'], unique=False)

    op.create_table('audit_verifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', caseflow.timeutil.UTCDateTime(), nullable=False),
    sa.Column('finished_at', caseflow.timeutil.UTCDateTime(), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('checkpoints', sa.Integer(), nullable=False),
    sa.Column('breaks', sa.Integer(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_verifications'))
    )
    with op.batch_alter_table('audit_verifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_verifications_started_at'), ['started_at'], unique=False)

    _create_triggers()


def downgrade():
    _drop_triggers()
    with op.batch_alter_table('audit_verifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_verifications_started_at'))
    op.drop_table('audit_verifications')
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_checkpoints_case_id'))
    op.drop_table('audit_checkpoints')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('key_id')
