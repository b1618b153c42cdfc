"""/healthz and /readyz: the process answers without a database; ready only with the
database reachable, its schema at the migrations' head and a recent scheduler heartbeat;
503 with the reason, in Chinese and English, otherwise."""

from datetime import timedelta

import pytest

from caseflow import create_app, heartbeat, timeutil
from caseflow.config import TestConfig
from caseflow.extensions import db
from caseflow.views import health


def test_healthz_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


@pytest.fixture
def unreachable_app(tmp_path):
    class Down(TestConfig):
        # Nothing listens on port 1: the connection is refused at once.
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://nobody@127.0.0.1:1/caseflow"
        STORAGE_DIR = str(tmp_path)

    return create_app(Down)


def test_with_the_database_down_the_process_is_healthy_but_not_ready(unreachable_app):
    client = unreachable_app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["reason"] == "database_unreachable"
    assert body["checks"] == {"database": False, "migrations": False, "scheduler": False}
    assert body["message"] == "无法连接数据库。"
    assert body["message_en"] == "The database cannot be reached."


def test_ready_only_with_a_recent_scheduler_heartbeat(client, clean):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["reason"] == "scheduler_missing"
    assert body["checks"] == {"database": True, "migrations": True, "scheduler": False}
    assert "调度" in body["message"] and "scheduler" in body["message_en"]

    with clean.app_context():
        heartbeat.beat("host:1:abc", timeutil.now())
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ready" and "reason" not in body
    assert body["checks"] == {"database": True, "migrations": True, "scheduler": True}

    # The scheduler stopped: its heartbeat grows old.
    later = timeutil.now() + timedelta(seconds=clean.config["READY_HEARTBEAT_SECONDS"] + 60)
    timeutil.set_clock(later)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["reason"] == "scheduler_stale"
    assert body["checks"]["scheduler"] is False and body["checks"]["database"] is True
    seconds = int(clean.config["READY_HEARTBEAT_SECONDS"] + 60)
    assert f"{seconds} seconds" in body["message_en"] and f"{seconds} 秒" in body["message"]

    # A new scheduler beats again.
    with clean.app_context():
        heartbeat.beat("host:2:def", timeutil.now())
    assert client.get("/readyz").status_code == 200


def test_not_ready_while_migrations_are_pending(client, clean, monkeypatch):
    with clean.app_context():
        heartbeat.beat("host:1:abc", timeutil.now())
        current = db.session.scalar(db.text("SELECT version_num FROM alembic_version"))
    monkeypatch.setattr(health, "head_revisions", lambda: frozenset({"9999"}))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["reason"] == "migrations_pending"
    assert body["checks"] == {"database": True, "migrations": False, "scheduler": False}
    assert current in body["message_en"] and "9999" in body["message_en"]
    assert "flask db upgrade" in body["message"]
