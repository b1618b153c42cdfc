"""Exactly one scheduler at a time (PostgreSQL advisory lock), as real processes: two web
servers (gunicorn, different ports, one database) and two schedulers. The first scheduler
takes the lock, the second waits; the first is killed; the second takes over and every
effect happens once: each missed deadline is marked and escalated once, each export job
is built once, by the scheduler active when it was taken. The web tier keeps no state of
its own: a login on one web server is valid on the other, and an export started on one is
followed on the other.

Every wait is bounded (WAIT seconds); every process started here is stopped at the end.
"""

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.config import ROOT
from caseflow.extensions import db
from caseflow.models import Deadline, ExportJob, Notification, SchedulerHeartbeat
from tests.conftest import PASSWORD, postgres_only
from tests.integration.test_deadlines_and_audit import file_report

WAIT = 60  # seconds: a take-over must happen within a minute
WEB_PORTS = (5124, 5125)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def environment(app, tmp_path) -> dict:
    return {
        **os.environ,
        "FLASK_APP": "wsgi",
        "CASEFLOW_ENV": "development",
        "CASEFLOW_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "CASEFLOW_SECRET_KEY": secrets.token_urlsafe(32),  # the same for every web node
        "CASEFLOW_AUDIT_KEY": app.config["AUDIT_KEY"],
        "CASEFLOW_AUDIT_KEY_ID": app.config["AUDIT_KEY_ID"],
        "CASEFLOW_STORAGE_DIR": app.config["STORAGE_DIR"],
        "CASEFLOW_SMTP_HOST": "",
        "CASEFLOW_SCHEDULER_LOCK_POLL_SECONDS": "1",
        "CASEFLOW_SCHEDULER_HEARTBEAT_SECONDS": "1",
        "CASEFLOW_EXPORT_POLL_SECONDS": "1",
        "CASEFLOW_SECRET_KEY_FILE": str(tmp_path / "secret_key"),
    }


class Processes:
    def __init__(self, env, tmp_path):
        self.env, self.tmp_path, self.started = env, tmp_path, []

    def start(self, name: str, *args) -> subprocess.Popen:
        log = open(self.tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop_all
        process = subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log = log
        process.log_path = self.tmp_path / f"{name}.log"
        self.started.append(process)
        return process

    def stop_all(self):
        for process in self.started:
            if process.poll() is None:
                process.terminate()
        for process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
            process.log.close()


def until(what: str, check, seconds: float = WAIT):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.5)


def fresh(fn):
    """Run a query on a fresh transaction (the other processes write meanwhile)."""

    def run():
        db.session.rollback()
        return fn()

    return run


class Browser:
    """A user agent with one cookie jar for every web node (as behind one nginx)."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, port: int, path: str):
        with self.opener.open(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
            return response.status, response.geturl(), response.read().decode()

    def post(self, port: int, path: str, data: dict, token_from: str):
        token = CSRF.search(self.get(port, token_from)[2]).group(1)
        body = urlencode({**data, "csrf_token": token}, doseq=True).encode()
        url = f"http://127.0.0.1:{port}{path}"
        with self.opener.open(url, data=body, timeout=60) as response:
            return response.status, response.geturl(), response.read().decode()


def heartbeat_instance():
    row = db.session.get(SchedulerHeartbeat, "scheduler")
    return row.instance if row is not None else None


def overdue_case():
    """A report whose acceptance deadline passed days ago (the sweep marks it missed)."""
    timeutil.set_clock(timeutil.now() - timedelta(days=10))
    case = file_report(discovered_at=timeutil.now() - timedelta(hours=1))
    timeutil.set_clock(None)
    db.session.commit()
    return case.id


def effects(case_id: int) -> dict:
    """What time did to a case: its missed deadlines and the notifications of them."""
    keys = db.session.scalars(
        select(Notification.key).where(Notification.case_id == case_id).order_by(Notification.key)
    ).all()
    missed = db.session.scalar(
        select(func.count())
        .select_from(Deadline)
        .where(Deadline.case_id == case_id, Deadline.status == "missed")
    )
    return {"missed": missed, "notifications": keys}


def swept(case_id: int):
    found = effects(case_id)
    return found if found["missed"] and found["notifications"] else None


def test_two_schedulers_one_active_take_over_exactly_once(ctx, app, tmp_path):
    postgres_only()
    case1 = overdue_case()
    processes = Processes(environment(app, tmp_path), tmp_path)
    try:
        for index, port in enumerate(WEB_PORTS):
            processes.start(
                f"web{index + 1}",
                "gunicorn",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "wsgi:application",
            )
        first = processes.start("scheduler-a", "flask", "scheduler")
        instance_a = until("the first scheduler beats", fresh(heartbeat_instance))
        assert f":{first.pid}:" in instance_a
        until("the first scheduler's catch-up sweep", fresh(lambda: swept(case1)))
        second = processes.start("scheduler-b", "flask", "scheduler")
        until(
            "the second scheduler waits for the lock",
            lambda: b"waiting for its lock" in second.log_path.read_bytes(),
        )

        browser = Browser()
        for port in WEB_PORTS:
            until(f"web node {port} answers", lambda p=port: _answers(p))
        login = {"username": "statistician", "password": PASSWORD}
        status, url, _ = browser.post(WEB_PORTS[0], "/login", login, "/login")
        assert status == 200 and not url.endswith("/login")
        # Started on node 1, followed on node 2: the session and the job are in the database.
        job1 = start_export(browser, WEB_PORTS[0])
        state = until("the first export is built", lambda: done(browser, WEB_PORTS[1], job1))
        assert state["status"] == "done", state
        db.session.rollback()
        assert heartbeat_instance() == instance_a  # the second one still waits
        assert second.poll() is None

        case2 = overdue_case()
        before = effects(case1)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=WAIT)
        killed = time.monotonic()
        # No scheduler for a moment: a job queued now waits in the table.
        job2 = start_export(browser, WEB_PORTS[1])
        instance_b = until(
            "the second scheduler takes over",
            fresh(
                lambda: (heartbeat_instance() or instance_a) != instance_a and heartbeat_instance()
            ),
        )
        print(f"take-over after {time.monotonic() - killed:.1f} s")  # noqa: T201 - a figure
        assert f":{second.pid}:" in instance_b
        until("the second scheduler's catch-up sweep", fresh(lambda: swept(case2)))
        state = until("the second export is built", lambda: done(browser, WEB_PORTS[0], job2))
        assert state["status"] == "done", state

        db.session.rollback()
        jobs = {job.id: job for job in db.session.scalars(select(ExportJob))}
        assert set(jobs) == {job1, job2}
        assert jobs[job1].claimed_by == instance_a and jobs[job1].attempts == 1
        assert jobs[job2].claimed_by == instance_b and jobs[job2].attempts == 1
        # The second scheduler's catch-up swept the first case again: nothing twice.
        assert effects(case1) == before
        assert before["missed"] >= 1 and any("missed" in key for key in before["notifications"])
        assert len(set(before["notifications"])) == len(before["notifications"])
        after2 = effects(case2)
        assert after2["missed"] == before["missed"]
        assert len(after2["notifications"]) == len(before["notifications"])
        for port in WEB_PORTS:
            assert json.loads(browser.get(port, "/readyz")[2])["status"] == "ready"
    finally:
        processes.stop_all()
        timeutil.set_clock(None)


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def start_export(browser: Browser, port: int) -> int:
    status, url, _ = browser.post(
        port,
        "/indicators/export",
        {"year": "2025", "jurisdiction": "500240"},
        "/indicators/export",
    )
    match = re.search(r"/indicators/export/(\d+)$", url)
    assert status == 200 and match, url
    return int(match.group(1))


def done(browser: Browser, port: int, job_id: int):
    state = json.loads(browser.get(port, f"/indicators/export/{job_id}/status")[2])
    return state if state["status"] in ("done", "failed") else None


pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
