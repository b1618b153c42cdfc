"""End to end in a real Chromium at phone size (360 px): a child director files a report,
the police accept it, it is verified, referred, visited, closure is requested and a
supervisor approves. The timeline shows each step."""

from datetime import timedelta

from caseflow import timeutil
from tests.conftest import PASSWORD


def log_in(page, base, username):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def log_out(page):
    page.click("nav form button")


def act(page, trigger, fields=None, selects=None):
    details = page.locator(f"details[data-trigger={trigger}]")
    details.locator("summary").click()
    for field_id, value in (fields or {}).items():
        page.fill(f"#{field_id}", value)
    for field_id, value in (selects or {}).items():
        page.select_option(f"#{field_id}", value)
    details.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".alert-success").count() == 1, page.content()


def test_mandatory_report_end_to_end_on_a_phone(live_server, browser, clean):
    base = live_server
    page = browser.new_page(viewport={"width": 360, "height": 740})

    # The child director files the report from a phone.
    log_in(page, base, "child_director")
    page.goto(f"{base}/cases/new/mandatory_report")
    discovered = timeutil.to_local(timeutil.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#subject-name", "冉小雨")
    page.select_option("#subject-sex", "F")
    page.fill("#subject-birth_date", "2015-03-08")
    page.select_option("#jurisdiction", "500240001001")
    page.fill("#discovered_at", discovered)
    page.check("#situation_codes-4")
    page.fill("#description", "入户走访时发现儿童身上有多处淤青。")
    # The form fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cases/*")
    case_url = page.url
    number = page.locator("h1").inner_text()
    assert number.startswith("MR-")
    assert page.locator(".badge.text-bg-danger").count() >= 1  # situation 4 ⇒ urgent
    log_out(page)

    # The police station accepts, assigns the township supervisor to verify.
    log_in(page, base, "police")
    page.goto(case_url)
    act(page, "accept", {"accept-comment": "已受理。"})
    with clean.app_context():
        from caseflow.extensions import db
        from caseflow.models import User

        verifier_id = db.session.scalar(
            db.select(User.id).where(User.username == "child_supervisor")
        )
    act(page, "start_verification", selects={"start_verification-verifier": str(verifier_id)})
    log_out(page)

    log_in(page, base, "child_supervisor")
    page.goto(case_url)
    act(
        page,
        "verify",
        {"verify-findings": "经入户核实，情况属实。"},
        {"verify-risk_level": "high"},
    )
    log_out(page)

    log_in(page, base, "police")
    page.goto(case_url)
    page.locator("details[data-trigger=refer] summary").click()
    page.locator("details[data-trigger=refer] label", has_text="石柱县民政局").click()
    page.fill("#refer-reason", "申请临时监护评估。")
    page.locator("details[data-trigger=refer] button[type=submit]").click()
    page.wait_for_load_state()
    act(page, "start_follow_up", {"start_follow_up-comment": "每月回访。"})
    act(page, "send_feedback", {"send_feedback-feedback": "已受案，正在处理。"})
    log_out(page)

    # The child director records a visit and sees the feedback.
    log_in(page, base, "child_director")
    page.goto(case_url)
    assert "已受案，正在处理。" in page.content()
    page.locator("#record-visit summary").click()
    # Just now: a visit cannot be dated before the report was made, minutes ago.
    visited = timeutil.to_local(timeutil.now()).strftime("%Y-%m-%dT%H:%M")
    page.fill("#visit-done_at", visited)
    page.select_option("#visit-method", "home")
    page.select_option("#visit-outcome", "safe")
    page.fill("#visit-notes", "儿童状态良好。")
    page.locator("#record-visit button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#visits li").first.inner_text().count("儿童状态良好") == 1
    log_out(page)

    log_in(page, base, "police")
    page.goto(case_url)
    act(page, "request_closure", {"request_closure-summary": "儿童已安全。"})
    # The requester cannot approve their own request, and police may not approve at all.
    assert page.locator("details[data-trigger=approve_closure]").count() == 0
    log_out(page)

    log_in(page, base, "supervisor")
    page.goto(f"{base}/review")
    assert number in page.content()
    page.locator("form[action*='approve_closure'] button").first.click()
    page.wait_for_url(f"{base}/review")
    page.goto(case_url)
    triggers = page.locator("#timeline li").evaluate_all(
        "items => items.map(li => li.dataset.trigger)"
    )
    assert triggers == [
        "submit",
        "accept",
        "start_verification",
        "verify",
        "refer",
        "start_follow_up",
        "send_feedback",
        "visit_recorded",
        "request_closure",
        "approve_closure",
    ]
    with clean.app_context():
        from caseflow.models import Case

        assert db.session.scalar(db.select(Case.state).where(Case.number == number)) == "closed"
    page.close()
