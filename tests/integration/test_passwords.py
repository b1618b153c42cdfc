"""Passwords: argon2id, old hashes replaced at the next login, the policy (length, not the
username, not a common password; Chinese messages naming the rule) in create-user, the
change page and API and the reset; a reset's one-time password must be changed first."""

import re

from argon2 import PasswordHasher
from werkzeug.security import generate_password_hash

from caseflow.extensions import db
from caseflow.security import passwords
from tests.conftest import PASSWORD, api_token, csrf_token, login, user

NEW = "Grüne Wiese am Fluss 7"
CHANGE = "/account/password"


def change_form(client, current, new, confirm=None):
    return client.post(
        CHANGE,
        data={
            "current_password": current,
            "new_password": new,
            "confirm": new if confirm is None else confirm,
            "csrf_token": csrf_token(client, CHANGE),
        },
    )


def test_the_policy_names_each_rule(ctx):
    assert passwords.problems("correct horse battery", "police") == []
    assert [str(m) for m in passwords.problems("short", "police")] == [
        "密码长度规则：至少12个字符。"
    ]
    assert [str(m) for m in passwords.problems("Police_Station", "police_station")] == [
        "密码规则：密码不得与用户名相同。"
    ]
    assert [str(m) for m in passwords.problems("QWERTY123456", "police")] == [
        "密码规则：该密码在常见密码列表中，请另选一个。"
    ]
    assert len(passwords.problems("x" * 201, "police")) == 1
    both = [str(m) for m in passwords.problems("password", "password")]
    assert len(both) == 3  # short, the username and common: every rule broken is named


def test_the_common_list_is_shipped_and_keeps_the_demo_password():
    common = passwords.common_passwords()
    assert len(common) > 5000
    assert {"123456", "password", "1qaz2wsx3edc", "woaini1314520"} <= common
    assert PASSWORD not in common


def test_new_hashes_are_argon2id(ctx):
    police = user("police")
    police.set_password(NEW)
    assert police.password_hash.startswith("$argon2id$")
    assert police.check_password(NEW)
    assert not police.check_password(NEW + "x")


def test_an_old_scrypt_hash_is_replaced_at_the_next_login(client, clean):
    with clean.app_context():
        user("police").password_hash = generate_password_hash(PASSWORD, method="scrypt")
        db.session.commit()
    assert login(client, "police").status_code == 302
    with clean.app_context():
        stored = user("police").password_hash
        assert stored.startswith("$argon2id$")
        assert PasswordHasher().verify(stored, PASSWORD)
    assert login(clean.test_client(), "police").status_code == 302


def test_a_weaker_argon2_hash_is_replaced_too(client, clean):
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    with clean.app_context():
        user("police").password_hash = weak
        db.session.commit()
    assert api_token(client, "police")
    current = PasswordHasher(**clean.config["PASSWORD_ARGON2"])
    with clean.app_context():
        stored = user("police").password_hash
        assert stored != weak and not current.check_needs_rehash(stored)
        assert current.verify(stored, PASSWORD)


def test_the_production_cost_is_argon2_cffis_default():
    from caseflow import create_app
    from caseflow.config import Config

    class Production(Config):
        SECRET_KEY = "x" * 40
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    assert Config.PASSWORD_ARGON2 == {}
    with create_app(Production).app_context():
        stored = passwords.hash_password(NEW)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert not PasswordHasher().check_needs_rehash(stored)


def test_a_wrong_password_changes_no_hash(client, clean):
    old = generate_password_hash(PASSWORD, method="scrypt")
    with clean.app_context():
        user("police").password_hash = old
        db.session.commit()
    assert login(client, "police", "wrong-password").status_code == 200
    with clean.app_context():
        assert user("police").password_hash == old


# --- create-user -------------------------------------------------------------------------


def test_create_user_enforces_the_policy(clean):
    runner = clean.test_cli_runner()
    with clean.app_context():
        org_id = user("police").organisation_id
    args = [
        "create-user",
        "newcomer",
        "--name",
        "新人",
        "--role",
        "police",
        "--org-id",
        str(org_id),
    ]
    for weak in ("a", "newcomer", "password1234"):
        result = runner.invoke(args=[*args, "--password", weak])
        assert result.exit_code != 0, weak
        assert "密码" in result.output
        with clean.app_context():
            assert user("newcomer") is None
    result = runner.invoke(args=[*args, "--password", NEW])
    assert result.exit_code == 0, result.output
    assert login(clean.test_client(), "newcomer", NEW).status_code == 302


# --- changing one's password ---------------------------------------------------------------


def test_change_password_page(clean):
    browser, other, api = clean.test_client(), clean.test_client(), clean.test_client()
    login(browser, "police")
    login(other, "police")
    headers = api_token(api, "police")
    page = browser.get(CHANGE)
    assert page.status_code == 200 and 'id="change-password"' in page.get_data(as_text=True)

    wrong = change_form(browser, "wrong-password", NEW)
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.get_data(as_text=True)
    weak = change_form(browser, PASSWORD, "short")
    assert weak.status_code == 422 and "至少12个字符" in weak.get_data(as_text=True)
    differ = change_form(browser, PASSWORD, NEW, confirm=NEW + "!")
    assert differ.status_code == 422
    with clean.app_context():
        assert user("police").check_password(PASSWORD)  # nothing changed yet

    done = change_form(browser, PASSWORD, NEW)
    assert done.status_code == 302
    assert browser.get("/cases").status_code == 200  # this session goes on
    assert other.get("/cases").status_code == 302  # the other one ended
    assert api.get("/api/v1/me", headers=headers).status_code == 401  # tokens too
    assert login(clean.test_client(), "police").status_code == 200  # old password: refused
    assert login(clean.test_client(), "police", NEW).status_code == 302


def test_change_password_api(clean):
    client = clean.test_client()
    headers, other = api_token(client, "police"), api_token(client, "police")
    path = "/api/v1/auth/password"
    wrong = client.post(
        path, json={"current_password": "nope", "new_password": NEW}, headers=headers
    )
    assert wrong.status_code == 422
    assert "current_password" in wrong.get_json()["error"]["fields"]
    weak = client.post(
        path, json={"current_password": PASSWORD, "new_password": "police"}, headers=headers
    )
    assert weak.status_code == 422
    messages = weak.get_json()["error"]["fields"]["new_password"]
    assert (
        "密码长度规则：至少12个字符。" in messages
        and "密码规则：密码不得与用户名相同。" in messages
    )
    done = client.post(
        path, json={"current_password": PASSWORD, "new_password": NEW}, headers=headers
    )
    assert done.status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # the calling token
    assert client.get("/api/v1/me", headers=other).status_code == 401
    assert api_token(client, "police", NEW)


# --- an administrator's reset ----------------------------------------------------------------


def test_reset_gives_a_one_time_password_that_must_be_changed(clean):
    victim_browser = clean.test_client()
    login(victim_browser, "police")
    admin = clean.test_client()
    login(admin, "admin")
    page = admin.post(
        "/admin/security/reset",
        data={"username": "police", "csrf_token": csrf_token(admin, "/admin/security")},
    )
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    one_time = re.search(r'<code class="fs-5">([^<]+)</code>', page.get_data(as_text=True))[1]
    assert len(one_time) == 16 and not passwords.problems(one_time, "police")
    assert victim_browser.get("/cases").status_code == 302  # the reset ended the session

    client = clean.test_client()
    assert login(client, "police").status_code == 200  # the old password is gone
    response = login(client, "police", one_time)
    assert response.headers["Location"].endswith(CHANGE)
    for path in ("/", "/cases", "/referrals", "/account/sessions"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith(CHANGE)
    page = client.get(CHANGE).get_data(as_text=True)
    assert 'id="forced-change"' in page
    assert change_form(client, one_time, NEW).status_code == 302
    assert client.get("/cases").status_code == 200
    with clean.app_context():
        assert user("police").must_change_password is False


def test_the_api_answers_403_until_the_one_time_password_is_changed(clean):
    result = clean.test_cli_runner().invoke(args=["reset-password", "hotline"])
    assert result.exit_code == 0, result.output
    one_time = re.search(r"hotline: (\S+)", result.output)[1]
    client = clean.test_client()
    headers = api_token(client, "hotline", one_time)
    for response in (
        client.get("/api/v1/me", headers=headers),
        client.get("/api/v1/cases", headers=headers),
        client.get("/api/v1/auth/sessions", headers=headers),
    ):
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "password_change_required"
    done = client.post(
        "/api/v1/auth/password",
        json={"current_password": one_time, "new_password": NEW},
        headers=headers,
    )
    assert done.status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_only_an_administrator_resets(client, clean):
    login(client, "supervisor")
    response = client.post(
        "/admin/security/reset",
        data={"username": "police", "csrf_token": csrf_token(client, "/")},
    )
    assert response.status_code == 403
    with clean.app_context():
        assert user("police").must_change_password is False


def test_seed_demo_refuses_in_production(clean):
    saved = clean.config["ENV_NAME"]
    clean.config["ENV_NAME"] = "production"
    try:
        result = clean.test_cli_runner().invoke(args=["seed-demo"])
    finally:
        clean.config["ENV_NAME"] = saved
    assert result.exit_code != 0
    assert "CASEFLOW_ENV=production" in result.output
