"""The optional read replica (CASEFLOW_REPLICA_DATABASE_URL), pointed at the suite's own
database: the indicator API, the indicator pages and the workbook read through the
replica's engine and answer as without it; no write ever goes to the replica."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from caseflow import create_app, replica, timeutil
from caseflow.config import TestConfig
from caseflow.extensions import db
from caseflow.indicators import exports
from caseflow.models import ExportJob, LoginEvent
from tests.conftest import api_token, login
from tests.contract import ContractClient


@pytest.fixture
def replica_app(clean):
    class WithReplica(TestConfig):
        SQLALCHEMY_DATABASE_URI = clean.config["SQLALCHEMY_DATABASE_URI"]
        REPLICA_DATABASE_URL = clean.config["SQLALCHEMY_DATABASE_URI"]
        STORAGE_DIR = clean.config["STORAGE_DIR"]

    application = create_app(WithReplica)
    application.test_client_class = ContractClient
    statements: list[str] = []
    engine = application.extensions[replica.EXTENSION]

    @event.listens_for(engine, "before_cursor_execute")
    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    application.replica_statements = statements
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    engine.dispose()


def test_the_indicator_api_reads_from_the_replica(replica_app, clean):
    params = "?plan=500240-women-2021&year=2025"
    expected = clean.test_client()
    plain = expected.get("/api/v1/indicators" + params, headers=api_token(expected, "statistician"))
    assert plain.status_code == 200
    client = replica_app.test_client()
    headers = api_token(client, "statistician")
    assert replica_app.replica_statements == []  # the login is not a read path
    answer = client.get("/api/v1/indicators" + params, headers=headers)
    assert answer.status_code == 200
    assert answer.get_json() == plain.get_json()
    assert "SELECT" in replica_app.replica_statements
    assert set(replica_app.replica_statements) == {"SELECT"}


def test_the_indicator_pages_read_from_the_replica(replica_app):
    client = replica_app.test_client()
    login(client, "statistician")
    assert replica_app.replica_statements == []
    page = client.get("/indicators?plan=500240-women-2021&year=2025")
    assert page.status_code == 200 and "女性检察官占比" in page.get_data(as_text=True)
    assert set(replica_app.replica_statements) == {"SELECT"}
    count = len(replica_app.replica_statements)
    # Pages that write stay on the primary database.
    assert client.get("/indicators/review").status_code == 200
    assert len(replica_app.replica_statements) == count


def test_the_workbook_is_built_from_the_replica(replica_app):
    from tests.conftest import user

    with replica_app.test_request_context():
        job_id = exports.start(user("statistician"), {"year": "2025", "jurisdiction": "500240"}).id
    assert replica_app.replica_statements == []
    assert exports.run_pending(replica_app) == 1
    assert set(replica_app.replica_statements) == {"SELECT"}
    with replica_app.app_context():
        job = db.session.get(ExportJob, job_id)
        assert job.status == "done", job.error
        assert load_workbook(BytesIO(job.content)).sheetnames[0] == "妇女与法律"


def test_writes_inside_a_read_path_go_to_the_primary(replica_app):
    with replica_app.app_context(), replica.reading():
        assert db.session.scalars(select(LoginEvent)).all() is not None
        db.session.add(
            LoginEvent(at=timeutil.now(), kind="failure", channel="web", username="nobody")
        )
        db.session.flush()
        db.session.rollback()
    assert set(replica_app.replica_statements) == {"SELECT"}


def test_without_a_replica_reading_changes_nothing(clean):
    assert replica.EXTENSION not in clean.extensions
    with clean.app_context(), replica.reading():
        assert replica.engine() is None
        assert db.session.get_bind(clause=select(ExportJob)) is db.engine
