"""Server-side sessions: a new id at each login, logout ends the session (a copied cookie
is refused afterwards), idle and absolute expiry on a controlled clock, ending a session
from another browser, revoked API tokens, deactivated users, the secret key."""

import os
import stat
from datetime import UTC, datetime, timedelta

import pytest

from caseflow import create_app, timeutil
from caseflow.config import TestConfig
from caseflow.extensions import db
from caseflow.models import ApiToken, UserSession
from caseflow.security import accounts
from tests.conftest import PASSWORD, api_token, csrf_token, login, user

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
PAGE = "/cases"


def opens(client, path: str = PAGE) -> bool:
    """Whether the page opens (200) rather than sending the browser to the login page."""
    response = client.get(path)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
    return response.status_code == 200


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def copy_of(app, client):
    """Another browser holding a copy of the client's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", session_cookie(client))
    return thief


def records(username: str) -> list[UserSession]:
    return list(
        db.session.scalars(
            db.select(UserSession)
            .where(UserSession.user_id == user(username).id)
            .order_by(UserSession.id)
        )
    )


def test_login_makes_a_new_session_record_and_id(client, clean):
    client.get("/login")
    before = client.get_cookie("session")
    assert login(client, "police").status_code == 302
    first = session_cookie(client)
    assert before is None or before.value != first
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "police")
    assert session_cookie(client) != first
    with clean.app_context():
        rows = records("police")
        assert len(rows) == 2
        assert rows[0].end_reason == "logout" and rows[0].ended_at is not None
        assert rows[1].ended_at is None
        assert len({r.sid_hash for r in rows}) == 2


def test_a_copied_cookie_is_refused_after_logout(client, clean):
    login(client, "police")
    thief = copy_of(clean, client)
    assert opens(thief)  # the copy works while the session lives …
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert not opens(client)
    assert not opens(thief)  # … and not after logout, although the cookie is well signed
    assert not opens(thief, "/cases/1")


def test_idle_timeout_ends_the_session(client, clean):
    timeutil.set_clock(T0)
    login(client, "police")
    timeutil.set_clock(T0 + timedelta(minutes=29))
    assert opens(client)  # each request restarts the idle time
    timeutil.set_clock(T0 + timedelta(minutes=58))
    assert opens(client)
    thief = copy_of(clean, client)
    timeutil.set_clock(T0 + timedelta(minutes=58 + 30))
    assert not opens(client)
    assert not opens(thief)
    timeutil.set_clock(T0 + timedelta(minutes=58 + 31))
    assert not opens(client)  # once ended, a session never comes back
    with clean.app_context():
        assert [r.end_reason for r in records("police")] == ["idle"]


def test_absolute_timeout_ends_a_busy_session(client, clean):
    timeutil.set_clock(T0)
    login(client, "police")
    for step in range(1, 36):  # a request every 20 minutes for 11 h 40 min
        timeutil.set_clock(T0 + timedelta(minutes=20 * step))
        assert opens(client), step
    timeutil.set_clock(T0 + timedelta(hours=12))
    assert not opens(client)
    with clean.app_context():
        assert [r.end_reason for r in records("police")] == ["absolute"]


def test_timeouts_are_configurable(client, clean):
    saved = clean.config["SESSION_IDLE_MINUTES"], clean.config["SESSION_ABSOLUTE_HOURS"]
    clean.config["SESSION_IDLE_MINUTES"] = 5
    clean.config["SESSION_ABSOLUTE_HOURS"] = 1
    try:
        timeutil.set_clock(T0)
        login(client, "police")
        timeutil.set_clock(T0 + timedelta(minutes=4))
        assert opens(client)
        timeutil.set_clock(T0 + timedelta(minutes=10))
        assert not opens(client)
        login(client, "police")  # at T0 + 10 min: it lasts till T0 + 70 min at most
        for minutes in range(14, 70, 4):  # busy every 4 minutes, within the idle time
            timeutil.set_clock(T0 + timedelta(minutes=minutes))
            assert opens(client), minutes
        timeutil.set_clock(T0 + timedelta(minutes=70))
        assert not opens(client)
    finally:
        clean.config["SESSION_IDLE_MINUTES"], clean.config["SESSION_ABSOLUTE_HOURS"] = saved


def test_a_session_is_ended_from_another_browser(clean):
    office, phone = clean.test_client(), clean.test_client()
    login(office, "police")
    login(phone, "police")
    page = office.get("/account/sessions").get_data(as_text=True)
    with clean.app_context():
        office_id, phone_id = (r.id for r in records("police"))
    assert f'data-session-id="{office_id}"' in page and f'data-session-id="{phone_id}"' in page
    response = office.post(
        f"/account/sessions/{phone_id}/end", data={"csrf_token": csrf_token(office, "/")}
    )
    assert response.status_code == 302
    assert not opens(phone)
    assert opens(office)
    with clean.app_context():
        assert [r.end_reason for r in records("police")] == [None, "ended_by_user"]


def test_nobody_ends_another_users_session(clean):
    mine, theirs = clean.test_client(), clean.test_client()
    login(mine, "police")
    login(theirs, "hotline")
    with clean.app_context():
        (their_id,) = (r.id for r in records("hotline"))
    response = mine.post(
        f"/account/sessions/{their_id}/end", data={"csrf_token": csrf_token(mine, "/")}
    )
    assert response.status_code == 404
    assert opens(theirs)
    headers = api_token(mine, "police")
    assert mine.delete(f"/api/v1/auth/sessions/{their_id}", headers=headers).status_code == 404
    assert opens(theirs)


def test_sessions_and_tokens_are_listed_and_ended_through_the_api(clean):
    browser, client = clean.test_client(), clean.test_client()
    login(browser, "police")
    headers = api_token(client, "police")
    other = api_token(client, "police")
    listing = client.get("/api/v1/auth/sessions", headers=headers)
    assert listing.status_code == 200
    body = listing.get_json()
    assert len(body["sessions"]) == 1
    assert len(body["tokens"]) == 2
    assert sorted(t["current"] for t in body["tokens"]) == [False, True]
    other_id = next(t["id"] for t in body["tokens"] if not t["current"])
    assert client.delete(f"/api/v1/auth/tokens/{other_id}", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=other).status_code == 401
    assert client.delete(f"/api/v1/auth/tokens/{other_id}", headers=headers).status_code == 404
    session_id = body["sessions"][0]["id"]
    assert client.delete(f"/api/v1/auth/sessions/{session_id}", headers=headers).status_code == 204
    assert not opens(browser)
    assert client.get("/api/v1/auth/sessions", headers=headers).get_json()["sessions"] == []


def test_delete_auth_token_revokes_the_calling_token(clean):
    client = clean.test_client()
    headers = api_token(client, "police")
    kept = api_token(client, "police")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    response = client.delete("/api/v1/auth/token", headers=headers)
    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 401
    assert client.get("/api/v1/me", headers=kept).status_code == 200  # only the calling one
    with clean.app_context():
        tokens = db.session.scalars(db.select(ApiToken).order_by(ApiToken.id)).all()
        assert [t.revoked_at is not None for t in tokens] == [True, False]


def test_a_token_is_revoked_from_the_sessions_page(clean):
    browser, client = clean.test_client(), clean.test_client()
    login(browser, "police")
    headers = api_token(client, "police")
    with clean.app_context():
        token_id = db.session.scalar(db.select(ApiToken.id))
    assert f'data-token-id="{token_id}"' in browser.get("/account/sessions").get_data(as_text=True)
    response = browser.post(
        f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(browser, "/")}
    )
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert 'id="no-tokens"' in browser.get("/account/sessions").get_data(as_text=True)


def test_deactivating_a_user_ends_all_their_sessions_and_tokens(clean):
    one, two, api = clean.test_client(), clean.test_client(), clean.test_client()
    login(one, "police")
    login(two, "police")
    headers = api_token(api, "police")
    with clean.app_context():
        accounts.deactivate(user("police"))
        db.session.commit()
        assert {r.end_reason for r in records("police")} == {"deactivated"}
    assert not opens(one) and not opens(two)
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    assert login(clean.test_client(), "police").status_code == 200  # the form again


def test_deactivate_user_command(clean):
    browser = clean.test_client()
    login(browser, "hotline")
    result = clean.test_cli_runner().invoke(args=["deactivate-user", "hotline"])
    assert result.exit_code == 0, result.output
    assert not opens(browser)
    with clean.app_context():
        assert user("hotline").active is False
    result = clean.test_cli_runner().invoke(args=["deactivate-user", "nobody"])
    assert result.exit_code != 0


# --- the key that signs cookies -------------------------------------------------------


def _config(tmp_path, **values):
    class Config(TestConfig):
        SECRET_KEY = None
        SECRET_KEY_FILE = str(tmp_path / "instance" / "secret_key")

    for name, value in values.items():
        setattr(Config, name, value)
    return Config


def test_development_makes_and_keeps_a_random_key(tmp_path):
    config = _config(tmp_path, ENV_NAME="development")
    first = create_app(config).config["SECRET_KEY"]
    path = tmp_path / "instance" / "secret_key"
    assert path.exists()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(first) >= 32
    assert create_app(config).config["SECRET_KEY"] == first  # the same after a restart
    other = _config(tmp_path / "elsewhere", ENV_NAME="development")
    assert create_app(other).config["SECRET_KEY"] != first  # random, not a constant


def test_production_refuses_to_start_without_a_key(tmp_path):
    with pytest.raises(RuntimeError, match="CASEFLOW_SECRET_KEY"):
        create_app(_config(tmp_path, ENV_NAME="production"))
    assert not (tmp_path / "instance" / "secret_key").exists()


@pytest.mark.parametrize("env", ["development", "production"])
def test_the_old_public_key_is_refused(tmp_path, env):
    with pytest.raises(RuntimeError, match="published"):
        create_app(_config(tmp_path, ENV_NAME=env, SECRET_KEY="dev-only-secret-change-me"))


def test_the_test_configuration_has_no_known_key():
    assert TestConfig.SECRET_KEY not in TestConfig.KNOWN_PUBLIC_KEYS
    assert len(TestConfig.SECRET_KEY) >= 32


def test_password_is_right_for_the_demo(clean):
    # The demo logins of the README keep working with the 13-character demo password.
    assert len(PASSWORD) == 13
    assert login(clean.test_client(), "child_director").status_code == 302


def test_huge_or_unknown_ids_are_404(client, clean):
    login(client, "police")
    token = csrf_token(client, "/")
    for path in (
        "/account/sessions/99999999999999999999999/end",
        "/account/tokens/99999999999999999999999/revoke",
        "/account/sessions/12345/end",
    ):
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path
    headers = api_token(client, "police")
    for path in ("/api/v1/auth/sessions/99999999999999999999999", "/api/v1/auth/tokens/0"):
        assert client.delete(path, headers=headers).status_code == 404, path
