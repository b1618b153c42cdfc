"""`flask backup` and `flask restore` on the configured engine (SQLite or PostgreSQL):
a round trip into an empty database and an empty storage directory; the restored system
has the same cases, events and files and its audit chains verify; a non-empty target is
refused unless forced; a tampered archive is refused before anything is touched."""

import hashlib
import json
import shutil
import tarfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from caseflow import backup, create_app
from caseflow.config import TestConfig
from caseflow.extensions import db
from caseflow.models import AuditCheckpoint, Case, Event
from caseflow.services import audit_checks
from tests.integration.test_audit_trail import walk


@pytest.fixture
def target_url(app, tmp_path):
    """An empty database on the same engine as the suite's."""
    source = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if source.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    name = f"{source.database}_restored"
    admin = create_engine(source, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield source.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def stored_file(app):
    """A file in the attachment storage, as the attachments service keeps them."""
    content = b"%PDF-1.4 evidence " + uuid.uuid4().bytes
    digest = hashlib.sha256(content).hexdigest()
    path = Path(app.config["STORAGE_DIR"]) / digest[:2] / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    yield path.relative_to(app.config["STORAGE_DIR"]), content
    shutil.rmtree(path.parent, ignore_errors=True)


def target_app(url: str, storage: Path):
    class Target(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        STORAGE_DIR = str(storage)

    return create_app(Target)


def facts() -> dict:
    return {
        "cases": db.session.scalars(select(Case.number).order_by(Case.number)).all(),
        "events": db.session.scalar(select(func.count()).select_from(Event)),
        "checkpoints": db.session.scalar(select(func.count()).select_from(AuditCheckpoint)),
    }


def test_backup_and_restore_round_trip(clean, app, tmp_path, target_url, stored_file):
    # The commands run outside any app context (as from a shell), so each runs in its own.
    with app.test_request_context():
        walk()
        walk()
        assert audit_checks.checkpoint(audit_checks.verify().heads) == 2
        db.session.commit()
        before = facts()
        db.session.remove()
    assert len(before["cases"]) == 2 and before["events"] >= 8

    archive = tmp_path / "backups" / "caseflow.tar"
    result = app.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "backed up 2 case(s)" in result.output and "1 stored file(s)" in result.output
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    engine = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    assert names[0] == "manifest.json" and backup.DUMPS[engine] in names
    assert f"storage/{stored_file[0].as_posix()}" in names
    assert manifest["engine"] == engine and manifest["cases"] == 2
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    # A second backup never overwrites the first.
    assert app.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code != 0

    storage = tmp_path / "restored-storage"
    restored = target_app(target_url, storage)
    try:
        runner = restored.test_cli_runner()
        result = runner.invoke(args=["restore", str(archive)])
        assert result.exit_code == 0, result.output
        assert "audit chains verified: 2 case(s)" in result.output
        assert "0 break(s)" in result.output
        with restored.app_context():
            assert facts() == before
            assert audit_checks.verify().ok
            assert audit_checks.last_run().trigger == "restore"
            db.session.remove()
        assert (storage / stored_file[0]).read_bytes() == stored_file[1]

        # The restored database has tables now: refused, nothing changed …
        again = runner.invoke(args=["restore", str(archive)])
        assert again.exit_code != 0
        assert "not empty" in again.output and "--force" in again.output
        # … unless forced, which replaces it with the archive's content.
        forced = runner.invoke(args=["restore", "--force", str(archive)])
        assert forced.exit_code == 0, forced.output
        with restored.app_context():
            assert facts() == before
            db.session.remove()
    finally:
        with restored.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_tampered_archive_is_refused_before_anything_changes(
    ctx, app, tmp_path, target_url, stored_file
):
    walk()
    archive = tmp_path / "caseflow.tar"
    backup.backup(app.config["SQLALCHEMY_DATABASE_URI"], app.config["STORAGE_DIR"], archive)
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
        names = tar.getnames()
    evidence = unpacked / "storage" / stored_file[0]
    evidence.write_bytes(evidence.read_bytes().replace(b"evidence", b"EVIDENCE"))
    forged = tmp_path / "forged.tar"
    with tarfile.open(forged, "w") as tar:
        for name in names:
            tar.add(unpacked / name, arcname=name, recursive=False)

    storage = tmp_path / "restored-storage"
    with pytest.raises(backup.BackupError, match="checksum"):
        backup.restore(forged, target_url, storage)
    assert backup.tables(target_url) == []
    assert not storage.exists() or not any(storage.iterdir())

    # An archive of the other engine is refused as well.
    if "sqlite" in target_url:
        other = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    else:
        other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    with pytest.raises(backup.BackupError, match="archive is of"):
        backup.restore(archive, other, storage)
