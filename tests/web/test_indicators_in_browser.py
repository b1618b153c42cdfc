"""The indicators page in a real Chromium at phone size: the statistician opens the table,
the ECharts trend charts draw on a canvas without console errors, a row leads to the
drill-down and the breakdown can be switched."""

import pytest

from caseflow.extensions import db
from caseflow.indicators import submissions
from tests.conftest import PASSWORD, user


def log_in(page, base, username):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.browser
def test_statistician_sees_charts_and_drills_down(live_server, browser, clean):
    with clean.app_context():
        for year, figure in {2020: (9, 24), 2022: (10, 25), 2024: (11, 25)}.items():
            row = submissions.submit(
                user("data_procuratorate"),
                {
                    "code": "W-LAW-01",
                    "year": year,
                    "jurisdiction": "500240",
                    "numerator": figure[0],
                    "denominator": figure[1],
                },
            )
            submissions.review(user("statistician"), row.id, accept=True)
        db.session.commit()

    base = live_server
    page = browser.new_page(viewport={"width": 360, "height": 740})
    errors = []

    def console(msg):
        # The browser's own request for /favicon.ico (the app has none) is not ours.
        if msg.type == "error" and "favicon" not in (msg.location or {}).get("url", ""):
            errors.append(f"{msg.text} {msg.location}")

    page.on("console", console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    log_in(page, base, "statistician")
    page.goto(f"{base}/indicators?plan=500240-women-2021&year=2024")
    chart = page.locator("#chart-W-LAW-01")
    chart.scroll_into_view_if_needed()
    chart.locator("canvas").first.wait_for(state="attached", timeout=10000)
    assert chart.locator("canvas").count() >= 1
    # Every chart on the page is drawn.
    assert (
        page.locator(".indicator-chart canvas").count() >= page.locator(".indicator-chart").count()
    )
    # The table scrolls inside its box at 360 px instead of widening the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1

    page.locator('#targets-table tr[data-code="W-LAW-01"] a.drill').click()
    page.wait_for_url("**/indicators/W-LAW-01?*")
    page.locator("#chart-trend canvas").first.wait_for(state="attached", timeout=10000)
    assert "44" in page.locator("#trend-table").inner_text()  # 11 / 25 in 2024

    page.goto(f"{base}/indicators/MR-01?plan=500240-children-2021&year=2024")
    page.locator("#chart-breakdown canvas").first.wait_for(state="attached", timeout=10000)
    page.locator('#breakdown-links a[data-by="village"]').click()
    page.wait_for_url("**by=village*")
    assert page.locator("#breakdown-table").get_attribute("data-by") == "village"
    assert "城南社区" in page.locator("#breakdown-table").inner_text()
    page.locator("#chart-breakdown canvas").first.wait_for(state="attached", timeout=10000)
    assert errors == []
