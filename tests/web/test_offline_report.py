"""A report survives a bad network (Chromium at 360 px): the draft is kept on the device,
encrypted, while the user types; a submission made offline is queued and sent once when
the network is back, even after the tab was closed; a refused one comes back to its form
with the focus on the first invalid field."""

import threading
from datetime import timedelta

import pytest
from werkzeug.serving import make_server

from caseflow import timeutil
from tests.conftest import PASSWORD
from tests.web.conftest import CHROMIUM

FORM = "/cases/new/mandatory_report"
CHILD = "冉小雨"


@pytest.fixture(scope="module")
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)
    httpd.server_close()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield instance
        instance.close()


@pytest.fixture
def phone(chromium, server, clean):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, base_url=server)
    yield context
    context.close()


def log_in(page, username):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def fill_report(page):
    discovered = timeutil.to_local(timeutil.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#subject-name", CHILD)
    page.select_option("#subject-sex", "F")
    page.select_option("#jurisdiction", "500240001001")
    page.fill("#discovered_at", discovered)
    page.check("#situation_codes-4")
    page.fill("#description", f"入户走访时发现{CHILD}身上有多处淤青。")


def stored_drafts(page) -> list[str]:
    return page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('caseflow.draft.'))"
        ".map(k => localStorage.getItem(k))"
    )


def wait_for_draft(page):
    """Until the draft of what was typed last is stored (saved 300 ms after typing)."""
    page.wait_for_function(
        "() => Object.values(localStorage).some(v => v.includes('\"queued\":false'))"
    )
    page.wait_for_timeout(600)


def reports(app) -> list[str]:
    from caseflow.extensions import db
    from caseflow.models import Case

    with app.app_context():
        return db.session.scalars(db.select(Case.number).where(Case.type == "mandatory_report"))


def test_a_report_sent_offline_is_saved_once_when_the_network_is_back(phone, clean):
    page = phone.new_page()
    log_in(page, "child_director")
    page.goto(FORM)
    # The service worker keeps the empty form, so that it opens without a network.
    page.wait_for_function(
        "() => caches.open('caseflow-shells')"
        ".then(c => c.match('/cases/new/mandatory_report')).then(r => !!r)"
    )
    fill_report(page)
    wait_for_draft(page)
    # The network drops; the report is submitted: kept on the device, not lost.
    phone.set_offline(True)
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#draft-notice >> text=已保存在本机，联网后自动提交")
    assert list(reports(clean)) == []
    # What the device keeps does not show the child's name (it is encrypted).
    raw = stored_drafts(page)
    assert len(raw) == 1 and CHILD not in raw[0] and "淤青" not in raw[0]
    assert '"queued":true' in raw[0]

    # The tab is closed; the form is opened again, still offline, from the kept shell.
    page.close()
    page = phone.new_page()
    page.goto(FORM)
    page.wait_for_selector("#draft-notice >> text=已保存在本机，联网后自动提交")
    assert list(reports(clean)) == []

    # The network is back: the report is sent and its number shown.
    phone.set_offline(False)
    page.wait_for_url("**/cases/*", timeout=15000)
    number = page.locator("h1").inner_text()
    assert number.startswith("MR-")
    assert page.locator(".alert-success").inner_text().count(number.split()[0]) == 1
    assert list(reports(clean)) == [number.split()[0]]
    assert stored_drafts(page) == []
    # Opened again later, the form is empty and nothing is sent twice.
    page.goto(FORM)
    assert page.input_value("#subject-name") == ""
    assert page.locator("#draft-notice").count() == 0
    assert len(list(reports(clean))) == 1


def test_a_draft_is_offered_back_and_unreadable_without_the_key(phone, clean):
    page = phone.new_page()
    log_in(page, "child_director")
    page.goto(FORM)
    fill_report(page)
    wait_for_draft(page)
    raw = stored_drafts(page)
    assert len(raw) == 1 and CHILD not in raw[0]
    page.close()

    page = phone.new_page()
    page.goto(FORM)
    page.wait_for_selector("#draft-notice button.btn-primary")
    assert page.input_value("#subject-name") == ""
    page.click("#draft-notice button.btn-primary")
    assert page.input_value("#subject-name") == CHILD
    assert page.is_checked("#situation_codes-4")

    # Without the session's key the stored draft cannot be decrypted: a key made up by
    # someone holding the phone's storage fails AES-GCM's authentication.
    readable = page.evaluate(
        """async () => {
          const rec = JSON.parse(Object.entries(localStorage)
            .find(([k]) => k.startsWith('caseflow.draft.'))[1]);
          const un = t => Uint8Array.from(atob(t), c => c.charCodeAt(0));
          const guess = await crypto.subtle.importKey('raw', new Uint8Array(32), 'AES-GCM',
            false, ['decrypt']);
          try {
            await crypto.subtle.decrypt({name: 'AES-GCM', iv: un(rec.iv)}, guess, un(rec.c));
            return true;
          } catch (e) { return false; }
        }"""
    )
    assert readable is False

    # Logging out deletes the drafts and the kept forms.
    page.click("nav form button")
    page.wait_for_url("**/login*")
    assert stored_drafts(page) == []
    assert page.evaluate("caches.has('caseflow-shells')") is False
    # After logout the key is not given any more.
    response = page.request.get("/drafts/key", max_redirects=0)
    assert response.status == 302


def test_a_refused_report_comes_back_with_the_focus_on_its_first_invalid_field(phone, clean):
    page = phone.new_page()
    log_in(page, "child_director")
    page.goto(FORM)
    page.fill("#description", "只写了情况。")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#subject-name.is-invalid")
    focused = page.evaluate("document.activeElement.id")
    assert focused == "subject-name"
    described = page.get_attribute("#subject-name", "aria-describedby")
    assert page.get_attribute("#subject-name", "aria-invalid") == "true"
    assert page.locator(f"[id='{described}']").inner_text().strip() != ""
    assert list(reports(clean)) == []
    # Reloaded, the refused draft comes back with its messages.
    page.reload()
    page.wait_for_selector("#subject-name.is-invalid")
    assert page.input_value("#description") == "只写了情况。"


def test_a_page_form_error_focuses_its_field(phone, clean):
    """A form the server draws again with its messages (the hotline call form): the focus
    goes to the first invalid field, scrolled into view, with its message named."""
    page = phone.new_page()
    log_in(page, "hotline")
    page.goto("/hotline/calls/new")
    with page.expect_navigation():
        page.click("#save-call")
    page.wait_for_function("() => document.activeElement.classList.contains('is-invalid')")
    first = page.locator(".is-invalid").first
    first_id = first.get_attribute("id")
    assert page.evaluate("document.activeElement.id") == first_id
    assert first.get_attribute("aria-invalid") == "true"
    message_id = first.get_attribute("aria-describedby").split()[0]
    assert page.locator(f"[id='{message_id}']").inner_text().strip() != ""
    box = first.bounding_box()
    assert 0 <= box["y"] <= 740
