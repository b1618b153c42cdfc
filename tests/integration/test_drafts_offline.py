"""The server's side of a report that survives a bad network: a creation form sent by its
script is answered in JSON, saved once per one-time token (also when two copies arrive at
once), refused with its messages by input name; the drafts' key is given only to a
signed-in user; the service worker, the manifest, logout's Clear-Site-Data and the
gzipped static files."""

import gzip
import threading
from datetime import timedelta

from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import Case, Event
from tests.conftest import csrf_token, login, postgres_only
from tests.integration.test_concurrency import TIMEOUT

FORM = "/cases/new/mandatory_report"
PAGE = {"X-Caseflow-Draft": "page"}
QUEUE = {"X-Caseflow-Draft": "queue"}


def report(client, token="tok-0123456789abcdef", **over):
    discovered = timeutil.to_local(timeutil.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "csrf_token": csrf_token(client, FORM),
        "client_token": token,
        "subject-name": "冉小雨",
        "subject-sex": "F",
        "jurisdiction": "500240001001",
        "discovered_at": discovered,
        "situation_codes": "4",
        "description": "入户走访时发现儿童身上有多处淤青。",
        "reporter_org_type": "village_committee",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def count_cases(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Case))


def test_a_queued_report_is_saved_once_per_token(client, clean):
    login(client, "child_director")
    data = report(client)
    first = client.post(FORM, data=data, headers=QUEUE)
    assert first.status_code == 201, first.get_data(as_text=True)
    number = first.get_json()["number"]
    assert number.startswith("MR-") and first.get_json()["url"].startswith("/cases/")
    again = client.post(FORM, data=data, headers=QUEUE)
    assert again.status_code == 200 and again.get_json()["number"] == number
    # Sent by the browser itself (no script), the same token also saves nothing new.
    plain = client.post(FORM, data=data)
    assert plain.status_code == 302 and plain.headers["Location"] == first.get_json()["url"]
    assert count_cases(clean) == 1
    with clean.app_context():
        event = db.session.scalar(select(Event).where(Event.seq == 1))
        assert event.data["client_token"] == "tok-0123456789abcdef"
    # Another token is another report.
    other = client.post(FORM, data=report(client, token="tok-fedcba9876543210"), headers=PAGE)
    assert other.status_code == 201 and other.get_json()["number"] != number
    assert count_cases(clean) == 2


def test_a_token_of_another_user_is_not_theirs(client, clean):
    login(client, "child_director")
    client.post(FORM, data=report(client), headers=QUEUE)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "institution_reporter")
    answer = client.post(FORM, data=report(client, reporter_org_type="school"), headers=QUEUE)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert count_cases(clean) == 2


def test_a_refused_report_answers_its_messages_by_input_name(client, clean):
    login(client, "child_director")
    answer = client.post(FORM, data=report(client, **{"subject-name": ""}), headers=PAGE)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert "subject-name" in error["fields"] and error["fields"]["subject-name"][0]
    assert count_cases(clean) == 0
    # Out of the role: 403 in JSON, not a page.
    forbidden = client.post(
        "/cases/new/dv_warning", data={"csrf_token": csrf_token(client, "/")}, headers=QUEUE
    )
    assert forbidden.status_code == 403 and forbidden.get_json()["error"]["code"] == "forbidden"
    # A form whose CSRF token is wrong: the script is told to fetch a fresh one.
    stale = client.post(FORM, data=report(client, csrf_token="x"), headers=QUEUE)
    assert stale.status_code == 400 and stale.get_json()["error"]["code"] == "csrf"


def test_the_same_submission_twice_at_once_is_saved_once(clean):
    with clean.app_context():
        postgres_only()
    client = clean.test_client()
    login(client, "child_director")
    data = report(client, token="tok-at-once-0123456789")
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    answers = []

    def post():
        barrier.wait()
        response = client.post(FORM, data=data, headers=QUEUE)
        answers.append((response.status_code, response.get_json()["number"]))

    threads = [threading.Thread(target=post, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive()
    assert sorted(status for status, _n in answers) == [200, 201], answers
    assert len({n for _s, n in answers}) == 1
    assert count_cases(clean) == 1


def test_the_drafts_key_is_the_signed_in_users_only(client, clean):
    assert client.get("/drafts/key").status_code == 302  # logged out: the login page
    login(client, "child_director")
    answer = client.get("/drafts/key")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert len(body["keys"]) == 2 and body["csrf_token"]
    assert all(len(k["key"]) == 44 for k in body["keys"])  # 256 bits, base64
    assert client.get("/drafts/key").get_json()["keys"] == body["keys"]
    logout = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert logout.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/drafts/key").status_code == 302
    login(client, "child_director_2")
    assert client.get("/drafts/key").get_json()["keys"] != body["keys"]


def test_the_service_worker_and_the_manifest(client, clean):
    login(client, "child_director")
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == "/"
    text = worker.get_data(as_text=True)
    assert '"/cases/new/mandatory_report"' in text and "/cases/new/dv_warning" not in text
    assert "bootstrap.min.css?v=" in text
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.get_json()["start_url"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert 'rel="manifest"' in page and "drafts.js?v=" in page


def test_static_text_files_are_gzipped_and_cached_for_a_year(client, clean):
    page = client.get("/login").get_data(as_text=True)
    href = page.split('href="', 2)[1].split('"', 1)[0]  # bootstrap.min.css?v=…
    with client.get(href) as plain:
        original = plain.get_data()
    with client.get(href, headers={"Accept-Encoding": "gzip, br"}) as zipped:
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert "immutable" in zipped.headers["Cache-Control"]
        assert "Accept-Encoding" in zipped.headers["Vary"]
        sent = zipped.get_data()
    assert gzip.decompress(sent) == original
    assert len(sent) < len(original) / 4
    with client.get("/static/icons/icon-192.png") as image:
        assert "Content-Encoding" not in image.headers
