"""The hint under a free-text box while typing (static/js/name-hint.js): a name typed in
the person fields of the same form, a 某 form or a phone number in the text shows it;
writing 当事人 instead hides it."""

from tests.web.test_report_in_browser import log_in


def test_typing_a_name_into_free_text_shows_the_hint(live_server, browser, clean):
    base = live_server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, base, "police")
    page.goto(f"{base}/cases/new/dv_warning")
    hint = page.locator("#description + .name-hint")
    page.fill("#subject-name", "王秀英")
    page.fill("#description", "受害人报警称被殴打。")
    assert hint.count() == 1 and hint.is_hidden()
    page.fill("#description", "王秀英报警称被殴打。")
    assert hint.is_visible()
    assert "当事人" in hint.inner_text()
    page.fill("#description", "当事人报警称被殴打。")
    assert hint.is_hidden()
    page.fill("#description", "赵某殴打当事人，邻居电话 138-1234-5678。")
    assert hint.is_visible()
    page.close()
