"""domestic violence: warnings and protection orders

Two case types join: dv_warning (dv_incidents) and protection_order (protection_orders).
The CHECK constraints on cases.type and cases.state are widened to their codes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:56:29.688055

"""
from alembic import op
import sqlalchemy as sa
import caseflow.timeutil  # noqa: F401  (UTCDateTime columns)


OLD_TYPES = "type IN ('mandatory_report')"
NEW_TYPES = "type IN ('mandatory_report', 'dv_warning', 'protection_order')"
MR_STATES = (
    "'submitted', 'accepted', 'verifying', 'verified', 'unfounded', 'referred', "
    "'following_up', 'closure_requested', 'closed'"
)
DV_STATES = (
    "'incident_logged', 'warning_issued', 'delivered', 'escalated', 'drafted', 'filed', "
    "'issued', 'rejected', 'reconsideration', 'in_force', 'ended'"
)
OLD_STATES = f"state IN ({MR_STATES})"
NEW_STATES = f"state IN ({MR_STATES}, {DV_STATES})"


def _case_checks(types: str, states: str) -> None:
    # SQLite cannot alter a constraint: batch mode rebuilds the table with the new ones.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_cases_type"), type_="check")
        batch_op.drop_constraint(op.f("ck_cases_state"), type_="check")
        batch_op.create_check_constraint(op.f("ck_cases_type"), sa.text(types))
        batch_op.create_check_constraint(op.f("ck_cases_state"), sa.text(states))


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    _case_checks(NEW_TYPES, NEW_STATES)
    op.create_table('dv_incidents',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('call_at', caseflow.timeutil.UTCDateTime(), nullable=False),
    sa.Column('attended_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('relation', sa.String(length=32), nullable=False),
    sa.Column('violence_forms', sa.JSON(), nullable=False),
    sa.Column('injury_level', sa.String(length=16), nullable=False),
    sa.Column('injuries', sa.Text(), nullable=False),
    sa.Column('minors_present', sa.Boolean(), nullable=False),
    sa.Column('minors_witnessed', sa.Boolean(), nullable=False),
    sa.Column('prior_incidents', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('outcome_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('outcome_detail', sa.Text(), nullable=True),
    sa.Column('warning_number', sa.String(length=64), nullable=True),
    sa.Column('warning_issued_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('warning_facts', sa.Text(), nullable=True),
    sa.Column('warning_prohibition', sa.Text(), nullable=True),
    sa.Column('delivered_abuser_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('delivered_victim_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('committee_notified_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('committee_name', sa.String(length=200), nullable=True),
    sa.CheckConstraint("injury_level IN ('none', 'minor', 'serious', 'unknown')", name=op.f('ck_dv_incidents_injury_level')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('criticism', 'warning', 'admin_penalty', 'criminal_case')", name=op.f('ck_dv_incidents_outcome')),
    sa.CheckConstraint("relation IN ('spouse', 'former_spouse', 'partner', 'former_partner', 'parent', 'child', 'sibling', 'grandparent', 'grandchild', 'in_law', 'guardian', 'other_family', 'co_resident')", name=op.f('ck_dv_incidents_relation')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_dv_incidents_case_id_cases')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_dv_incidents')),
    sa.UniqueConstraint('warning_number', name=op.f('uq_dv_incidents_warning_number'))
    )
    with op.batch_alter_table('dv_incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dv_incidents_call_at'), ['call_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dv_incidents_warning_issued_at'), ['warning_issued_at'], unique=False)

    op.create_table('protection_orders',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('source_case_id', sa.Integer(), nullable=True),
    sa.Column('applicant_role', sa.String(length=32), nullable=False),
    sa.Column('proxy_reason', sa.String(length=32), nullable=True),
    sa.Column('victim_wishes_confirmed', sa.Boolean(), nullable=False),
    sa.Column('relation', sa.String(length=32), nullable=True),
    sa.Column('measures', sa.JSON(), nullable=False),
    sa.Column('measures_other', sa.Text(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('court_id', sa.Integer(), nullable=True),
    sa.Column('court_basis', sa.String(length=32), nullable=True),
    sa.Column('oral_application', sa.Boolean(), nullable=False),
    sa.Column('filed_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('accepted_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('court_case_number', sa.String(length=64), nullable=True),
    sa.Column('ruling', sa.String(length=16), nullable=True),
    sa.Column('ruled_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('reconsideration_requested_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('reconsideration_decided_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('order_number', sa.String(length=64), nullable=True),
    sa.Column('issued_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('expires_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('granted_measures', sa.JSON(), nullable=False),
    sa.Column('served_applicant_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('served_respondent_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('served_police_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('served_committee_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('served_police_name', sa.String(length=200), nullable=True),
    sa.Column('served_committee_name', sa.String(length=200), nullable=True),
    sa.Column('ended_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('end_reason', sa.String(length=16), nullable=True),
    sa.CheckConstraint("applicant_role IN ('victim', 'close_relative', 'police', 'womens_federation', 'residents_committee', 'village_committee', 'relief_agency', 'civil_affairs', 'disabled_federation', 'elderly_organisation')", name=op.f('ck_protection_orders_applicant_role')),
    sa.CheckConstraint("court_basis IS NULL OR court_basis IN ('applicant_residence', 'respondent_residence', 'place_of_violence')", name=op.f('ck_protection_orders_court_basis')),
    sa.CheckConstraint("end_reason IS NULL OR end_reason IN ('expired', 'revoked')", name=op.f('ck_protection_orders_end_reason')),
    sa.CheckConstraint("ruling IS NULL OR ruling IN ('issued', 'rejected')", name=op.f('ck_protection_orders_ruling')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_protection_orders_case_id_cases')),
    sa.ForeignKeyConstraint(['court_id'], ['organisations.id'], name=op.f('fk_protection_orders_court_id_organisations')),
    sa.ForeignKeyConstraint(['source_case_id'], ['cases.id'], name=op.f('fk_protection_orders_source_case_id_cases')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_protection_orders'))
    )
    with op.batch_alter_table('protection_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_protection_orders_court_id'), ['court_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_protection_orders_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_protection_orders_filed_at'), ['filed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_protection_orders_issued_at'), ['issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_protection_orders_ruled_at'), ['ruled_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_protection_orders_source_case_id'), ['source_case_id'], unique=False)


def downgrade():
    # Refuses (CHECK violation) while cases of the new types exist: they are never dropped.
    with op.batch_alter_table('protection_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_protection_orders_source_case_id'))
        batch_op.drop_index(batch_op.f('ix_protection_orders_ruled_at'))
        batch_op.drop_index(batch_op.f('ix_protection_orders_issued_at'))
        batch_op.drop_index(batch_op.f('ix_protection_orders_filed_at'))
        batch_op.drop_index(batch_op.f('ix_protection_orders_expires_at'))
        batch_op.drop_index(batch_op.f('ix_protection_orders_court_id'))

    op.drop_table('protection_orders')
    with op.batch_alter_table('dv_incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dv_incidents_warning_issued_at'))
        batch_op.drop_index(batch_op.f('ix_dv_incidents_call_at'))

    op.drop_table('dv_incidents')
    _case_checks(OLD_TYPES, OLD_STATES)
