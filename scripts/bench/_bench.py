"""Shared helpers of the benchmark scripts: serve an app with gunicorn on 127.0.0.1, log in,
send a bounded number of requests (one at a time or from N connections at once) and print
the figure, the reference measured in the same run and their ratio.

Only for a database of synthetic cases (`flask generate-cases`): the users the benchmarks
log in as get a known password here.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PASSWORD = "bench-" + secrets.token_urlsafe(12)

# The users of a generated county (caseflow/synthetic.py): the county supervisor sees every
# case; a village's child director sees that village's mandatory reports.
COUNTY_USER = "syn{county}_supervisor"
VILLAGE_USER = "syn{county}001001_director"
INTAKE_USER = VILLAGE_USER


def arguments(description: str, **extra) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("database_url", help="postgresql+psycopg://… of a generated database")
    parser.add_argument("--county", default="500240")
    parser.add_argument("--port", type=int, default=5131)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--requests", type=int, default=extra.get("requests", 40))
    parser.add_argument("--connections", type=int, default=extra.get("connections", 1))
    return parser.parse_args()


def set_passwords(database_url: str, usernames) -> None:
    """Give the benchmark users a password only this run knows."""
    os.environ["CASEFLOW_DATABASE_URL"] = database_url
    from caseflow import create_app
    from caseflow.extensions import db
    from caseflow.models import User

    app = create_app()
    with app.app_context():
        for name in usernames:
            user = db.session.scalar(db.select(User).where(User.username == name))
            if user is None:
                raise SystemExit(f"no user {name}: generate the cases first")
            user.set_password(PASSWORD)
            user.must_change_password = False
        db.session.commit()
        db.engine.dispose()


def _wait_for(port: int, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing answers on 127.0.0.1:{port}")


@contextmanager
def serve(app_spec: str, port: int, workers: int, database_url: str, threads: int = 1):
    """gunicorn serving `app_spec` on 127.0.0.1:port; stopped (by its pid) on exit."""
    env = dict(os.environ, CASEFLOW_DATABASE_URL=database_url, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [
            GUNICORN,
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--backlog",
            "256",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            app_spec,
        ],
        cwd=str(ROOT),
        env=env,
    )
    try:
        _wait_for(port)
        time.sleep(1.0)  # every worker up
        yield f"127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Client:
    """One keep-alive connection with its cookies (a logged-in browser) or a bearer token."""

    def __init__(self, host: str):
        self.host = host
        self.conn = http.client.HTTPConnection(host, timeout=120)
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, form=None):
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if form is not None:
            data = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, timeout=120)
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, payload

    def login(self, username: str) -> "Client":
        _status, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        status, _ = self.request(
            "POST", "/login", form={"username": username, "password": PASSWORD, "csrf_token": token}
        )
        if status not in (200, 302, 303):
            raise SystemExit(f"login of {username} failed: {status}")
        return self

    def token(self, username: str) -> "Client":
        status, payload = self.request(
            "POST", "/api/v1/auth/token", body={"username": username, "password": PASSWORD}
        )
        if status != 200:
            raise SystemExit(f"token of {username} failed: {status} {payload[:200]}")
        self.headers["Authorization"] = "Bearer " + json.loads(payload)["token"]
        return self


def run(clients, make_request, total: int) -> dict:
    """`total` requests spread over the clients (one thread each, all at once)."""
    latencies, errors, lock = [], [], threading.Lock()
    counter = iter(range(total))

    def worker(client):
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            began = time.perf_counter()
            status = make_request(client, i)
            spent = time.perf_counter() - began
            with lock:
                latencies.append(spent)
                if status >= 400:
                    errors.append(status)

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=900)
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "n": len(latencies),
        "errors": len(errors),
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p95": latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000 if latencies else 0.0,
        "max": latencies[-1] * 1000 if latencies else 0.0,
    }


def line(label: str, figures: dict) -> str:
    return (
        f"{label:<44} n={figures['n']:<4} p50={figures['p50']:8.1f} ms  "
        f"p95={figures['p95']:8.1f} ms  {figures['rps']:8.1f} req/s"
        + (f"  ERRORS={figures['errors']}" if figures["errors"] else "")
    )


def bare_reference(args, connections: int, total: int) -> dict:
    """The bare endpoint reading 25 indexed rows of the same database (scripts/bench/bare_app.py)."""
    with serve("scripts.bench.bare_app:app", args.port + 1, args.workers, args.database_url) as h:
        clients = [Client(h) for _ in range(connections)]
        run(clients[:1], lambda c, i: c.request("GET", "/read25")[0], 5)  # warm
        return run(clients, lambda c, i: c.request("GET", "/read25")[0], total)


def report_single(name: str, results: dict, reference: dict, goal_ms: float = 100.0) -> None:
    """Rows measured one request at a time: p95 against the goal, and against the bare read."""
    print(line("reference: bare read of 25 indexed rows", reference))
    worst = 0.0
    for label, figures in results.items():
        print(line(label, figures))
        worst = max(worst, figures["p95"])
    ratio = worst / reference["p95"] if reference["p95"] else float("inf")
    verdict = "ok" if worst < goal_ms else "ABOVE GOAL"
    print(
        f"{name}: worst p95 {worst:.1f} ms (goal < {goal_ms:.0f} ms: {verdict}); "
        f"bare read p95 {reference['p95']:.1f} ms; ratio {ratio:.1f}x the bare read"
    )


def measure_pages(args, username: str, paths: list[str], api: bool = False) -> dict:
    """Each path `args.requests` times, one request at a time, after two warm-up requests."""
    set_passwords(args.database_url, [username])
    results = {}
    with serve("wsgi:application", args.port, args.workers, args.database_url) as host:
        client = Client(host)
        client.token(username) if api else client.login(username)
        for path in paths:
            for _ in range(2):
                client.request("GET", path)
            status, _ = client.request("GET", path)
            if status != 200:
                raise SystemExit(f"{path}: HTTP {status}")
            results[path] = run(
                [client], lambda c, i, p=path: c.request("GET", p)[0], args.requests
            )
    return results
