"""statutory steps: proxy applicants, committees, institution reporters

New roles `committee` (residents' / villagers' committee staff, 查访 after a 告诫书),
`institution_reporter` (schools, kindergartens, medical, social-work, relief and welfare
institutions and hotels filing mandatory reports) and `assisting_org` (disabled persons'
federations, elderly organisations and relief agencies applying for a protection order as
proxies); organisation types `disabled_federation` and `elderly_organisation`; and on
mandatory_reports the sexual-abuse flag and the time the guardian was told (未保法 Art. 40).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:10:00

"""
from alembic import op
import sqlalchemy as sa
import caseflow.timeutil  # noqa: F401  (UTCDateTime columns)


OLD_ROLES = (
    "'child_director', 'child_supervisor', 'civil_affairs', 'police', 'court_liaison', "
    "'legal_aid', 'hotline', 'womens_federation', 'supervisor', 'statistician', "
    "'data_reporter', 'admin'"
)
NEW_ROLES = OLD_ROLES + ", 'committee', 'institution_reporter', 'assisting_org'"
OLD_ORG_TYPES = (
    "'police_station', 'police_bureau', 'civil_affairs', 'court', 'procuratorate', "
    "'legal_aid_centre', 'justice_bureau', 'womens_federation', 'education_bureau', "
    "'health_bureau', 'school', 'kindergarten', 'hospital', 'village_committee', "
    "'township_government', 'social_work', 'relief_agency', 'welfare_institution', "
    "'shelter', 'hotel', 'hotline_centre', 'working_committee', 'other'"
)
NEW_ORG_TYPES = OLD_ORG_TYPES.replace(
    "'working_committee', 'other'",
    "'working_committee', 'disabled_federation', 'elderly_organisation', 'other'",
)

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = "0007"
branch_labels = None
depends_on = None


def _checks(roles: str, org_types: str) -> None:
    # SQLite cannot alter a constraint: batch mode rebuilds the table with the new one.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role"), sa.text(f"role IN ({roles})"))
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_organisations_type"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_organisations_type"), sa.text(f"type IN ({org_types})")
        )


def upgrade():
    _checks(NEW_ROLES, NEW_ORG_TYPES)
    with op.batch_alter_table("mandatory_reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sexual_abuse", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("guardian_notified_at", caseflow.timeutil.UTCDateTime(), nullable=True)
        )


def downgrade():
    # Refuses (CHECK violation) while users or organisations of the new kinds exist: they
    # are never deleted by a migration.
    with op.batch_alter_table("mandatory_reports", schema=None) as batch_op:
        batch_op.drop_column("guardian_notified_at")
        batch_op.drop_column("sexual_abuse")
    _checks(OLD_ROLES, OLD_ORG_TYPES)
