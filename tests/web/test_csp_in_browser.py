"""Pages under the Content-Security-Policy in a real Chromium: the workflow diagram
(Mermaid) draws, the protection-order form's script toggles the proxy's fields, the
printable document's button prints, and the browser reports no CSP violation."""

import pytest

from tests.web.test_dv_pages import make_dv
from tests.web.test_indicators_in_browser import log_in


def watch(page) -> list[str]:
    """Console errors and CSP violations of the page (the favicon the app has none of aside)."""
    problems: list[str] = []

    def console(msg):
        if msg.type == "error" and "favicon" not in (msg.location or {}).get("url", ""):
            problems.append(msg.text)

    page.on("console", console)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "(window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    return problems


def violations(page) -> list:
    return page.evaluate("window.__csp || []")


@pytest.mark.browser
def test_scripts_work_under_the_csp(live_server, browser, clean):
    case_id = make_dv(clean, state="warning_issued")
    base = live_server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = watch(page)
    log_in(page, base, "police")

    page.goto(f"{base}/workflows/mandatory_report")
    page.locator("#diagram svg").wait_for(state="attached", timeout=15000)
    assert page.locator("#diagram svg .node").count() > 3
    assert violations(page) == []

    page.goto(f"{base}/cases/new/protection_order")
    proxy = page.locator("#proxy-fields")
    page.select_option("#applicant_role", "victim")
    assert proxy.is_hidden()
    page.select_option("#applicant_role", "womens_federation")
    assert proxy.is_visible()
    assert violations(page) == []

    page.goto(f"{base}/cases/{case_id}/documents/warning")
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.click("button[data-print]")
    assert page.evaluate("window.__printed === true")
    assert violations(page) == []
    assert problems == []
