"""access log viewer

The auditor role (reads the access log), and the indexes the viewer reads the log by:
a case's readers and a user's reads, newest first. The table itself is not rebuilt (no
new CHECK on it): it is append-only and other migrations put triggers on it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:30:00

"""
from alembic import op
import sqlalchemy as sa


OLD_ROLES = (
    "'child_director', 'child_supervisor', 'civil_affairs', 'police', 'court_liaison', "
    "'legal_aid', 'hotline', 'womens_federation', 'supervisor', 'statistician', "
    "'data_reporter', 'admin', 'committee', 'institution_reporter', 'assisting_org'"
)
NEW_ROLES = OLD_ROLES + ", 'auditor'"


def _role_check(roles: str) -> None:
    # SQLite cannot alter a constraint: batch mode rebuilds the table with the new one.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role"), sa.text(f"role IN ({roles})"))


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_access_log_case_at', 'access_log', ['case_id', 'at'], unique=False)
    op.create_index('ix_access_log_user_at', 'access_log', ['user_id', 'at'], unique=False)
    _role_check(NEW_ROLES)


def downgrade():
    # Refuses (CHECK violation) while auditors exist: users are never dropped.
    _role_check(OLD_ROLES)
    op.drop_index('ix_access_log_user_at', table_name='access_log')
    op.drop_index('ix_access_log_case_at', table_name='access_log')
