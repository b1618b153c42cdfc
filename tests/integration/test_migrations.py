"""Migrations are the schema (architecture rule 9), on the configured engine.

The session fixture already builds the test database with `upgrade` from empty. Here:
the migrations reach head, go down to nothing and up again on a scratch database, agree
with the models, and the CHECK constraint on states takes every state of every workflow
and nothing else.
"""

import contextlib
import uuid
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, insert, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from caseflow import create_app, partitions
from caseflow.config import ROOT, TestConfig
from caseflow.extensions import db
from caseflow.models import Case, Jurisdiction
from caseflow.workflows import ALL_STATES, WORKFLOWS
from tests.conftest import user

SCRATCH = "caseflow_scratch"
TABLES = {
    "access_log",
    "api_tokens",
    "case_counters",
    "cases",
    "deadlines",
    "events",
    "jurisdictions",
    "mandatory_reports",
    "organisations",
    "persons",
    "referrals",
    "users",
    "visits",
}


def head_revision() -> str:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def schema_differences(engine) -> list:
    with engine.connect() as conn:
        from caseflow.models.case import include_object

        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_object": include_object,
                "include_name": partitions.include_name,
            },
        )
        return [d for d in compare_metadata(context, db.metadata) if not _partition_key(d)]


def _partition_key(diff) -> bool:
    """On PostgreSQL a unique constraint of a partitioned table holds the partition column
    `at` too (migration 0018): the model's (case_id, seq) is (case_id, seq, at) there."""
    if not isinstance(diff, tuple) or diff[0] not in ("add_constraint", "remove_constraint"):
        return False
    constraint = diff[1]
    table = getattr(constraint, "table", None)
    return table is not None and table.name in partitions.PARTITIONED


def current_revision(engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


# --- the test database --------------------------------------------------------------------


def test_the_test_database_is_at_the_head_revision(app):
    with app.app_context():
        assert current_revision(db.engine) == head_revision()
        assert TABLES <= set(inspect(db.engine).get_table_names())


def test_models_and_migrations_agree(app):
    with app.app_context():
        assert schema_differences(db.engine) == []


# --- down to nothing and up again, on a scratch database --------------------------------


@contextlib.contextmanager
def scratch_url(app, tmp_path):
    """A URL to an empty database of the same engine as the test database."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite'}"
        return
    if url.get_backend_name() != "postgresql":
        pytest.fail(f"no scratch database recipe for {url.get_backend_name()}")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {SCRATCH}"))
        yield url.set(database=SCRATCH).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"))
        admin.dispose()


def test_upgrade_downgrade_to_base_and_upgrade_again(app, tmp_path):
    with scratch_url(app, tmp_path) as url:

        class Config(TestConfig):
            SQLALCHEMY_DATABASE_URI = url

        scratch = create_app(Config)
        with scratch.app_context():
            engine = db.engine
            try:
                assert set(inspect(engine).get_table_names()) == set()

                upgrade()
                assert current_revision(engine) == head_revision()
                assert TABLES <= set(inspect(engine).get_table_names())
                assert schema_differences(engine) == []

                downgrade(revision="base")
                assert current_revision(engine) is None
                assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

                upgrade()
                assert current_revision(engine) == head_revision()
                assert schema_differences(engine) == []

                # The comparison does see a drift: an index the models declare, gone.
                with engine.begin() as conn:
                    conn.execute(text("DROP INDEX ix_cases_created_at"))
                drift = schema_differences(engine)
                assert [d[0] for d in drift] == ["add_index"]
                assert drift[0][1].name == "ix_cases_created_at"
            finally:
                engine.dispose()


# --- the CHECK constraint on states ---------------------------------------------------------


def case_row(state: str, case_type: str = "mandatory_report") -> dict:
    place = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "500240001001"))
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    return {
        "number": f"T-{uuid.uuid4().hex[:12]}",
        "type": case_type,
        "state": state,
        "version": 1,
        "jurisdiction_id": place.id,
        "created_by_id": user("child_director").id,
        "urgent": False,
        "risk_level": "medium",
        "special_protection": [],
        "description": "",
        "sealed": False,
        "is_test": True,
        "created_at": at,
        "updated_at": at,
    }


def test_every_state_of_every_workflow_is_accepted(ctx):
    expected = [(wf.name, state) for wf in WORKFLOWS.values() for state in wf.states]
    assert {state for _type, state in expected} == set(ALL_STATES)
    for case_type, state in expected:
        with db.session.begin_nested():
            db.session.execute(insert(Case).values(**case_row(state, case_type)))
    stored = db.session.execute(select(Case.type, Case.state)).all()
    assert sorted(stored) == sorted(expected)


@pytest.mark.parametrize("state", ["deleted", "", "CLOSED", "to_closed", "new"])
def test_an_unknown_state_is_refused(ctx, state):
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(insert(Case).values(**case_row(state)))
    assert db.session.scalar(select(Case.id)) is None


def test_an_unknown_case_type_is_refused(ctx):
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(insert(Case).values(**case_row("submitted", "parking_ticket")))


# The vocabularies 0005's CHECK constraints know: a scratch database seeded at head drops
# the demo rows of later roles and unit types before it goes down to 0005.
ROLES_0005 = (
    "child_director child_supervisor civil_affairs police court_liaison legal_aid hotline "
    "womens_federation supervisor statistician data_reporter admin"
).split()
ORG_TYPES_0005 = (
    "police_station police_bureau civil_affairs court procuratorate legal_aid_centre "
    "justice_bureau womens_federation education_bureau health_bureau school kindergarten "
    "hospital village_committee township_government social_work relief_agency "
    "welfare_institution shelter hotel hotline_centre working_committee other"
).split()


def keep_only_what_0005_knows() -> None:
    from sqlalchemy import delete

    from caseflow.models import Organisation, User
    from caseflow.models.geo import organisation_places

    later_orgs = select(Organisation.id).where(Organisation.type.not_in(ORG_TYPES_0005))
    db.session.execute(
        delete(organisation_places).where(organisation_places.c.organisation_id.in_(later_orgs))
    )
    db.session.execute(
        delete(User).where(User.role.not_in(ROLES_0005) | User.organisation_id.in_(later_orgs))
    )
    db.session.execute(delete(Organisation).where(Organisation.type.not_in(ORG_TYPES_0005)))
    db.session.commit()


# --- 0006: the working-day calendar ---------------------------------------------------------


def test_0006_seeds_the_calendar_and_recovers_plain_day_rows(app, tmp_path):
    """A row the old code counted in plain days (no package data for 2027, calendar_note
    set) gets back how it was counted, so it can be counted again on the calendar."""
    from zoneinfo import ZoneInfo

    import sqlalchemy as sa

    from caseflow.demo import seed
    from caseflow.models import CalendarYear, Deadline
    from caseflow.services import calendar as calendar_service
    from caseflow.timeutil import UTCDateTime

    zone = ZoneInfo("Asia/Shanghai")
    opened = datetime(2026, 12, 29, 10, 0, tzinfo=zone)
    with scratch_url(app, tmp_path) as url:

        class Config(TestConfig):
            SQLALCHEMY_DATABASE_URI = url

        scratch = create_app(Config)
        with scratch.test_request_context():
            engine = db.engine
            try:
                upgrade()
                seed(with_cases=False)
                db.session.execute(insert(Case).values(**case_row("submitted")))
                db.session.commit()
                case_id = db.session.scalar(select(Case.id))
                keep_only_what_0005_knows()
                downgrade(revision="0005")
                old = sa.table(
                    "deadlines",
                    sa.column("case_id", sa.Integer),
                    sa.column("kind", sa.String),
                    sa.column("opened_at", UTCDateTime),
                    sa.column("due_at", UTCDateTime),
                    sa.column("basis", sa.Text),
                    sa.column("status", sa.String),
                    sa.column("done_late", sa.Boolean),
                    sa.column("calendar_note", sa.String),
                )
                with engine.begin() as conn:
                    conn.execute(
                        old.insert(),
                        [
                            {  # Tue + 3 → 元旦 2027, taken as it fell
                                "case_id": case_id,
                                "kind": "verify_due",
                                "opened_at": opened,
                                "due_at": datetime(2027, 1, 2, tzinfo=zone),
                                "basis": "x",
                                "status": "open",
                                "done_late": False,
                                "calendar_note": "no holiday data for 2027; holidays not applied",
                            },
                            {  # counted by the package: nothing to recover
                                "case_id": case_id,
                                "kind": "verify_due",
                                "opened_at": opened,
                                "due_at": datetime(2026, 11, 6, tzinfo=zone),
                                "basis": "x",
                                "status": "open",
                                "done_late": False,
                                "calendar_note": None,
                            },
                        ],
                    )
                upgrade()
                db.session.remove()
                assert db.session.get(CalendarYear, 2026).source == "package"
                rows = db.session.scalars(select(Deadline).order_by(Deadline.id)).all()
                assert [(d.counted_from, d.period_days, d.provisional) for d in rows] == [
                    (opened, 3, False),
                    (None, None, False),
                ]
                admin = user("admin")
                assert calendar_service.recompute(2027, admin, "") == 1
                db.session.commit()
                assert rows[0].due_at == datetime(2027, 1, 5, tzinfo=zone)  # Mon 01-04, 24:00
                assert rows[0].provisional is True
            finally:
                db.session.remove()
                engine.dispose()
