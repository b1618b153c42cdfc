"""In a real Chromium: the 告诫书 prints on one A4 page (printed to PDF with the print CSS,
pages counted by poppler's pdfinfo), the print views fit a 360 px phone without sideways
scrolling and speak Chinese only, and the hotline form's Alt+D does what its hint says."""

import re
import shutil
import subprocess

from tests.web.test_dv_pages import make_dv, make_po
from tests.web.test_report_in_browser import log_in

PDFINFO = shutil.which("pdfinfo")

# A 告诫书 of the length a station writes: facts of some 200 characters, a prohibition.
LONG_FACTS = (
    "2026年3月2日21时许，张大勇因家庭琐事与妻子李红梅发生争吵，用拳头击打李红梅面部和手臂，"
    "并将其推倒在地，致其面部、手臂软组织挫伤。民警接警后到场制止，李红梅经县人民医院诊治。"
    "张大勇对上述事实供认不讳。经查，张大勇此前曾因家庭纠纷对李红梅实施殴打，经社区调解。"
)
LONG_PROHIBITION = (
    "禁止张大勇对李红梅实施殴打、威胁、辱骂、跟踪、骚扰等家庭暴力行为；"
    "禁止张大勇接触、骚扰李红梅的近亲属。"
)


def _pages(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([PDFINFO, str(path)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return int(re.search(r"^Pages:\s+(\d+)", out.stdout, re.M).group(1))


def test_the_warning_letter_prints_on_one_a4_page(live_server, browser, clean, tmp_path):
    # scripts/test.sh installs both on a fresh machine.
    assert PDFINFO, "pdfinfo missing: apt-get install poppler-utils"
    assert (
        "Noto Serif CJK"
        in subprocess.run(["fc-list"], capture_output=True, text=True, timeout=30).stdout
    ), "the Chinese fonts are missing: apt-get install fonts-noto-cjk"
    from caseflow.extensions import db
    from caseflow.models import Case

    dv_id = make_dv(clean, "warning_issued")
    with clean.app_context():
        incident = db.session.get(Case, dv_id).dv_incident
        # The letter as stations write them: the test's facts are longer than the helper's.
        db.session.execute(
            db.update(type(incident))
            .where(type(incident).case_id == dv_id)
            .values(warning_facts=LONG_FACTS, warning_prohibition=LONG_PROHIBITION)
        )
        db.session.commit()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server, "police")
    page.goto(f"{live_server}/cases/{dv_id}/documents/warning")
    assert page.locator("#facts").inner_text().startswith("2026年3月2日")
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=False)
    assert _pages(pdf, tmp_path) == 1
    # The page the PDF was made from holds the unit, the seal, the date and the signature
    # line, and the printed copy has no toolbar.
    for selector in (".issuer", ".seal", "#issued-on", ".note"):
        assert page.locator(selector).count() == 1, selector
    page.emulate_media(media="print")
    assert page.locator(".toolbar").is_hidden()
    page.close()


def test_print_views_fit_a_phone_and_speak_chinese(live_server, browser, clean):
    dv_id = make_dv(clean, "warning_issued")
    po_id = make_po(clean, "in_force")
    for username, views in (
        ("police", [f"/cases/{dv_id}/documents/warning"]),
        (
            "court_liaison",
            [
                f"/cases/{po_id}/documents/application",
                f"/cases/{po_id}/documents/application?copy=respondent",
                f"/cases/{po_id}/documents/service",
            ],
        ),
    ):
        page = browser.new_page(viewport={"width": 360, "height": 740})
        log_in(page, live_server, username)
        for view in views:
            page.goto(f"{live_server}{view}")
            assert page.locator(".sheet").count() == 1, view
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, (view, width)
            assert page.locator("[data-print]").inner_text() == "打印", view
            text = page.locator("body").inner_text()
            assert not re.search(r"\b(Print|Back to the case)\b", text), view
        page.close()


def test_alt_d_ticks_the_danger_box_as_the_hint_says(live_server, browser, clean):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server, "hotline")
    page.goto(f"{live_server}/hotline/calls/new")
    hint = page.locator("#keyboard-hint").inner_text()
    danger_label = page.locator("label[for='danger']").inner_text()
    assert "Alt+D" in hint and "勾选" in hint
    # The hint names the box by the words of its label.
    assert danger_label.split("Alt")[0].strip() in hint
    assert not page.is_checked("#danger")
    page.focus("#summary")
    page.keyboard.press("Alt+d")
    assert page.is_checked("#danger")
    assert page.locator("#danger-alert").is_visible()
    page.keyboard.press("Alt+d")  # and unticks it
    assert not page.is_checked("#danger")
    # Alt+P, Alt+C and Alt+S move to the fields the hint names.
    for key, field in (("p", "caller_phone"), ("c", "category"), ("s", "summary")):
        page.keyboard.press(f"Alt+{key}")
        assert page.evaluate("document.activeElement.id") == field, key
    page.close()
