"""Phones, keyboards and screen readers, in Chromium over the demo district with its cases:
the header collapses behind one menu button at 360 px (at most 56 px tall) and every
role's menu fits one row at 1280 px; axe-core finds no serious or critical violation on
any main page of any role; no page but a diagram page moves more than 300 KB on a first
visit, and the diagram library loads only on the diagram pages.

axe-core is vendored in tests/web/vendor (never served by the app): the test serves it
to the page from the page's own origin, so the page's CSP stays as it is."""

import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from caseflow.extensions import db
from tests.conftest import PASSWORD, purge
from tests.web.conftest import CHROMIUM

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
ROLES = (
    "child_director",
    "child_supervisor",
    "civil_affairs",
    "police",
    "court_liaison",
    "legal_aid",
    "hotline",
    "womens_federation",
    "supervisor",
    "statistician",
    "admin",
    "justice_bureau",
    "data_reporter",
    "committee",
    "institution_reporter",
    "assisting_org",
    "auditor",
)
LIMIT = 300 * 1024


@pytest.fixture(scope="module")
def demo(app):
    """The demo district with its cases, for the whole module (the pages only read it)."""
    from caseflow.demo import seed

    with app.app_context():
        purge()
        seed(with_cases=True)
        db.session.commit()
    yield app
    with app.app_context():
        purge()


@pytest.fixture(scope="module")
def server(demo):
    httpd = make_server("127.0.0.1", 0, demo, threaded=True)
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


def session(chromium, server, role, width=1280, height=800):
    context = chromium.new_context(
        viewport={"width": width, "height": height},
        base_url=server,
        service_workers="block",
    )
    context.route(
        "**/__axe__.js",
        lambda route: route.fulfill(body=AXE, content_type="text/javascript"),
    )
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", role)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    return context, page


def header_height(page) -> float:
    return page.evaluate("document.querySelector('nav.navbar').getBoundingClientRect().height")


def test_the_header_collapses_on_a_phone_and_fits_one_row_on_a_desktop(chromium, server):
    for role in ROLES:
        context, page = session(chromium, server, role)
        # 1280 px: every item of the menu on one row, and the header one row high.
        tops = page.evaluate(
            "Array.from(document.querySelectorAll('#main-menu > ul > li'))"
            ".map(li => Math.round(li.getBoundingClientRect().top))"
        )
        assert len(tops) >= 3 and len(set(tops)) == 1, (role, tops)
        assert header_height(page) <= 56, role
        assert page.is_hidden("#menu-button")
        # 360 px: one menu button, the header at most 56 px tall.
        page.set_viewport_size({"width": 360, "height": 740})
        assert header_height(page) <= 56, role
        assert page.is_visible("#menu-button") and page.is_hidden("#main-menu")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, role
        page.click("#menu-button")
        page.wait_for_selector("#main-menu.show")
        assert page.is_visible("#main-menu a[href='/cases']")
        assert page.get_attribute("#menu-button", "aria-expanded") == "true"
        context.close()


def axe_violations(page) -> list:
    page.add_script_tag(url="/__axe__.js")
    return page.evaluate(
        """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => [v.id, v.impact, v.nodes.slice(0, 3).map(n => n.target.join(' '))]))"""
    )


def main_pages(page) -> list[str]:
    """The pages of this role's menu, and the first case of its list."""
    links = page.evaluate(
        "Array.from(new Set(Array.from(document.querySelectorAll('nav a[href^=\"/\"]'))"
        ".map(a => a.getAttribute('href'))))"
    )
    pages = [href for href in links if not href.startswith("/lang")]
    page.goto("/cases")
    first = page.locator("main a[href^='/cases/']").first
    if first.count():
        pages.append(first.get_attribute("href"))
    return pages


def test_no_serious_accessibility_violation_on_any_main_page_of_any_role(chromium, server):
    """Each page of every role's menu, checked once (by the first role that has it), and
    the case page as each role sees it (its actions differ)."""
    found, checked = {}, set()
    for role in ROLES:
        context, page = session(chromium, server, role)
        for href in main_pages(page):
            key = href if not href.startswith("/cases/") or "/new/" in href else (role, href)
            if key in checked:
                continue
            checked.add(key)
            page.goto(href)
            violations = axe_violations(page)
            if violations:
                found[(role, href)] = violations
        context.close()
    assert found == {}


@pytest.mark.parametrize(
    "role,paths",
    [
        (
            "child_director",
            ["/", "/cases", "/cases/new/mandatory_report", "/referrals", "/notifications"],
        ),
        ("hotline", ["/hotline/calls/new", "/hotline/calls"]),
        # The indicator pages draw charts (ECharts, 335 KB gzipped): diagram pages too.
        ("supervisor", ["/review", "/access-log", "/admin/rules", "/deadlines/calculator"]),
    ],
)
def test_no_page_moves_more_than_300_kb_on_a_first_visit(chromium, server, role, paths):
    """Each page opened in a browser with nothing cached (a new context, logged in without
    loading a page): what the network moved, headers and bodies as sent."""
    for path in paths:
        context, fresh = _fresh_session(chromium, server, role)
        moved = []
        fresh.on(
            "requestfinished",
            lambda request, moved=moved: moved.append(
                (
                    request.url,
                    request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"],
                )
            ),
        )
        fresh.goto(path)
        fresh.wait_for_load_state("networkidle")
        total = sum(size for _url, size in moved)
        assert total <= LIMIT, (path, total, sorted(moved, key=lambda m: -m[1])[:5])
        assert not any("mermaid" in url for url, _size in moved), path
        context.close()


def _fresh_session(chromium, server, role):
    """Logged in with the API of the page (no page load), so the browser's cache is empty
    when the measured page is opened."""
    context = chromium.new_context(
        viewport={"width": 360, "height": 740}, base_url=server, service_workers="block"
    )
    login = context.request.get("/login").text()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    answer = context.request.post(
        "/login", form={"csrf_token": token, "username": role, "password": PASSWORD}
    )
    assert answer.ok
    return context, context.new_page()


def test_the_diagram_library_loads_only_on_the_diagram_pages(chromium, server):
    context, page = _fresh_session(chromium, server, "supervisor")
    loaded = []
    page.on("requestfinished", lambda request: loaded.append(request.url))
    page.goto("/workflows/mandatory_report")
    page.wait_for_selector("#diagram svg")
    assert any("mermaid.min.js?v=" in url for url in loaded)
    response = page.request.get(next(url for url in loaded if "mermaid" in url))
    assert "immutable" in response.headers["cache-control"]
    assert response.headers.get("content-encoding") == "gzip"
    context.close()


def test_the_hotline_matches_sit_above_or_beside_the_save_button(chromium, server):
    context, page = session(chromium, server, "hotline", width=360, height=740)
    page.goto("/hotline/calls/new")
    matches = page.locator("#matches").bounding_box()
    save = page.locator("#save-call").bounding_box()
    # On a phone: just above the button.
    assert matches["y"] + matches["height"] <= save["y"] <= matches["y"] + matches["height"] + 80
    page.set_viewport_size({"width": 1280, "height": 800})
    matches = page.locator("#matches").bounding_box()
    form = page.locator("#call-form").bounding_box()
    save = page.locator("#save-call").bounding_box()
    # On a desktop: beside the form, the button under it.
    assert matches["x"] >= form["x"] + form["width"] and save["x"] < matches["x"]
    context.close()
