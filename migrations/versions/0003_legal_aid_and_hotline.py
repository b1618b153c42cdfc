"""legal aid and hotline calls

The legal_aid case type (legal_aid_cases) and hotline calls (hotline_calls, contacts that
may open or join a case). cases.type and cases.state CHECKs are widened to legal_aid.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:37:59.623518

"""
from alembic import op
import sqlalchemy as sa
import caseflow.timeutil  # noqa: F401  (UTCDateTime columns)


MR_STATES = (
    "'submitted', 'accepted', 'verifying', 'verified', 'unfounded', 'referred', "
    "'following_up', 'closure_requested', 'closed'"
)
DV_STATES = (
    "'incident_logged', 'warning_issued', 'delivered', 'escalated', 'drafted', 'filed', "
    "'issued', 'rejected', 'reconsideration', 'in_force', 'ended'"
)
LA_STATES = (
    "'applied', 'materials_pending', 'granted', 'denied', 'objection', 'in_service', "
    "'concluded', 'withdrawn'"
)
OLD_TYPES = "type IN ('mandatory_report', 'dv_warning', 'protection_order')"
NEW_TYPES = "type IN ('mandatory_report', 'dv_warning', 'protection_order', 'legal_aid')"
OLD_STATES = f"state IN ({MR_STATES}, {DV_STATES})"
NEW_STATES = f"state IN ({MR_STATES}, {DV_STATES}, {LA_STATES})"


def _case_checks(types: str, states: str) -> None:
    # SQLite cannot alter a constraint: batch mode rebuilds the table with the new ones.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_cases_type"), type_="check")
        batch_op.drop_constraint(op.f("ck_cases_state"), type_="check")
        batch_op.create_check_constraint(op.f("ck_cases_type"), sa.text(types))
        batch_op.create_check_constraint(op.f("ck_cases_state"), sa.text(states))


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    _case_checks(NEW_TYPES, NEW_STATES)
    op.create_table('hotline_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('client_token', sa.String(length=64), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.String(length=16), nullable=False),
    sa.Column('received_at', caseflow.timeutil.UTCDateTime(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('caller_name', sa.String(length=100), nullable=True),
    sa.Column('caller_phone', sa.String(length=20), nullable=True),
    sa.Column('caller_id_number', sa.String(length=18), nullable=True),
    sa.Column('caller_relation', sa.String(length=16), nullable=True),
    sa.Column('subject_name', sa.String(length=100), nullable=True),
    sa.Column('subject_sex', sa.String(length=1), nullable=True),
    sa.Column('subject_phone', sa.String(length=20), nullable=True),
    sa.Column('subject_id_number', sa.String(length=18), nullable=True),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('action_taken', sa.String(length=16), nullable=False),
    sa.Column('action_note', sa.Text(), nullable=True),
    sa.Column('danger', sa.Boolean(), nullable=False),
    sa.Column('transferred_110_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('callback_needed', sa.Boolean(), nullable=False),
    sa.Column('callback_due', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('callback_done_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('callback_note', sa.Text(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('created_at', caseflow.timeutil.UTCDateTime(), nullable=False),
    sa.CheckConstraint("action_taken IN ('advice', 'referral', 'case_created', 'emergency_110')", name=op.f('ck_hotline_calls_action_taken')),
    sa.CheckConstraint("caller_relation IS NULL OR caller_relation IN ('self', 'family', 'neighbour', 'friend', 'colleague', 'official', 'other')", name=op.f('ck_hotline_calls_caller_relation')),
    sa.CheckConstraint("category IN ('domestic_violence', 'marriage_family', 'sexual_violence', 'trafficking', 'employment_discrimination', 'property', 'child_protection', 'legal_consultation', 'other')", name=op.f('ck_hotline_calls_category')),
    sa.CheckConstraint("line IN ('12338', '12345', 'walk_in', 'other')", name=op.f('ck_hotline_calls_line')),
    sa.CheckConstraint("urgency IN ('normal', 'urgent', 'danger')", name=op.f('ck_hotline_calls_urgency')),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_hotline_calls_agent_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_hotline_calls_case_id_cases')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_hotline_calls_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_hotline_calls_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline_calls')),
    sa.UniqueConstraint('client_token', name=op.f('uq_hotline_calls_client_token')),
    sa.UniqueConstraint('number', name=op.f('uq_hotline_calls_number'))
    )
    with op.batch_alter_table('hotline_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hotline_calls_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hotline_calls_callback_due'), ['callback_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_hotline_calls_caller_id_number'), ['caller_id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_hotline_calls_caller_phone'), ['caller_phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_hotline_calls_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hotline_calls_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_hotline_calls_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hotline_calls_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_hotline_calls_subject_id_number'), ['subject_id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_hotline_calls_subject_phone'), ['subject_phone'], unique=False)

    op.create_table('legal_aid_cases',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('source_case_id', sa.Integer(), nullable=True),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.Column('matter', sa.String(length=32), nullable=False),
    sa.Column('means_test_exempt_reason', sa.String(length=32), nullable=True),
    sa.Column('household_size', sa.Integer(), nullable=True),
    sa.Column('monthly_income', sa.Integer(), nullable=True),
    sa.Column('honesty_undertaking', sa.Boolean(), nullable=False),
    sa.Column('urgent_pre_provision', sa.Boolean(), nullable=False),
    sa.Column('procedural_deadline', sa.Date(), nullable=True),
    sa.Column('received_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('materials_requested', sa.Text(), nullable=True),
    sa.Column('materials_requested_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('materials_supplied_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('decided_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('denial_reason', sa.Text(), nullable=True),
    sa.Column('objection_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('objection_decided_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('lawyer_name', sa.String(length=100), nullable=True),
    sa.Column('law_firm', sa.String(length=200), nullable=True),
    sa.Column('assigned_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('concluded_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.CheckConstraint("decision IS NULL OR decision IN ('granted', 'denied')", name=op.f('ck_legal_aid_cases_decision')),
    sa.CheckConstraint("matter IN ('protection_order', 'divorce', 'maintenance', 'injury_damages', 'criminal_victim', 'guardianship', 'labour', 'other')", name=op.f('ck_legal_aid_cases_matter')),
    sa.CheckConstraint("means_test_exempt_reason IS NULL OR means_test_exempt_reason IN ('abuse', 'abandonment', 'domestic_violence')", name=op.f('ck_legal_aid_cases_means_exempt')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_legal_aid_cases_case_id_cases')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_legal_aid_cases_referral_id_referrals')),
    sa.ForeignKeyConstraint(['source_case_id'], ['cases.id'], name=op.f('fk_legal_aid_cases_source_case_id_cases')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_legal_aid_cases')),
    sa.UniqueConstraint('referral_id', name=op.f('uq_legal_aid_cases_referral_id'))
    )
    with op.batch_alter_table('legal_aid_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_aid_cases_decided_at'), ['decided_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_legal_aid_cases_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_legal_aid_cases_source_case_id'), ['source_case_id'], unique=False)



def downgrade():
    # Refuses (CHECK violation) while legal-aid cases exist: they are never dropped.
    with op.batch_alter_table('legal_aid_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_aid_cases_source_case_id'))
        batch_op.drop_index(batch_op.f('ix_legal_aid_cases_received_at'))
        batch_op.drop_index(batch_op.f('ix_legal_aid_cases_decided_at'))

    op.drop_table('legal_aid_cases')
    with op.batch_alter_table('hotline_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hotline_calls_subject_phone'))
        batch_op.drop_index(batch_op.f('ix_hotline_calls_subject_id_number'))
        batch_op.drop_index(batch_op.f('ix_hotline_calls_received_at'))
        batch_op.drop_index(batch_op.f('ix_hotline_calls_org_id'))
        batch_op.drop_index(batch_op.f('ix_hotline_calls_category'))
        batch_op.drop_index(batch_op.f('ix_hotline_calls_case_id'))
        batch_op.drop_index(batch_op.f('ix_hotline_calls_caller_phone'))
        batch_op.drop_index(batch_op.f('ix_hotline_calls_caller_id_number'))
        batch_op.drop_index(batch_op.f('ix_hotline_calls_callback_due'))
        batch_op.drop_index(batch_op.f('ix_hotline_calls_agent_id'))

    op.drop_table('hotline_calls')
    _case_checks(OLD_TYPES, OLD_STATES)
