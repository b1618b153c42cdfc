"""End to end in a real Chromium: a 12338 agent logs a call from the keyboard and sees an
earlier call of the same number while typing it, opens a DV case from the call and refers
it to legal aid; the legal-aid centre receives, grants and assigns a lawyer; the agent's
case shows each answer."""

import re

from caseflow.extensions import db
from caseflow.services import hotline
from tests.conftest import user
from tests.web.test_report_in_browser import act, log_in, log_out

PHONE = "13812345678"
LAWYER, FIRM = "冉志远", "重庆石柱民兴律师事务所"


def test_call_to_dv_case_to_legal_aid_in_a_browser(live_server, browser, clean):
    base = live_server
    with clean.app_context():
        earlier, _ = hotline.log_call(
            user("hotline"),
            {
                "client_token": "earlier-call-token",
                "line": "12338",
                "caller_phone": PHONE,
                "category": "domestic_violence",
                "summary": "上周来电咨询，丈夫有威胁言语。",
                "action_taken": "advice",
            },
        )
        earlier_number = earlier.number
        db.session.commit()

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, base, "hotline")
    page.goto(f"{base}/hotline/calls/new")

    # Typed from the keyboard as the caller says it; the form opens on its first field.
    assert page.evaluate("document.activeElement.id") == "line"
    page.focus("#caller_phone")
    page.keyboard.type("138 1234 5678")
    matches = page.locator("#matches")
    matches.get_by_text(earlier_number).wait_for(timeout=5000)
    page.focus("#subject_name")
    page.keyboard.type("李红梅")
    page.focus("#summary")
    page.keyboard.type("来电人称丈夫昨晚再次殴打她，孩子在场。")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(r"/hotline/calls/\d+$"))
    call_url = page.url
    assert "HC-" in page.content()

    # Open a DV case from the call: it goes to the police station of the place.
    page.click("a[href*='/cases/new/dv_warning?from_call=']")
    page.wait_for_url("**/cases/new/dv_warning*")
    assert page.input_value("#subject-name") == "李红梅"
    # The call gave no sex and none is pre-selected: the officer chooses it (the caller
    # spoke of her husband).
    assert page.input_value("#subject-sex") == ""
    page.select_option("#subject-sex", "F")
    page.select_option("#jurisdiction", "500240001001")
    page.fill("#abuser-name", "张大勇")
    page.select_option("#abuser-relation", "spouse")
    page.check("#violence_forms-physical")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/cases/*")
    dv_url = page.url
    assert page.locator("h1").inner_text().startswith("DV-")
    assert page.locator("#timeline li[data-trigger=call_attached]").count() == 1
    assert "南宾派出所" in page.content()

    # Refer the victim to legal aid from the case: no means test for DV victims.
    page.click("a[href*='/cases/new/legal_aid?from_case=']")
    page.wait_for_url("**/cases/new/legal_aid*")
    assert page.input_value("#subject-name") == "李红梅"
    assert page.input_value("#means_test_exempt_reason") == "domestic_violence"
    page.fill("#description", "申请人身安全保护令及离婚诉讼代理。")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/cases/*")
    aid_url = page.url
    assert page.locator("h1").inner_text().startswith("LA-")
    log_out(page)

    # The legal-aid centre receives, grants and assigns a lawyer.
    log_in(page, base, "legal_aid")
    page.goto(aid_url)
    act(page, "receive_application")
    act(page, "grant")
    act(
        page, "assign_lawyer", {"assign_lawyer-lawyer_name": LAWYER, "assign_lawyer-law_firm": FIRM}
    )
    assert "已指派律师" in page.content()
    log_out(page)

    # The agent's case shows the answers: accepted, granted, the lawyer.
    log_in(page, base, "hotline")
    page.goto(dv_url)
    timeline = page.locator("#timeline")
    assert timeline.locator("li[data-trigger=referral_accepted]").count() == 1
    assert timeline.locator("li[data-trigger=legal_aid_update]").count() == 2
    assert LAWYER in timeline.inner_text() and FIRM in timeline.inner_text()
    # And the call page links to the case it opened.
    page.goto(call_url)
    assert page.locator(f"a[href$='{dv_url.removeprefix(base)}']").count() >= 1
    page.close()
