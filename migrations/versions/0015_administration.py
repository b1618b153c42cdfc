"""administration and the service directory

organisations: parent unit, phone, active, referable, services and hours, and the places
each serves (organisation_places); jurisdictions.active; the rule-pack overrides set in
the app with the history of their changes; the log of administrative changes. The log and
the override history are append-only (triggers as in 0010). The statistics bureau is not a
unit cases are referred to.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-02 01:00:00

"""

from alembic import op
import sqlalchemy as sa
import caseflow.timeutil  # noqa: F401  (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

PROTECTED = ("admin_events", "rule_override_changes")
OLD_REASONS = ("logout", "idle", "absolute", "ended_by_user", "deactivated", "password")
NEW_REASONS = OLD_REASONS + ("administrator",)


def _reasons(reasons):
    listed = ", ".join(f"'{r}'" for r in reasons)
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_sessions_end_reason"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_user_sessions_end_reason"),
            sa.text(f"end_reason IS NULL OR end_reason IN ({listed})"),
        )


def _create_triggers():
    if op.get_bind().dialect.name == "postgresql":
        # caseflow_append_only() is created by migration 0010.
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
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in PROTECTED:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")


def upgrade():
    with op.batch_alter_table("jurisdictions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("referable", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column("services", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("hours", sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_organisations_parent_id_organisations"),
            "organisations",
            ["parent_id"],
            ["id"],
        )
    op.execute("UPDATE organisations SET referable = false WHERE name LIKE '%统计局'")
    op.create_table(
        "organisation_places",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_organisation_places_jurisdiction_id_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_places_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint(
            "organisation_id", "jurisdiction_id", name=op.f("pk_organisation_places")
        ),
    )
    with op.batch_alter_table("organisation_places", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_places_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )
    op.create_table(
        "admin_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", caseflow.timeutil.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("target_label", sa.String(length=200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_admin_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["county_id"],
            ["jurisdictions.id"],
            name=op.f("fk_admin_events_county_id_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_events")),
    )
    with op.batch_alter_table("admin_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_admin_events_county_id"), ["county_id"], unique=False)
    op.create_table(
        "rule_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=True),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("basis_en", sa.Text(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", caseflow.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_rule_overrides_jurisdiction_id_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_rule_overrides_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_overrides")),
        sa.UniqueConstraint("jurisdiction_id", "kind", name="place_kind"),
    )
    with op.batch_alter_table("rule_overrides", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rule_overrides_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )
    op.create_table(
        "rule_override_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", caseflow.timeutil.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_rule_override_changes_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_rule_override_changes_jurisdiction_id_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_override_changes")),
    )
    with op.batch_alter_table("rule_override_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rule_override_changes_jurisdiction_id"),
            ["jurisdiction_id"],
            unique=False,
        )
    _reasons(NEW_REASONS)
    _create_triggers()


def downgrade():
    _drop_triggers()
    op.execute(
        "UPDATE user_sessions SET end_reason = 'ended_by_user' WHERE end_reason = 'administrator'"
    )
    _reasons(OLD_REASONS)
    with op.batch_alter_table("rule_override_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rule_override_changes_jurisdiction_id"))
    op.drop_table("rule_override_changes")
    with op.batch_alter_table("rule_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rule_overrides_jurisdiction_id"))
    op.drop_table("rule_overrides")
    with op.batch_alter_table("admin_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_events_county_id"))
        batch_op.drop_index(batch_op.f("ix_admin_events_at"))
    op.drop_table("admin_events")
    with op.batch_alter_table("organisation_places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_places_jurisdiction_id"))
    op.drop_table("organisation_places")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_organisations_parent_id_organisations"), type_="foreignkey"
        )
        batch_op.drop_column("hours")
        batch_op.drop_column("services")
        batch_op.drop_column("referable")
        batch_op.drop_column("active")
        batch_op.drop_column("phone")
        batch_op.drop_column("parent_id")
    with op.batch_alter_table("jurisdictions", schema=None) as batch_op:
        batch_op.drop_column("active")
