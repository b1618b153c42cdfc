"""act times

The time a person acted, kept apart from its entry: how and to whom a mandatory report
was made; the service of a rejected protection-order application (its reconsideration
window runs from service); the applicant's request for urgency, kept apart from the
court's decision; and the respondent's reconsideration of a granted order (Art. 31).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import caseflow.timeutil  # noqa: F401  (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = "0006"
branch_labels = None
depends_on = None

CHANNELS = "'system', 'phone_110', 'phone', 'in_person', 'in_writing'"
OUTCOMES = "'upheld', 'changed', 'revoked'"


def upgrade():
    with op.batch_alter_table('mandatory_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_channel', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('reported_to', sa.String(length=200), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_mandatory_reports_report_channel'),
            sa.text(f"report_channel IS NULL OR report_channel IN ({CHANNELS})"),
        )

    with op.batch_alter_table('protection_orders', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('urgency_requested', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column('rejection_served_at', caseflow.timeutil.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column('respondent_review_requested_at', caseflow.timeutil.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column('respondent_review_decided_at', caseflow.timeutil.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column('respondent_review_outcome', sa.String(length=16), nullable=True)
        )
        batch_op.create_check_constraint(
            op.f('ck_protection_orders_review_outcome'),
            sa.text(
                f"respondent_review_outcome IS NULL OR respondent_review_outcome IN ({OUTCOMES})"
            ),
        )
    # Rejections recorded before: their window was counted from the ruling, as if served
    # then; keep that, so an open window still works (the court may not have said more).
    op.execute(
        "UPDATE protection_orders SET rejection_served_at = ruled_at WHERE ruling = 'rejected'"
    )
    # Applications made before: the case's urgency was the applicant's tick.
    op.execute(
        "UPDATE protection_orders SET urgency_requested = "
        "(SELECT cases.urgent FROM cases WHERE cases.id = protection_orders.case_id)"
    )


def downgrade():
    with op.batch_alter_table('protection_orders', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_protection_orders_review_outcome'), type_='check')
        batch_op.drop_column('respondent_review_outcome')
        batch_op.drop_column('respondent_review_decided_at')
        batch_op.drop_column('respondent_review_requested_at')
        batch_op.drop_column('rejection_served_at')
        batch_op.drop_column('urgency_requested')

    with op.batch_alter_table('mandatory_reports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_mandatory_reports_report_channel'), type_='check')
        batch_op.drop_column('reported_to')
        batch_op.drop_column('report_channel')
