"""End to end in a real Chromium: the police log a domestic-violence call, issue and
deliver a warning letter (告诫书), visit, record repeat violence and start a protection
order from the case; the court liaison accepts, issues and serves it. The printable
warning letter renders with the case's data and without the victim's phone or address."""

from datetime import timedelta

from caseflow import timeutil
from caseflow.deadlines.calendar import add_months
from tests.web.test_report_in_browser import act, log_in, log_out

VICTIM, VICTIM_PHONE, VICTIM_ADDRESS = "李红梅", "13812345678", "城南社区幸福路8号"
ABUSER, ABUSER_ADDRESS = "张大勇", "城南社区建设路2号"


def minutes_ago(minutes: int) -> str:
    """A local time as a datetime-local input takes it."""
    at = timeutil.to_local(timeutil.now() - timedelta(minutes=minutes))
    return at.strftime("%Y-%m-%dT%H:%M")


def state_is(page, text: str) -> None:
    assert text in page.locator("h1 ~ .badge, .badge").all_inner_texts(), page.content()


def test_dv_call_to_protection_order_in_a_browser(live_server, browser, clean):
    base = live_server
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    # The police station logs the call.
    log_in(page, base, "police")
    page.goto(f"{base}/cases/new/dv_warning")
    page.select_option("#jurisdiction", "500240001001")
    page.fill("#call_at", minutes_ago(180))
    page.fill("#attended_at", minutes_ago(160))
    page.fill("#subject-name", VICTIM)
    page.select_option("#subject-sex", "F")
    page.fill("#subject-phone", VICTIM_PHONE)
    page.fill("#subject-address", VICTIM_ADDRESS)
    page.fill("#abuser-name", ABUSER)
    page.select_option("#abuser-relation", "spouse")
    page.check("#violence_forms-physical")
    page.check("#minors_present")
    page.fill("#description", "邻居报警称听到争吵和哭喊，民警到场时受害人面部有伤。")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/cases/*")
    dv_url = page.url
    assert page.locator("h1").inner_text().startswith("DV-")
    state_is(page, "已登记警情")

    # A warning letter: the abuser needs an identity beyond the name (Art. 16).
    act(
        page,
        "issue_warning",
        {
            "issue_warning-warning_number": "石公（南）告字〔2026〕101号",
            "issue_warning-issued_at": minutes_ago(150),
            "issue_warning-facts": f"{ABUSER}因家庭琐事殴打{VICTIM}，致其面部软组织挫伤。",
            "issue_warning-abuser_address": ABUSER_ADDRESS,
        },
    )
    state_is(page, "已出具告诫书")

    # The printable letter: the case's data, A4, no navigation, nothing of the victim's
    # phone or address (the letter is handed to the abuser).
    page.click("a[href$='/documents/warning']")
    page.wait_for_load_state()
    letter = page.content()
    assert "告诫书" in letter and "石公（南）告字〔2026〕101号" in letter
    assert ABUSER in letter and ABUSER_ADDRESS in letter and "殴打" in letter
    assert VICTIM_PHONE not in letter and VICTIM_ADDRESS not in letter
    assert page.locator("nav").count() == 0
    page.emulate_media(media="print")
    assert page.locator("text=打印").first.is_hidden()
    page.emulate_media(media="screen")
    page.goto(dv_url)

    act(
        page,
        "deliver",
        {
            "deliver-delivered_abuser_at": minutes_ago(140),
            "deliver-delivered_victim_at": minutes_ago(130),
            "deliver-committee_notified_at": minutes_ago(120),
            "deliver-committee_name": "城南社区居民委员会",
        },
    )
    state_is(page, "告诫书已送达")
    act(page, "start_follow_up")
    state_is(page, "跟踪回访中")

    # A 查访 visit.
    page.locator("#record-visit summary").click()
    page.fill("#visit-done_at", minutes_ago(90))
    page.select_option("#visit-method", "home")
    page.select_option("#visit-outcome", "concern")
    page.fill("#visit-notes", "受害人称加害人仍有言语威胁。")
    page.locator("#record-visit button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".alert-success").count() == 1

    # Repeat violence escalates and offers a protection-order application.
    act(
        page,
        "record_repeat",
        {
            "record_repeat-occurred_at": minutes_ago(60),
            "record_repeat-description": "加害人再次殴打受害人。",
        },
    )
    state_is(page, "已升级处置")
    page.click("a.btn-danger[href*='from_case=']")
    page.wait_for_url("**/cases/new/protection_order*")
    # Pre-filled from the warning case.
    assert page.input_value("#subject-name") == VICTIM
    assert page.input_value("#respondent-name") == ABUSER
    assert page.input_value("#respondent-relation") == "spouse"
    page.check("#measures-no_violence")
    page.check("#measures-no_contact")
    court_id = page.eval_on_selector(
        "#court", "s => [...s.options].find(o => o.text.includes('法院')).value"
    )
    page.select_option("#court", court_id)
    page.select_option("#court_basis", "place_of_violence")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/cases/*")
    po_url = page.url
    assert page.locator("h1").inner_text().startswith("PO-")
    state_is(page, "草拟中")
    act(page, "file")
    state_is(page, "已向法院提交")
    log_out(page)

    # The court liaison accepts, issues and serves.
    log_in(page, base, "court_liaison")
    page.goto(po_url)
    act(page, "court_accept", {"court_accept-accepted_at": minutes_ago(0)})
    state_is(page, "法院已受理")
    last_day = add_months(timeutil.to_local(timeutil.now()).date(), 6)
    act(
        page,
        "issue_order",
        {
            "issue_order-order_number": "（2026）渝0240民保令1号",
            "issue_order-issued_at": minutes_ago(0),
            "issue_order-expires_on": last_day.isoformat(),
        },
    )
    state_is(page, "已作出保护令")
    served = minutes_ago(0)
    act(
        page,
        "serve",
        {
            "serve-served_applicant_at": served,
            "serve-served_respondent_at": served,
            "serve-served_police_at": served,
            "serve-police_name": "南宾派出所",
            "serve-served_committee_at": served,
            "serve-committee_name": "城南社区居民委员会",
        },
    )
    state_is(page, "生效中")
    timeline = page.locator("#timeline").inner_text()
    for step in ("草拟申请书", "向法院提交", "登记受理", "作出人身安全保护令", "登记保护令送达"):
        assert step in timeline
    # The ruling came inside the 72 hours of Art. 28: its deadline is met.
    assert "按时完成" in page.locator("#deadlines").inner_text()

    # The warning case links to the order started from it.
    log_out(page)
    log_in(page, base, "police")
    page.goto(dv_url)
    assert page.locator(f"a[href$='{po_url.removeprefix(base)}']").count() >= 1
    page.close()
