"""Login throttling: failures only, per account name and per client address, kept in the
database (two app processes count together), a growing delay then a lock, the same
answers for names that exist and names that do not, logged, lifted by an administrator."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from caseflow import timeutil
from caseflow.config import ROOT
from caseflow.extensions import db
from caseflow.models import LoginEvent, LoginThrottle
from tests.conftest import PASSWORD, csrf_token, login, user

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
TOKEN = "/api/v1/auth/token"
# Addresses of the documentation ranges (RFC 5737): only labels in the WSGI environ.
ADDRESSES = [f"192.0.2.{n}" for n in range(1, 40)]


def at(minutes: float) -> None:
    timeutil.set_clock(T0 + timedelta(minutes=minutes))


def token_request(client, username, password, address="192.0.2.200"):
    return client.post(
        TOKEN,
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def web_login(client, username, password, address="192.0.2.200"):
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def events(kind: str) -> list[LoginEvent]:
    return list(db.session.scalars(db.select(LoginEvent).where(LoginEvent.kind == kind)))


def test_five_failures_from_five_addresses_lock_the_account(client, clean):
    for n in range(5):
        at(n)  # a minute apart: past every delay
        response = token_request(client, "police", "wrong-password", ADDRESSES[n])
        assert response.status_code == 401, (n, response.get_json())
    at(5)
    # Locked: even the right password, from an address never seen, is refused.
    response = token_request(client, "police", PASSWORD, ADDRESSES[10])
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "throttled"
    assert int(response.headers["Retry-After"]) == 14 * 60  # locked at minute 4 for 15
    assert web_login(client, "police", PASSWORD, ADDRESSES[11]).status_code == 429
    # Other accounts are not locked by it.
    assert token_request(client, "hotline", PASSWORD, ADDRESSES[10]).status_code == 200
    at(4 + 15)
    assert token_request(client, "police", PASSWORD, ADDRESSES[12]).status_code == 200
    with clean.app_context():
        assert len(events("failure")) == 5
        (lock,) = events("locked")
        assert lock.detail == "account:police" and lock.user_id == user("police").id
        assert len(events("refused")) == 2


def test_the_delay_grows_before_the_lock(client, clean):
    at(0)
    for _ in range(3):
        assert token_request(client, "police", "wrong-password").status_code == 401
    # After the 3rd failure: 2 s; after the 4th: 4 s.
    refused = token_request(client, "police", PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
    at(2 / 60)
    assert token_request(client, "police", "wrong-password").status_code == 401
    at(3 / 60)
    refused = token_request(client, "police", "wrong-password")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "3"
    at(6 / 60)
    # The 5th failure locks the account for 15 minutes.
    assert token_request(client, "police", "wrong-password").status_code == 401
    at(10)
    refused = token_request(client, "police", PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) == 5 * 60 + 6


def test_a_right_password_clears_the_accounts_count(client, clean):
    for n in range(4):
        at(n)
        assert token_request(client, "police", "wrong-password").status_code == 401
    at(5)
    assert token_request(client, "police", PASSWORD).status_code == 200
    for n in range(4):  # four more failures do not lock: the count started again
        at(6 + n)
        assert token_request(client, "police", "wrong-password").status_code == 401
    at(11)
    assert token_request(client, "police", PASSWORD).status_code == 200


def test_successes_are_never_counted(client, clean):
    """An office behind one address at the start of a shift: 40 right logins in a minute,
    more than the address's failure limit, all pass."""
    at(0)
    names = ["police", "hotline", "supervisor", "child_director"]
    for n in range(40):
        response = token_request(client, names[n % 4], PASSWORD, "192.0.2.77")
        assert response.status_code == 200, n
    for n in range(12):
        web = clean.test_client()
        assert web_login(web, names[n % 4], PASSWORD, "192.0.2.77").status_code == 302, n
    with clean.app_context():
        row = db.session.get(LoginThrottle, "address:192.0.2.77")
        assert row.failures == 0 and row.locked_until is None
        assert db.session.scalar(db.select(db.func.count()).select_from(LoginEvent)) == 0


def test_an_address_is_locked_after_its_failures(client, clean):
    limit = clean.config["LOGIN_ADDRESS_MAX_FAILURES"]
    for n in range(limit):
        at(n)  # a minute apart: past the address's delays (at most 60 s)
        name = f"guess{n % 20}"  # spread over names, so no account is locked
        assert token_request(client, name, "wrong-password", "192.0.2.9").status_code == 401, n
    at(limit + 1)
    assert token_request(client, "police", PASSWORD, "192.0.2.9").status_code == 429
    assert token_request(client, "police", PASSWORD, "192.0.2.10").status_code == 200


def test_no_enumeration_of_accounts(client, clean):
    """The same answers, step by step, for a real account and a name nobody has."""

    def run(username):
        answers = []
        for step, minutes in enumerate([0, 1, 2, 2.01, 3, 4, 5, 6, 30]):
            at(minutes + (100 if username == "nobody-here" else 0))
            password = PASSWORD if step in (3, 7) else "wrong-password"
            api = token_request(client, username, password, ADDRESSES[step])
            web = web_login(clean.test_client(), username, password, ADDRESSES[step + 10])
            flash = web.get_data(as_text=True).split('role="alert">')[1].split("<")[0]
            answers.append((api.status_code, api.get_json(), api.headers.get("Retry-After")))
            answers.append((web.status_code, flash, web.headers.get("Retry-After")))
        return answers

    real, invented = run("police"), run("nobody-here")
    assert real == invented
    assert {status for status, *_ in real} == {401, 200, 429}


def test_web_login_failures_are_counted_and_told(client, clean):
    for n in range(5):
        at(n)
        response = web_login(client, "police", "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码错误" in response.get_data(as_text=True)
    at(5)
    response = web_login(client, "police", PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.get_data(as_text=True)
    assert "/login" in client.get("/cases").headers["Location"]


# --- two processes sharing the database --------------------------------------------------

WORKER = """
import json, sys
from datetime import datetime
from caseflow import create_app, timeutil
from caseflow.config import TestConfig

class Config(TestConfig):
    SQLALCHEMY_DATABASE_URI = sys.argv[1]

app = create_app(Config)
client = app.test_client()
answers = []
for clock, username, password, address in json.loads(sys.argv[2]):
    timeutil.set_clock(datetime.fromisoformat(clock))
    response = client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    answers.append(response.status_code)
print(json.dumps(answers))
"""


def other_process(app, attempts) -> list[int]:
    """Run login attempts in a second app process on the same database."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    plan = [
        [(T0 + timedelta(minutes=m)).isoformat(), name, password, address]
        for m, name, password, address in attempts
    ]
    result = subprocess.run(
        [sys.executable, "-c", WORKER, app.config["SQLALCHEMY_DATABASE_URI"], json.dumps(plan)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_processes_count_the_same_failures(client, clean):
    at(0)
    assert token_request(client, "police", "wrong-password", ADDRESSES[0]).status_code == 401
    at(1)
    assert token_request(client, "police", "wrong-password", ADDRESSES[1]).status_code == 401
    # The second process sees the two failures: its two make four, then the lock's fifth.
    assert other_process(
        clean,
        [
            (2, "police", "wrong-password", ADDRESSES[2]),
            (3, "police", "wrong-password", ADDRESSES[3]),
            (4, "police", "wrong-password", ADDRESSES[4]),
            (5, "police", PASSWORD, ADDRESSES[5]),
        ],
    ) == [401, 401, 401, 429]
    # And this process sees the lock the other one set.
    at(6)
    assert token_request(client, "police", PASSWORD, ADDRESSES[6]).status_code == 429
    with clean.app_context():
        row = db.session.get(LoginThrottle, "account:police")
        assert row.failures == 5
        assert row.locked_until == T0 + timedelta(minutes=4 + 15)


# --- an administrator lifts a lock ---------------------------------------------------------


def lock_police(client):
    for n in range(5):
        at(n)
        token_request(client, "police", "wrong-password", ADDRESSES[n])
    at(5)
    assert token_request(client, "police", PASSWORD).status_code == 429


def test_an_administrator_lifts_a_lock_on_the_page(client, clean):
    lock_police(client)
    admin = clean.test_client()
    login(admin, "admin")
    page = admin.get("/admin/security").get_data(as_text=True)
    assert "account:police" in page
    # The login log names what happened in words, not by its code.
    assert '<td data-kind="locked">已锁定</td><td>接口</td>' in page
    assert '<td data-kind="failure">密码错误</td>' in page
    assert ">locked<" not in page and ">api<" not in page
    response = admin.post(
        "/admin/security/locks/lift",
        data={"key": "account:police", "csrf_token": csrf_token(admin, "/")},
    )
    assert response.status_code == 302
    assert token_request(client, "police", PASSWORD).status_code == 200
    assert 'id="no-locks"' in admin.get("/admin/security").get_data(as_text=True)
    with clean.app_context():
        (lifted,) = events("unlocked")
        assert lifted.detail == "account:police lifted by admin"


def test_only_an_administrator_sees_the_security_page(client, clean):
    login(client, "supervisor")
    assert client.get("/admin/security").status_code == 403
    response = client.post(
        "/admin/security/locks/lift",
        data={"key": "account:police", "csrf_token": csrf_token(client, "/")},
    )
    assert response.status_code == 403


def test_unlock_login_command(client, clean):
    lock_police(client)
    runner = clean.test_cli_runner()
    assert runner.invoke(args=["unlock-login", "--username", "hotline"]).exit_code != 0
    result = runner.invoke(args=["unlock-login", "--username", "police"])
    assert result.exit_code == 0, result.output
    assert token_request(client, "police", PASSWORD).status_code == 200


def test_simultaneous_guesses_are_decided_one_after_the_other(clean):
    """Ten wrong passwords at the same instant from ten connections: the counter is locked
    from check to commit, so exactly the three allowed before the delay are tried (401) and
    the seven others wait (429), never more tries on a stale count."""
    import threading

    at(0)
    barrier = threading.Barrier(10)
    answers: list[int] = []
    guard = threading.Lock()

    def guess(n):
        client = clean.test_client()
        barrier.wait(timeout=30)
        response = token_request(client, "police", "wrong-password", ADDRESSES[n])
        with guard:
            answers.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(answers) == [401] * 3 + [429] * 7
    with clean.app_context():
        assert db.session.get(LoginThrottle, "account:police").failures == 3
        assert len(events("failure")) == 3 and len(events("refused")) == 7
