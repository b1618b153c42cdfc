"""The audit trail proves itself (issue 12): keyed event hashes, daily checkpoints of each
chain head, `flask audit verify`, the nightly job and the append-only triggers.

Every tampering below is done the way an intruder with database access would: through
the database, around the application, with the triggers lifted (tests.conftest
`append_only_lifted`) — and without the audit key, which lives only in the environment.
"""

import hashlib
import json
from datetime import UTC

import pytest
from flask import Flask
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from caseflow import create_app, scheduler
from caseflow.config import TestConfig
from caseflow.extensions import db
from caseflow.models import (
    AccessLog,
    AuditCheckpoint,
    AuditVerification,
    Case,
    Event,
    Notification,
)
from caseflow.services import audit, audit_checks
from tests.conftest import append_only_lifted, login, user
from tests.integration.test_deadlines_and_audit import clock, file_report, fire, local


def walk() -> Case:
    """A report accepted and under verification: four events, committed."""
    clock(2026, 11, 2, 9, 0)
    case = file_report(discovered_at=local(2026, 11, 2, 8, 0))
    clock(2026, 11, 2, 10, 0)
    fire("police", case, "accept", comment="已受理。")
    fire("police", case, "start_verification", verifier=user("child_supervisor").id)
    fire("police", case, "send_feedback", feedback="已受理，正在核实。")
    db.session.commit()
    return case


@pytest.fixture
def walked(ctx):
    case = walk()
    assert audit_checks.verify().ok
    return case


def breaks(case_id=None) -> set[tuple[int, str]]:
    db.session.expire_all()
    return {(b.seq, b.reason) for b in audit_checks.verify(case_id).breaks}


def tamper(statement, params=None) -> None:
    with append_only_lifted(db.session.connection()):
        db.session.execute(statement, params or {})
    db.session.commit()


def plain_digest(prev_hash: str, event: Event) -> str:
    """What someone without the key can compute: the unkeyed SHA-256 of the same fields."""
    body = {
        "case_id": event.case_id,
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "trigger": event.trigger,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "comment": event.comment,
        "data": event.data,
    }
    payload = prev_hash + json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def events_of(case: Case) -> list[Event]:
    return db.session.scalars(
        select(Event).where(Event.case_id == case.id).order_by(Event.seq)
    ).all()


# --- keyed hashes ------------------------------------------------------------------------


def test_new_events_are_keyed_with_the_current_key(walked):
    found = events_of(walked)
    assert {e.key_id for e in found} == {"t1"}
    # Not the plain SHA-256 of the same fields: the key is needed to make it.
    assert all(e.hash != plain_digest(e.prev_hash, e) for e in found)


def test_an_edited_event_is_found(walked):
    tamper(
        update(Event)
        .where(Event.case_id == walked.id, Event.seq == 2)
        .values(comment="已受理。（改）")
    )
    assert breaks() == {(2, "hash")}


def test_an_edited_event_rehashed_without_the_key_is_found(walked):
    """The intruder edits event 2 and recomputes every hash from there with plain SHA-256,
    keeping the key id: each rehashed event fails its keyed check."""
    found = events_of(walked)
    prev = found[0].hash
    for event in found[1:]:
        if event.seq == 2:
            event.comment = "改过的备注"
        event.prev_hash = prev
        event.hash = prev = plain_digest(prev, event)
    with append_only_lifted(db.session.connection()):
        db.session.flush()
    db.session.commit()
    assert breaks() == {(2, "hash"), (3, "hash"), (4, "hash")}


def test_a_chain_rewritten_as_legacy_plain_hashes_is_found(walked):
    """Posing as events from before keyed hashing: the whole chain recomputed as plain
    SHA-256 under the legacy key id. Not vouched for by any checkpoint, so it is a break;
    and once a checkpoint exists the rewritten head no longer matches it."""
    found = events_of(walked)
    prev = audit.GENESIS
    for event in found:
        event.key_id = audit.LEGACY_KEY_ID
        event.comment = event.comment + "（改）"
        event.prev_hash = prev
        event.hash = prev = plain_digest(prev, event)
    with append_only_lifted(db.session.connection()):
        db.session.flush()
    db.session.commit()
    assert breaks() == {(4, "legacy_unsealed")}


def test_a_legacy_rewrite_after_a_checkpoint_is_found(walked):
    run, added, _ = audit_checks.nightly()
    db.session.commit()
    assert (run.breaks, added) == (0, 1)
    found = events_of(walked)
    prev = audit.GENESIS
    for event in found:
        event.key_id = audit.LEGACY_KEY_ID
        event.prev_hash = prev
        event.hash = prev = plain_digest(prev, event)
    with append_only_lifted(db.session.connection()):
        db.session.flush()
    db.session.commit()
    assert breaks() == {(4, "checkpoint_hash")}


def test_an_event_deleted_in_the_middle_is_found(walked):
    tamper(delete(Event).where(Event.case_id == walked.id, Event.seq == 2))
    assert breaks() == {(3, "gap")}


def test_the_newest_events_deleted_are_found_by_the_checkpoint(walked):
    audit_checks.nightly()
    db.session.commit()
    tamper(delete(Event).where(Event.case_id == walked.id, Event.seq >= 3))
    # The shorter chain is intact in itself: only the checkpoint tells.
    assert audit.verify_chain(walked.id) is None
    assert breaks() == {(4, "checkpoint_missing")}


def test_every_event_of_a_case_deleted_is_found(walked):
    audit_checks.nightly()
    db.session.commit()
    tamper(delete(Event).where(Event.case_id == walked.id))
    assert breaks() == {(4, "checkpoint_missing")}


def test_a_forged_checkpoint_is_found(walked):
    audit_checks.nightly()
    db.session.commit()
    tamper(update(AuditCheckpoint).values(seq=3))
    assert breaks() == {(3, "checkpoint_mac")}


def test_an_unknown_key_id_is_found(walked):
    tamper(update(Event).where(Event.case_id == walked.id, Event.seq == 4).values(key_id="x9"))
    assert breaks() == {(4, "key")}


def test_events_signed_with_a_rotated_key_still_verify(walked, clean, monkeypatch):
    """After a rotation the old key stays listed under its id (CASEFLOW_AUDIT_KEYS); new
    events take the new key and the chain runs on across the change."""
    old_key = b"test-audit-key"
    monkeypatch.setitem(clean.extensions, "audit_keys", ("t2", {"t1": old_key, "t2": b"a-new-key"}))
    case = db.session.get(Case, walked.id)
    event = audit.append_event(case, None, "note", case.state, comment="轮换之后")
    db.session.commit()
    assert event.key_id == "t2"
    assert breaks() == set()
    # Forget the old key and its events no longer verify.
    monkeypatch.setitem(clean.extensions, "audit_keys", ("t2", {"t2": b"a-new-key"}))
    assert breaks() == {(seq, "key") for seq in (1, 2, 3, 4)}


def test_legacy_events_verify_once_sealed_by_a_checkpoint(ctx, clean):
    """Events written before migration 0010 keep key id "sha256" and their plain hashes."""
    case = walk()
    tamper(delete(Event).where(Event.case_id == case.id))
    prev = audit.GENESIS
    for seq in (1, 2):
        row = {
            "case_id": case.id,
            "seq": seq,
            "at": local(2026, 1, 5, 9, seq).astimezone(UTC),
            "actor_id": None,
            "trigger": "submit",
            "from_state": None,
            "to_state": case.state,
            "comment": "旧事件",
            "data": {},
            "prev_hash": prev,
            "key_id": "sha256",
        }
        row["hash"] = prev = plain_digest(prev, Event(**row))
        db.session.execute(insert(Event).values(**row))
    db.session.commit()
    assert breaks(case.id) == {(2, "legacy_unsealed")}
    outcome = clean.test_cli_runner().invoke(args=["audit", "checkpoint", "--legacy"])
    assert outcome.exit_code == 0, outcome.output
    assert breaks(case.id) == set()
    # A keyed event after the legacy ones chains on them.
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    audit.append_event(case, None, "note", case.state, comment="新事件")
    db.session.commit()
    assert breaks(case.id) == set()


# --- the command ---------------------------------------------------------------------------


def test_verify_exits_zero_on_intact_chains_and_one_naming_each_break(walked, clean):
    second = walk()
    runner = clean.test_cli_runner()
    outcome = runner.invoke(args=["audit", "verify"])
    assert outcome.exit_code == 0, outcome.output
    assert "2 case(s), 8 event(s)" in outcome.output

    tamper(update(Event).where(Event.case_id == walked.id, Event.seq == 2).values(comment="改"))
    tamper(delete(Event).where(Event.case_id == second.id, Event.seq == 3))
    outcome = runner.invoke(args=["audit", "verify"])
    assert outcome.exit_code == 1
    assert f"case {walked.id} ({walked.number}) seq 2: content does not match" in outcome.output
    assert f"case {second.id} ({second.number}) seq 4: events missing" in outcome.output
    assert "2 break(s)" in outcome.output

    outcome = runner.invoke(args=["audit", "verify", "--case", str(walked.id)])
    assert outcome.exit_code == 1
    assert second.number not in outcome.output
    outcome = runner.invoke(args=["audit", "verify", "--case", "999999"])
    assert outcome.exit_code == 2 and "no case 999999" in outcome.output
    db.session.expire_all()
    runs = db.session.scalars(select(AuditVerification).order_by(AuditVerification.id)).all()
    assert [(r.trigger, r.case_id, r.breaks) for r in runs] == [
        ("command", None, 0),
        ("command", None, 2),
        ("command", walked.id, 1),
    ]


# --- the nightly job -----------------------------------------------------------------------


def breaks_told() -> list:
    """The notifications of audit breaks (walking a case also tells its units of each step)."""
    query = select(Notification).where(Notification.kind == "audit_break")
    return db.session.scalars(query.order_by(Notification.id)).all()


def test_the_nightly_job_checkpoints_records_and_notifies_once_per_break(walked, clean):
    scheduler.run_audit(clean)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditCheckpoint)) == 1
    assert not breaks_told()

    tamper(delete(Event).where(Event.case_id == walked.id, Event.seq == 4))
    for _ in range(2):  # the second night finds the same break and tells nobody again
        scheduler.run_audit(clean)
    db.session.expire_all()
    runs = db.session.scalars(select(AuditVerification).order_by(AuditVerification.id)).all()
    assert [(r.trigger, r.breaks) for r in runs] == [("nightly", 0), ("nightly", 1), ("nightly", 1)]
    assert runs[-1].details == [
        {"case_id": walked.id, "number": walked.number, "seq": 4, "reason": "checkpoint_missing"}
    ]
    notes = breaks_told()
    assert sorted(n.user.username for n in notes) == ["admin", "supervisor"]
    for note in notes:
        assert note.kind == "audit_break"
        assert walked.number in note.subject
        text_ = note.subject + note.body
        assert "冉小雨" not in text_ and "小雨" not in text_  # no identity
    # No checkpoint is taken of a broken chain.
    assert db.session.scalar(select(func.count()).select_from(AuditCheckpoint)) == 1


def test_supervisors_of_another_place_are_not_told(walked, clean):
    from caseflow.models import Jurisdiction, Organisation

    other = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "500240101"))
    supervisor = user("supervisor")
    org = Organisation(name="其他镇", type=supervisor.organisation.type, jurisdiction_id=other.id)
    db.session.add(org)
    db.session.flush()
    supervisor.organisation_id = org.id
    db.session.commit()
    tamper(update(Event).where(Event.case_id == walked.id, Event.seq == 1).values(comment="改"))
    scheduler.run_audit(clean)
    db.session.expire_all()
    assert [n.user.username for n in breaks_told()] == ["admin"]


# --- the administrator's page --------------------------------------------------------------


def test_the_admin_page_shows_the_last_verification(walked, clean, client):
    login(client, "admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert 'id="no-verification"' in page
    tamper(delete(Event).where(Event.case_id == walked.id, Event.seq == 2))
    scheduler.run_audit(clean)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert 'id="verification-status">发现断裂' in page
    assert walked.number in page and 'data-reason="gap"' in page


@pytest.mark.parametrize("username", ["supervisor", "police", "statistician"])
def test_only_administrators_see_the_audit_page(clean, client, username):
    login(client, username)
    assert client.get("/admin/audit").status_code == 403


# --- the triggers --------------------------------------------------------------------------


def test_the_database_refuses_update_and_delete_of_events(walked):
    for statement in (
        update(Event).where(Event.case_id == walked.id).values(comment="改"),
        delete(Event).where(Event.case_id == walked.id, Event.seq == 4),
        text("UPDATE events SET hash = prev_hash"),
        text("DELETE FROM events"),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()
    assert len(events_of(walked)) == 4 and audit_checks.verify().ok


def test_the_database_refuses_update_and_delete_of_the_access_log_and_checkpoints(walked):
    audit_checks.nightly()
    db.session.add(
        AccessLog(
            at=local(2026, 11, 2, 11, 0),
            user_id=user("police").id,
            case_id=walked.id,
            channel="page",
        )
    )
    db.session.commit()
    for model in (AccessLog, AuditCheckpoint):
        for statement in (update(model).values(case_id=walked.id), delete(model)):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(statement)
            db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(model)) == 1


def test_postgresql_refuses_truncate_too(walked):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has none")
    for table in ("events", "access_log", "audit_checkpoints"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(f"TRUNCATE {table} CASCADE"))
        db.session.rollback()


def test_the_application_login_cannot_lift_the_triggers(walked):
    """On PostgreSQL the purge's session_replication_role needs a superuser: an ordinary
    login (as the application's must be) is refused it, and its DELETE is refused."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("roles are PostgreSQL's; SQLite has no users")
    conn = db.session.connection()
    conn.exec_driver_sql("DROP ROLE IF EXISTS caseflow_app_probe")
    conn.exec_driver_sql("CREATE ROLE caseflow_app_probe")
    conn.exec_driver_sql("GRANT SELECT, INSERT, UPDATE, DELETE ON events TO caseflow_app_probe")
    conn.exec_driver_sql("SET LOCAL ROLE caseflow_app_probe")
    conn.exec_driver_sql("SAVEPOINT probe")
    with pytest.raises(DBAPIError, match="session_replication_role"):
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    conn.exec_driver_sql("ROLLBACK TO SAVEPOINT probe")
    with pytest.raises(DBAPIError, match="append-only"):
        conn.exec_driver_sql("DELETE FROM events")
    db.session.rollback()  # the role goes with the transaction
    assert len(events_of(walked)) == 4


# --- keys in the environment ---------------------------------------------------------------


def test_production_refuses_to_start_without_an_audit_key():
    class Production(TestConfig):
        ENV_NAME = "production"
        SECRET_KEY = "a-real-secret"
        AUDIT_KEY = None

    with pytest.raises(audit.AuditKeyError, match="CASEFLOW_AUDIT_KEY"):
        create_app(Production)


def test_a_development_key_is_generated_into_instance(tmp_path):
    folder = tmp_path / "instance"

    app = Flask(__name__, instance_path=str(folder))
    app.config.update(ENV_NAME="development", AUDIT_KEY=None, AUDIT_KEYS="")
    audit.install_keys(app)
    key_id, keys = app.extensions["audit_keys"]
    stored = (folder / "audit.key").read_text().strip()
    assert key_id == "dev" and keys["dev"] == stored.encode() and len(stored) == 64
    audit.install_keys(app)  # a restart keeps it
    assert app.extensions["audit_keys"][1]["dev"] == stored.encode()


def test_the_legacy_id_cannot_name_a_key():
    class Bad(TestConfig):
        AUDIT_KEYS = "sha256:whatever"

    with pytest.raises(audit.AuditKeyError):
        create_app(Bad)
