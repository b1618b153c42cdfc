"""`flask backup` and `flask restore`: one archive holding the database and the attachment
storage, with a manifest of checksums.

The archive is a tar file:

- `manifest.json`: the format, the engine, when, the schema revision, how many cases and
  events, and the SHA-256 and size of every other member;
- `database.pgdump` (PostgreSQL: `pg_dump --format=custom`) or `database.sqlite` (SQLite:
  a copy made with its online backup API, consistent while the app runs);
- `storage/…`: the files of CASEFLOW_STORAGE_DIR (attachments and thumbnails, named by
  their SHA-256), when the directory exists.

A restore checks every checksum before it touches anything, refuses a database that has
tables (or a storage directory that has files) unless forced, loads the database
(`pg_restore`, or the SQLite backup API), copies the files, and then the caller verifies
the audit chains of the restored system (cli.py).
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from . import timeutil

FORMAT = 1
MANIFEST = "manifest.json"
DUMPS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in both languages."""


@dataclass
class Restored:
    manifest: dict
    files: int


def engine_name(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in DUMPS:
        raise BackupError(f"不支持的数据库 / unsupported database: {name}")
    return name


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("内存数据库无法备份 / an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq(url: str) -> tuple[str, dict]:
    """The URL for pg_dump / pg_restore, and an environment carrying the password (kept
    off the command line, where any user of the host could read it)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError as exc:
        raise BackupError(f"找不到 {command[0]} / {command[0]} is not installed") from exc
    if done.returncode != 0:
        raise BackupError(f"{command[0]} 失败 / failed: {done.stderr.strip()[-2000:]}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _storage_files(storage: Path) -> list[Path]:
    if not storage.is_dir():
        return []
    return sorted(p for p in storage.rglob("*") if p.is_file() and not p.is_symlink())


def _facts(url: str) -> dict:
    """The schema revision and the number of cases and events, for the manifest."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                "revision": connection.execute(
                    text("SELECT version_num FROM alembic_version")
                ).scalar(),
                "cases": connection.execute(text("SELECT count(*) FROM cases")).scalar(),
                "events": connection.execute(text("SELECT count(*) FROM events")).scalar(),
            }
    finally:
        engine.dispose()


def backup(url: str, storage_dir: str | Path, out: str | Path) -> dict:
    """Write the archive `out`; returns its manifest."""
    name = engine_name(url)
    out = Path(out)
    if out.exists():
        raise BackupError(f"文件已存在 / the file exists already: {out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    storage = Path(storage_dir)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as tmp:
        dump = Path(tmp) / DUMPS[name]
        if name == "postgresql":
            target, env = _libpq(url)
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={dump}",
                    f"--dbname={target}",
                ],
                env,
            )
        else:
            source = sqlite3.connect(_sqlite_path(url))
            copy = sqlite3.connect(dump)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        files = {DUMPS[name]: {"sha256": _sha256(dump), "size": dump.stat().st_size}}
        stored = _storage_files(storage)
        for path in stored:
            member = "storage/" + path.relative_to(storage).as_posix()
            files[member] = {"sha256": _sha256(path), "size": path.stat().st_size}
        manifest = {
            "format": FORMAT,
            "application": "caseflow",
            "engine": name,
            "created_at": timeutil.now().isoformat(),
            **_facts(url),
            "storage": storage.is_dir(),
            "files": files,
        }
        partial = Path(tmp) / "archive.tar"
        with tarfile.open(partial, "w") as archive:
            body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(timeutil.now().timestamp())
            archive.addfile(info, _Bytes(body))
            archive.add(dump, arcname=DUMPS[name], recursive=False)
            for path in stored:
                member = "storage/" + path.relative_to(storage).as_posix()
                archive.add(path, arcname=member, recursive=False)
        os.replace(partial, out)
    return manifest


class _Bytes:
    """A minimal file object over bytes, for tarfile.addfile."""

    def __init__(self, data: bytes):
        self.data, self.offset = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.offset + size
        chunk = self.data[self.offset : end]
        self.offset += len(chunk)
        return chunk


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.loads(archive.extractfile(member).read())
    except (KeyError, ValueError, AttributeError) as exc:
        raise BackupError("备份文件没有有效的清单 / the archive has no valid manifest") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("不认识的备份格式 / unknown archive format")
    if manifest.get("engine") not in DUMPS or not isinstance(manifest.get("files"), dict):
        raise BackupError("备份清单不完整 / the manifest is incomplete")
    return manifest


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def _extract(archive: tarfile.TarFile, manifest: dict, into: Path) -> None:
    """Extract the members the manifest lists and check each one's checksum; any other
    member, a missing one or a mismatch refuses the whole archive."""
    files = manifest["files"]
    seen = set()
    for member in archive.getmembers():
        if member.name == MANIFEST:
            continue
        if member.name not in files or not member.isfile() or not _safe_member(member.name):
            raise BackupError(f"备份中有清单外的内容 / unexpected member: {member.name}")
        target = into / member.name
        target.parent.mkdir(parents=True, exist_ok=True)
        source = archive.extractfile(member)
        digest = hashlib.sha256()
        with open(target, "wb") as handle:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                handle.write(chunk)
        expected = files[member.name]
        if digest.hexdigest() != expected.get("sha256") or member.size != expected.get("size"):
            raise BackupError(f"校验和不符 / checksum mismatch: {member.name}")
        seen.add(member.name)
    missing = set(files) - seen
    if missing:
        raise BackupError(f"备份缺少文件 / missing from the archive: {sorted(missing)[0]}")


def tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return inspect(connection).get_table_names()
    finally:
        engine.dispose()


def restore(archive_path: str | Path, url: str, storage_dir: str | Path, force=False) -> Restored:
    """Load the archive into the database at `url` and the storage directory. Refuses a
    database with tables, or a storage directory with files, unless `force`."""
    name = engine_name(url)
    storage = Path(storage_dir)
    try:
        archive = tarfile.open(archive_path, "r")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"无法读取备份 / cannot read the archive: {exc}") from exc
    with archive, tempfile.TemporaryDirectory(prefix="caseflow-restore-") as tmp:
        manifest = read_manifest(archive)
        if manifest["engine"] != name:
            raise BackupError(
                f"备份来自 {manifest['engine']}，目标是 {name} / the archive is of "
                f"{manifest['engine']}, the target is {name}"
            )
        if not force:
            present = tables(url)
            if present:
                raise BackupError(
                    f"目标数据库不是空的（{len(present)} 张表）；请恢复到空数据库，或用 --force "
                    f"覆盖。/ The database is not empty ({len(present)} tables): restore into an "
                    "empty database, or pass --force to replace it."
                )
            if _storage_files(storage):
                raise BackupError(
                    f"附件目录不是空的：{storage}；请用空目录，或用 --force。/ The storage "
                    f"directory is not empty: {storage}; use an empty one, or pass --force."
                )
        _extract(archive, manifest, Path(tmp))
        dump = Path(tmp) / DUMPS[name]
        if name == "postgresql":
            target, env = _libpq(url)
            command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
            if not force:
                _run([*command, "--single-transaction", f"--dbname={target}", str(dump)], env)
            else:
                # Replacing a database: the schema is dropped and loaded again in one
                # transaction (psql --single-transaction), so a failure changes nothing.
                # pg_restore --clean cannot do it: it drops the constraints of each monthly
                # partition one by one, which PostgreSQL refuses (they are inherited).
                script = Path(tmp) / "restore.sql"
                script.write_text("DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n")
                _run([*command, "--file=" + str(script) + ".body", str(dump)], env)
                with open(script, "ab") as out, open(str(script) + ".body", "rb") as body:
                    shutil.copyfileobj(body, out)
                psql = ["psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1"]
                _run([*psql, "--single-transaction", f"--dbname={target}", f"--file={script}"], env)
        else:
            path = _sqlite_path(url)
            path.parent.mkdir(parents=True, exist_ok=True)
            source = sqlite3.connect(dump)
            destination = sqlite3.connect(path)
            try:
                source.backup(destination)
            finally:
                destination.close()
                source.close()
        copied = 0
        stored = Path(tmp) / "storage"
        for member in manifest["files"]:
            if not member.startswith("storage/"):
                continue
            target = storage / member.removeprefix("storage/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(stored / member.removeprefix("storage/"), target)
            copied += 1
    return Restored(manifest=manifest, files=copied)
