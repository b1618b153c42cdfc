"""Security headers on every answer — pages, printable documents, the API, errors and
static files — in development and production settings; versioned static files cached
for a year; no inline script left in the templates (the CSP would block it)."""

import os
import re
import secrets
import subprocess
import sys

import pytest

from caseflow import create_app
from caseflow.config import ROOT, TestConfig
from caseflow.security.headers import CSP, IMMUTABLE
from tests.conftest import PASSWORD, api_token, login

COMMON = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_security_headers(response, hsts: bool):
    for name, value in COMMON.items():
        assert response.headers.get(name) == value, (name, response.request.path)
    assert ("Strict-Transport-Security" in response.headers) is hsts


def fetch(client, path):
    """A static file's answer, read and closed (it streams from an open file)."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response


def assert_not_stored(response):
    assert response.headers["Cache-Control"] == "no-store", response.request.path


def test_the_policy_allows_no_inline_script():
    directives = dict(d.split(" ", 1) for d in CSP.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in CSP
    assert "default-src" in directives


def make_document_case(app) -> int:
    from tests.web.test_dv_pages import make_dv

    return make_dv(app, state="warning_issued")


def test_headers_in_development(client, clean):
    case_id = make_document_case(clean)
    anonymous = [client.get("/login"), client.get("/no-such-page")]
    login(client, "police")
    pages = [
        client.get("/"),
        client.get("/cases"),
        client.get(f"/cases/{case_id}"),
        client.get(f"/cases/{case_id}/documents/warning"),
        client.get("/account/sessions"),
        client.get("/cases/999999"),
    ]
    assert [r.status_code for r in anonymous + pages] == [200, 404, 200, 200, 200, 200, 200, 404]
    headers = api_token(client, "police")
    api = [
        client.get("/api/v1/me", headers=headers),
        client.get(f"/api/v1/cases/{case_id}", headers=headers),
        client.get("/api/v1/cases", headers=headers),
        client.get("/api/v1/me"),
        client.get("/api/v1/openapi.json"),
        client.post("/api/v1/auth/token", json={"username": "police", "password": PASSWORD}),
    ]
    assert [r.status_code for r in api] == [200, 200, 200, 401, 200, 200]
    for response in anonymous + pages + api:
        assert_security_headers(response, hsts=False)
        assert_not_stored(response)
    # The session cookie is not Secure over plain HTTP in development.
    login_response = login(clean.test_client(), "police")
    assert "Secure" not in login_response.headers["Set-Cookie"]
    assert "HttpOnly" in login_response.headers["Set-Cookie"]


def test_static_files_are_versioned_and_cached_for_a_year(client, clean):
    page = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.css\?v=([0-9a-f]{12}))"', page)
    assert css, "the stylesheet link carries its version"
    versioned = fetch(client, css[1])
    assert versioned.status_code == 200
    assert versioned.headers["Cache-Control"] == IMMUTABLE
    assert_security_headers(versioned, hsts=False)
    plain = fetch(client, "/static/css/app.css")
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "no-cache"
    stale = fetch(client, "/static/css/app.css?v=000000000000")
    assert stale.headers["Cache-Control"] == "no-cache"  # an old name is not kept forever
    missing = fetch(client, "/static/js/no-such-file.js?v=abc")
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == "no-store"
    login(client, "police")
    workflow = client.get("/workflows/mandatory_report").get_data(as_text=True)
    assert re.search(r'src="/static/vendor/mermaid/mermaid\.min\.js\?v=[0-9a-f]{12}"', workflow)
    assert re.search(r'src="/static/js/workflow\.js\?v=[0-9a-f]{12}"', workflow)


@pytest.fixture
def production(clean):
    class ProductionConfig(TestConfig):
        ENV_NAME = "production"
        SECRET_KEY = secrets.token_urlsafe(32)
        SESSION_COOKIE_SECURE = True
        SQLALCHEMY_DATABASE_URI = clean.config["SQLALCHEMY_DATABASE_URI"]

    app = create_app(ProductionConfig)
    yield app
    with app.app_context():
        from caseflow.extensions import db

        db.engine.dispose()


def test_headers_in_production(production, clean):
    case_id = make_document_case(clean)
    client = production.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"  # behind the TLS proxy
    login_response = login(client, "police")
    cookie = login_response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    answers = [
        login_response,
        client.get("/cases"),
        client.get(f"/cases/{case_id}/documents/warning"),
        client.get("/api/v1/me", headers=api_token(client, "police")),
        client.get("/api/v1/me"),
    ]
    assert [r.status_code for r in answers] == [302, 200, 200, 200, 401]
    for response in answers:
        assert_security_headers(response, hsts=True)
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert_not_stored(response)
    static = fetch(client, "/static/css/app.css")
    assert_security_headers(static, hsts=True)


def test_secure_cookies_are_on_by_default_in_production():
    code = "from caseflow.config import Config; print(Config.SESSION_COOKIE_SECURE)"

    def secure(env: dict) -> str:
        clean_env = {k: v for k, v in os.environ.items() if not k.startswith("CASEFLOW_")}
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=clean_env | env,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    assert secure({"CASEFLOW_ENV": "production"}) == "True"
    assert secure({"CASEFLOW_ENV": "production", "CASEFLOW_SECURE_COOKIES": "0"}) == "False"
    assert secure({}) == "False"
    assert secure({"CASEFLOW_SECURE_COOKIES": "1"}) == "True"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_no_template_has_an_inline_script_or_handler():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER, re.compile(r"javascript:", re.I)):
            offenders += [f"{path.relative_to(ROOT)}: {m[0]}" for m in pattern.finditer(text)]
    assert offenders == []
