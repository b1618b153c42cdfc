"""Fixtures shared by every test.

The database is the one named by CASEFLOW_TEST_DATABASE_URL (CI runs the suite once on
SQLite and once on PostgreSQL); by default a SQLite file in a temporary folder, a real
file so that tests can open two connections at once. The schema is built by the Alembic
migrations, once per run; each test starts from the demo district without cases.
"""

import contextlib
import os
import re

import pytest
from flask_migrate import upgrade

from caseflow import create_app, timeutil
from caseflow.config import TestConfig
from caseflow.extensions import db
from tests.contract import ContractClient

PASSWORD = "caseflow-demo"


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("CASEFLOW_TEST_DATABASE_URL")
    return url or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url(tmp_path_factory)
        STORAGE_DIR = str(tmp_path_factory.mktemp("storage"))

    application = create_app(Config)
    # Every /api/v1 call of the suite is checked against the OpenAPI document.
    application.test_client_class = ContractClient
    with application.app_context():
        _drop_all(application)
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


def _drop_all(application):
    """An empty database: drop every table, whatever an earlier run left."""
    from sqlalchemy import MetaData

    meta = MetaData()
    meta.reflect(bind=db.engine)
    meta.drop_all(bind=db.engine)


@pytest.fixture
def clean(app):
    """Every test starts from the demo district (places, organisations, users), no cases."""
    from caseflow.demo import seed

    with app.app_context():
        purge()
        seed(with_cases=False)
        db.session.commit()
    timeutil.set_clock(None)
    yield app
    timeutil.set_clock(None)


def purge() -> None:
    """Empty every table, the append-only ones too, and commit (inside an app context)."""
    with append_only_lifted(db.session.connection()):
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
    db.session.commit()


@contextlib.contextmanager
def append_only_lifted(connection):
    """Inside the current transaction, let UPDATE and DELETE through the append-only
    triggers (migration 0010) — for the purge between tests and for tests that play a
    tamperer with direct access to the database. Neither way is open to the application:
    on PostgreSQL session_replication_role needs a superuser (the test login; never the
    application's), on SQLite the triggers are dropped and put back in the same
    transaction, so they are back before anything commits."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            connection.exec_driver_sql("SET LOCAL session_replication_role = origin")
        return
    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_no_%'"
    ).all()
    for name, _sql in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        for _name, sql in triggers:
            connection.exec_driver_sql(sql)


@pytest.fixture
def ctx(clean):
    """An app context for tests that call services directly."""
    with clean.test_request_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(clean):
    return clean.test_client()


def user(username: str):
    from caseflow.models import User

    return db.session.scalar(db.select(User).where(User.username == username))


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def api_token(client, username: str, password: str = PASSWORD) -> dict:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def postgres_only():
    """Skip a concurrency test on SQLite: it has no row locks (FOR UPDATE SKIP LOCKED is
    ignored and a writer takes the whole database), so two workers cannot overlap as they
    do on PostgreSQL, where CI runs these tests."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip(
            "SQLite has no row locks (FOR UPDATE SKIP LOCKED is ignored and a writer takes the "
            "whole database), so two workers cannot overlap as on PostgreSQL"
        )
