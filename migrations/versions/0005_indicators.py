"""indicators

Plans and their targets, figures submitted by responsible units (append-only revisions),
workbook export jobs, the township workstation registry (jurisdictions.workstation_since),
the data_reporter role, and indexes for counting events, deadlines and referrals by period.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 14:14:46.398721

"""
from alembic import op
import sqlalchemy as sa
import caseflow.timeutil  # noqa: F401  (UTCDateTime columns)


OLD_ROLES = (
    "'child_director', 'child_supervisor', 'civil_affairs', 'police', 'court_liaison', "
    "'legal_aid', 'hotline', 'womens_federation', 'supervisor', 'statistician', 'admin'"
)
NEW_ROLES = OLD_ROLES.replace("'statistician'", "'statistician', 'data_reporter'")


def _role_check(roles: str) -> None:
    # SQLite cannot alter a constraint: batch mode rebuilds the table with the new one.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role"), sa.text(f"role IN ({roles})"))


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('end_year', sa.Integer(), nullable=False),
    sa.Column('baseline_year', sa.Integer(), nullable=False),
    sa.Column('trend_years', sa.Integer(), nullable=False),
    sa.Column('swing_percent', sa.Float(), nullable=False),
    sa.CheckConstraint("kind IN ('women', 'children')", name=op.f('ck_plans_kind')),
    sa.CheckConstraint('start_year <= end_year', name=op.f('ck_plans_years')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_plans_jurisdiction_id_jurisdictions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('code', name=op.f('uq_plans_code'))
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plans_jurisdiction_id'), ['jurisdiction_id'], unique=False)

    op.create_table('plan_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('indicator_code', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=50), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=True),
    sa.Column('target_text', sa.String(length=50), nullable=False),
    sa.Column('direction', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('band_low', sa.Float(), nullable=True),
    sa.Column('band_high', sa.Float(), nullable=True),
    sa.Column('attribute', sa.String(length=16), nullable=False),
    sa.Column('responsible', sa.String(length=200), nullable=False),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.CheckConstraint("attribute IN ('binding', 'expected')", name=op.f('ck_plan_targets_attribute')),
    sa.CheckConstraint("direction IN ('increase', 'decrease', 'controlled', 'band', 'ge', 'gt', 'le', 'lt', 'eq')", name=op.f('ck_plan_targets_direction')),
    sa.CheckConstraint('band_low IS NULL OR band_high IS NULL OR band_low <= band_high', name=op.f('ck_plan_targets_band')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_targets_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_targets')),
    sa.UniqueConstraint('plan_id', 'indicator_code', name='plan_indicator')
    )
    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_targets_plan_id'), ['plan_id'], unique=False)

    op.create_table('export_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('done_steps', sa.Integer(), nullable=False),
    sa.Column('total_steps', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', caseflow.timeutil.UTCDateTime(), nullable=False),
    sa.Column('finished_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_export_jobs_status')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_export_jobs_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_jobs'))
    )
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_jobs_user_id'), ['user_id'], unique=False)

    op.create_table('indicator_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('numerator', sa.Float(), nullable=True),
    sa.Column('denominator', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', caseflow.timeutil.UTCDateTime(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('submitted', 'accepted', 'returned', 'replaced')", name=op.f('ck_indicator_submissions_status')),
    sa.CheckConstraint('denominator IS NULL OR denominator > 0', name=op.f('ck_indicator_submissions_denominator')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_indicator_submissions_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_indicator_submissions_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_indicator_submissions_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_indicator_submissions_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_submissions')),
    sa.UniqueConstraint('code', 'year', 'jurisdiction_id', 'revision', name='revision')
    )
    with op.batch_alter_table('indicator_submissions', schema=None) as batch_op:
        batch_op.create_index('ix_indicator_submissions_key', ['code', 'year', 'jurisdiction_id'], unique=False)

    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.create_index('ix_deadlines_kind_due', ['kind', 'due_at'], unique=False)
        batch_op.create_index('ix_deadlines_case_kind_status', ['case_id', 'kind', 'status'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_trigger_at', ['trigger', 'at'], unique=False)
        batch_op.create_index('ix_events_case_trigger', ['case_id', 'trigger'], unique=False)

    with op.batch_alter_table('jurisdictions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('workstation_since', sa.Date(), nullable=True))

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_sent_at'), ['sent_at'], unique=False)

    _role_check(NEW_ROLES)


def downgrade():
    # Refuses (CHECK violation) while data reporters exist: users are never dropped.
    _role_check(OLD_ROLES)
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_sent_at'))

    with op.batch_alter_table('jurisdictions', schema=None) as batch_op:
        batch_op.drop_column('workstation_since')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_case_trigger')
        batch_op.drop_index('ix_events_trigger_at')

    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_deadlines_case_kind_status')
        batch_op.drop_index('ix_deadlines_kind_due')

    with op.batch_alter_table('indicator_submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_indicator_submissions_key')

    op.drop_table('indicator_submissions')
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_jobs_user_id'))

    op.drop_table('export_jobs')
    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_targets_plan_id'))

    op.drop_table('plan_targets')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plans_jurisdiction_id'))

    op.drop_table('plans')
