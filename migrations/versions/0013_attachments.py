"""attachments and unit leads

Evidence attached to cases: the row of each file (kind, description, the act's date, the
type decided from its bytes, size, SHA-256 of the file and of its thumbnail) and its
withdrawal (never a deletion). users.is_lead: the lead of a unit assigns its cases.
case_transfers: an open case offered to another unit, accepted or declined there.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-01 22:50:00

"""
from alembic import op
import sqlalchemy as sa
import caseflow.timeutil  # noqa: F401  (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = "0011"
branch_labels = None
depends_on = None

KINDS = (
    "photo",
    "medical_record",
    "police_record",
    "warning_letter_scan",
    "application_scan",
    "service_receipt_scan",
    "audio",
    "video",
    "other",
)


def upgrade():
    op.create_table(
        'attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('acted_on', sa.Date(), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('thumbnail_sha256', sa.String(length=64), nullable=True),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', caseflow.timeutil.UTCDateTime(), nullable=False),
        sa.Column('withdrawn_at', caseflow.timeutil.UTCDateTime(), nullable=True),
        sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
        sa.Column('withdraw_reason', sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in KINDS) + ")",
            name=op.f('ck_attachments_kind'),
        ),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_attachments_case_id_cases')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users')),
        sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_attachments_withdrawn_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_sha256'), ['sha256'], unique=False)
    op.create_table(
        'case_transfers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('from_org_id', sa.Integer(), nullable=False),
        sa.Column('to_org_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', caseflow.timeutil.UTCDateTime(), nullable=False),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answered_at', caseflow.timeutil.UTCDateTime(), nullable=True),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'accepted', 'declined')", name=op.f('ck_case_transfers_status')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_transfers_case_id_cases')),
        sa.ForeignKeyConstraint(['from_org_id'], ['organisations.id'], name=op.f('fk_case_transfers_from_org_id_organisations')),
        sa.ForeignKeyConstraint(['to_org_id'], ['organisations.id'], name=op.f('fk_case_transfers_to_org_id_organisations')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_case_transfers_requested_by_id_users')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_case_transfers_answered_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_transfers')),
    )
    with op.batch_alter_table('case_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_transfers_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_transfers_to_org_id'), ['to_org_id'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('is_lead', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_lead')
    with op.batch_alter_table('case_transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_transfers_to_org_id'))
        batch_op.drop_index(batch_op.f('ix_case_transfers_case_id'))
    op.drop_table('case_transfers')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_sha256'))
        batch_op.drop_index(batch_op.f('ix_attachments_case_id'))
    op.drop_table('attachments')
