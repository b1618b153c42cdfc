"""notifications

The notification inbox and email outbox (one row each, unique by the key of its cause),
and each user's choice of immediate emails or a daily digest.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 13:14:27.597348

"""
from alembic import op
import sqlalchemy as sa
import caseflow.timeutil  # noqa: F401  (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=200), nullable=True),
    sa.Column('created_at', caseflow.timeutil.UTCDateTime(), nullable=False),
    sa.Column('read_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('email_status', sa.String(length=16), nullable=False),
    sa.Column('email_attempts', sa.Integer(), nullable=False),
    sa.Column('email_claimed_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('email_sent_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.Column('email_error', sa.Text(), nullable=True),
    sa.Column('digested_at', caseflow.timeutil.UTCDateTime(), nullable=True),
    sa.CheckConstraint("email_status IN ('none', 'pending', 'sending', 'sent', 'failed')", name=op.f('ck_notifications_email_status')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_notifications_case_id_cases')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('key', name=op.f('uq_notifications_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_email_status'), ['email_status'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        # Existing users keep getting each notification as it comes.
        batch_op.add_column(sa.Column('notify_mode', sa.String(length=16), nullable=False, server_default='immediate'))
        batch_op.create_check_constraint(op.f('ck_users_notify_mode'), sa.text("notify_mode IN ('immediate', 'digest')"))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_notify_mode'), type_='check')
        batch_op.drop_column('notify_mode')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_kind'))
        batch_op.drop_index(batch_op.f('ix_notifications_email_status'))
        batch_op.drop_index(batch_op.f('ix_notifications_created_at'))
        batch_op.drop_index(batch_op.f('ix_notifications_case_id'))

    op.drop_table('notifications')
