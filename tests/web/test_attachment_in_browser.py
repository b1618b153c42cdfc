"""In a real Chromium at phone size (360 px): a child director attaches a photo of an
injury from the case page; the page shows its thumbnail and still fits the screen."""

import pytest

from caseflow.extensions import db
from tests.integration import attachment_files as files
from tests.integration.test_attachments import report
from tests.web.test_report_in_browser import log_in

pytestmark = pytest.mark.browser


def test_a_photo_is_attached_from_a_phone(live_server, browser, clean):
    with clean.app_context():
        case_id = report().id
        db.session.remove()
    page = browser.new_page(viewport={"width": 360, "height": 740})
    log_in(page, live_server, "child_director")
    page.goto(f"{live_server}/cases/{case_id}")
    page.click("#add-attachment summary")
    page.select_option("#attachment-kind", "photo")
    page.set_input_files(
        "#attachment-file",
        {"name": "IMG_20261130.jpg", "mimeType": "image/jpeg", "buffer": files.jpeg(gps=True)},
    )
    page.fill("#attachment-description", "左臂淤青")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("#add-attachment button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".alert-success").count() == 1, page.content()
    thumb = page.locator("#attachment-list img.attachment-thumb")
    thumb.wait_for()
    # The thumbnail decodes in the browser (waited for: it loads after the page).
    page.wait_for_function(
        "() => { const i = document.querySelector('img.attachment-thumb');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert "IMG_20261130.jpg" in page.locator("#attachment-list").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
