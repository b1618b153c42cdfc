"""The referral picker's search (static/js/referral_picker.js): typing keeps the units
whose name, type, services or served places match, hides the others and the groups left
empty, and never hides a unit already chosen."""

from tests.integration.test_api import Api, create
from tests.web.test_report_in_browser import log_in


def verified_case(app) -> int:
    api = Api(app.test_client())
    case = create(api)
    api.act("police", case["id"], "accept", comment="已受理。")
    api.act("police", case["id"], "start_verification", verifier=api.user_id("child_supervisor"))
    api.act(
        "child_supervisor",
        case["id"],
        "verify",
        findings="属实。",
        risk_level="high",
        confirmed_situations=[4],
    )
    return case["id"]


def test_searching_the_referral_picker(live_server, browser, clean):
    case_id = verified_case(clean)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server, "police")
    page.goto(f"{live_server}/cases/{case_id}")
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    picker = page.locator(".referral-picker").first
    unit = picker.locator(".referral-unit")
    chengnan = unit.filter(has_text="城南社区居民委员会")
    xituo = unit.filter(has_text="西沱派出所")
    civil = unit.filter(has_text="石柱县民政局")
    assert chengnan.is_visible() and xituo.is_visible()
    civil.locator("input").check()
    picker.locator(".referral-search").fill("西沱")
    assert xituo.is_visible() and chengnan.is_hidden()
    assert civil.is_visible()  # chosen: stays in sight
    assert picker.locator('.referral-group[data-type="village_committee"]').is_hidden()
    civil.locator("input").uncheck()
    picker.locator(".referral-search").fill("没有这样的单位")
    assert picker.locator(".referral-none").is_visible() and civil.is_hidden()
    picker.locator(".referral-search").fill("")
    assert chengnan.is_visible()
    page.close()
