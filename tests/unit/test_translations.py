"""The Chinese catalog (caseflow/translations/zh_Hans_CN) is complete and in step with the code.

Every user-facing string is an English msgid. Chinese is the default locale, so a msgid that
is missing from the catalog, untranslated or fuzzy shows up in English on a Chinese page.
When this test fails after you add or change a string, update the catalogs:

    .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext \
        -o caseflow/translations/messages.pot .
    .venv/bin/pybabel update -i caseflow/translations/messages.pot -d caseflow/translations
    # translate the new entries in zh_Hans_CN/LC_MESSAGES/messages.po, remove "fuzzy" flags
    .venv/bin/pybabel compile -d caseflow/translations
"""

import re
import subprocess
import sys

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from caseflow import create_app, vocab
from caseflow.config import ROOT, TestConfig

TRANSLATIONS = ROOT / "caseflow" / "translations"
ZH_PO = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"

# %(name)s, %(max)d, %s, %%: the conversions Python's % operator understands.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


def read_catalog(path):
    with path.open("rb") as f:
        return read_po(f)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def zh():
    return read_catalog(ZH_PO)


def test_every_message_is_translated(zh):
    assert not zh.fuzzy, "the catalog header is marked fuzzy"
    messages = [m for m in zh if m.id]
    assert messages
    untranslated = [m.id for m in messages if not m.string or not str(m.string).strip()]
    fuzzy = [m.id for m in messages if m.fuzzy]
    plural = [m.id for m in messages if m.pluralizable]
    assert not untranslated, f"untranslated in zh_Hans_CN: {untranslated}"
    assert not fuzzy, f"fuzzy in zh_Hans_CN: {fuzzy}"
    # Chinese has one plural form; nothing uses ngettext yet. If that changes, check all forms.
    assert not plural, f"plural messages need their own check: {plural}"


def test_placeholders_are_kept(zh):
    wrong = {
        m.id: m.string for m in zh if m.id and placeholders(m.id) != placeholders(str(m.string))
    }
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"
    errors = [(m.id, [str(e) for e in errs]) for m, errs in zh.check()]
    assert not errors, errors


def test_translations_are_chinese(zh):
    latin_only = [m.id for m in zh if m.id and not re.search(r"[\u4e00-\u9fff]", str(m.string))]
    assert not latin_only, f"msgstr without any Chinese: {latin_only}"


def test_situations_use_the_wording_of_article_4_without_numbers(zh):
    for number, label in vocab.SITUATIONS.items():
        text = str(zh.get(label._args[0]).string)
        assert not text.startswith(("（", "(")), (number, text)
        assert text.endswith("的"), (number, text)
    assert str(zh.get(vocab.SITUATIONS[1]._args[0]).string) == (
        "未成年人的生殖器官或隐私部位遭受或疑似遭受非正常损伤的"
    )
    assert str(zh.get(vocab.SITUATIONS[9]._args[0]).string) == (
        "其他严重侵害未成年人身心健康的情形或未成年人正在面临不法侵害危险的"
    )


def test_catalogs_cover_every_string_in_the_sources(zh, tmp_path):
    pot = tmp_path / "messages.pot"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "--quiet",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    extracted = {m.id for m in read_catalog(pot) if m.id}
    assert len(extracted) > 100, "extraction found almost nothing: check babel.cfg"
    for path in (ZH_PO, EN_PO):
        known = {m.id for m in read_catalog(path) if m.id}
        missing = sorted(extracted - known, key=str)
        assert not missing, (
            f"strings in the code but not in {path.relative_to(ROOT)} "
            f"(run pybabel extract/update and translate them): {missing}"
        )


@pytest.fixture(scope="module")
def compiled():
    """The .mo files are not in git; compile them if they are missing or older than the .po."""
    for po in (ZH_PO, EN_PO):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            catalog = read_catalog(po)
            with mo.open("wb") as f:
                write_mo(f, catalog)


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [("zh-CN,zh;q=0.9", "我的工作台"), ("zh", "我的工作台"), ("en-GB,en;q=0.9", "My work")],
)
def test_the_app_speaks_the_requested_language(compiled, accept_language, expected):
    from flask_babel import gettext

    app = create_app(TestConfig)
    with app.test_request_context("/api/v1/me", headers={"Accept-Language": accept_language}):
        assert gettext("My work") == expected
        if expected == "My work":
            assert str(vocab.ROLES["child_director"]) == "Child director (village)"
        else:
            assert str(vocab.ROLES["child_director"]) == "儿童主任（村级）"


def test_pages_are_chinese_whatever_the_browser_says(compiled):
    """Chinese first: an English browser still gets Chinese pages until the user switches."""
    from flask_babel import gettext

    app = create_app(TestConfig)
    with app.test_request_context("/cases", headers={"Accept-Language": "en-US,en;q=0.9"}):
        assert gettext("My work") == "我的工作台"
