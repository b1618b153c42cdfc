"""Every main page, as each role, in Chinese: no English words of the interface and no
internal codes (a raw enum value such as `mandatory_report`, a field name such as
`warning_number`) in what a reader sees.

The check is built from the project's own vocabularies rather than a guess at what
English looks like: the English words are those of the English catalog's msgids (the
interface's own English), the codes are every key of caseflow/vocab.py, every case type,
state, step and deadline kind, and every form field name. Visible text is the page's text
outside <script>/<style>, plus the attributes a reader sees (title, placeholder,
aria-label, alt, a button's value). Left out: what is typed rather than read (<code>,
<kbd>, a command in `backticks`), a diagram's source (<pre class="mermaid">, replaced by
the drawing with the states' names) and what is marked translate="no" (the accounts'
login names: data, not interface).
"""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from babel.messages.pofile import read_po

from caseflow import vocab
from caseflow.config import ROOT
from caseflow.demo import USERS, seed
from caseflow.extensions import db
from caseflow.forms import ACTION_FORMS, CREATE_FORMS
from caseflow.workflows import WORKFLOWS
from tests.conftest import login, purge

EN_PO = ROOT / "caseflow" / "translations" / "en" / "LC_MESSAGES" / "messages.po"

# Latin text a Chinese page may show: the product's name, keys on the keyboard, the
# hotline numbers' letters, file formats, units and the codes of the plans' indicators.
ALLOWED_WORDS = {
    "caseflow",
    "alt",
    "ctrl",
    "enter",
    "tab",
    "shift",
    "esc",
    "pdf",
    "xlsx",
    "csv",
    "json",
    "api",
    "openapi",
    "toml",
    "sha",
    "hmac",
    "id",
    "ip",
    "utc",
    "gb",
    "kb",
    "mb",
    "png",
    "jpeg",
    "jpg",
    "mp3",
    "mp4",
    "wav",
    "ogg",
    "amr",
    "m4a",
    "mov",
    "3gp",
    "webm",
    "heic",
    "exif",
    "gps",
    "ocr",
}
# Links a crawl must not follow: they end the session, change the language or download.
SKIP = re.compile(
    r"^/(logout|lang|api/|static/|favicon)|/attachments/\d+|/export|\.xlsx|/download|"
    r"[?&](format=json|lang=)"
)
PAGES_PER_ROLE = 45
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
HIDDEN_TAGS = ("script", "style", "template", "code", "kbd")


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.skipping: list[str] = []
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if (
            tag in HIDDEN_TAGS
            or attrs.get("translate") == "no"
            or (tag == "pre" and "mermaid" in (attrs.get("class") or ""))
        ):
            self.skip += 1
            self.skipping.append(tag)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in VISIBLE_ATTRIBUTES:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if self.skipping and tag == self.skipping[-1]:
            self.skipping.pop()
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible(html: str) -> tuple[str, list[str]]:
    parser = _Visible()
    parser.feed(html)
    return " ".join(parser.parts), parser.links


def _english_words() -> set[str]:
    with EN_PO.open("rb") as f:
        catalog = read_po(f)
    words = set()
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for text in ids:
            # Placeholders are not words of the text.
            text = re.sub(r"%\([^)]*\)[a-z]|%[a-z]", " ", text or "")
            words.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", text))
    return words - ALLOWED_WORDS


def _codes() -> set[str]:
    codes = set()
    for name in dir(vocab):
        value = getattr(vocab, name)
        if name.isupper() and isinstance(value, dict):
            codes.update(k for k in value if isinstance(k, str))
    for name, workflow in WORKFLOWS.items():
        codes.add(name)
        codes.update(workflow.states)
        codes.update(step.trigger for step in workflow.steps)
        for step in workflow.steps:
            codes.update(step.opens)
    for form_class in (*ACTION_FORMS.values(), *CREATE_FORMS.values()):
        codes.update(n for n in dir(form_class) if not n.startswith("_") and "_" in n)
    # A code is recognisable as one when it joins words with "_"; a plain word such as
    # "phone" is caught as an English word instead.
    return {c for c in codes if "_" in c and re.fullmatch(r"[a-z0-9_]+", c)}


ENGLISH = _english_words()
CODES = _codes()
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def problems(text: str) -> set[str]:
    found = set()
    text = re.sub(r"`[^`]*`", " ", text)
    for token in WORD.findall(text):
        lower = token.lower()
        if token in CODES or (re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", token)):
            found.add(token)
        elif len(token) >= 3 and lower in ENGLISH and not token.isupper():
            found.add(token)
    return found


def test_the_check_sees_english_and_codes():
    """The detector itself: it would have caught the defects the walk found."""
    assert problems("原状态 南宾派出所") == set()
    assert problems("warning_number: 该告诫书文号已被使用。") == {"warning_number"}
    assert problems("类型 mandatory_report") == {"mandatory_report"}
    assert problems("打印 / Print") == {"Print"}
    assert problems("按键 Alt+D · Ctrl+Enter · 12338 · DV-01 · caseflow") == set()
    assert "mandatory_report" in CODES and "warning_number" in CODES


@pytest.fixture(scope="module")
def demo(app):
    with app.app_context():
        purge()
        seed(with_cases=True)
        db.session.commit()
    yield app
    with app.app_context():
        purge()


# Where each crawl starts: my work, and the case list of each type (so the case pages and
# print views of every type are reached, not only the newest cases').
STARTS = ["/", *(f"/cases?type={name}" for name in WORKFLOWS)]
# Pages of one record (a case, a call, a user's reads) visited per route: enough to see
# each type's sections without walking every record.
PER_RECORD_ROUTE = 6


def _crawl(client):
    """(visited urls, [(url, problems)]) of the pages reachable from STARTS, a few pages per
    route."""
    seen_kinds: dict = {}
    queue, visited, report = list(STARTS), set(), []
    adapter = client.application.url_map.bind("localhost")
    while queue and len(visited) < PAGES_PER_ROLE:
        url = queue.pop(0)
        if url in visited:
            continue
        visited.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        text, links = visible(response.get_data(as_text=True))
        found = problems(text)
        if found:
            report.append((url, sorted(found)))
        for href in links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc not in ("", "localhost") or SKIP.search(parts.path + "?" + parts.query):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            try:
                endpoint, values = adapter.match(parts.path, method="GET")
            except Exception:
                continue
            # One page per route (and per query-string shape), so every role's crawl
            # reaches many kinds of page in its budget.
            kind = (endpoint, tuple(sorted(values)), bool(parts.query))
            limit = PER_RECORD_ROUTE if values else 1
            if seen_kinds.get(kind, 0) >= limit or path in visited:
                continue
            seen_kinds[kind] = seen_kinds.get(kind, 0) + 1
            queue.append(path)
    return visited, report


@pytest.mark.parametrize("username", [u[0] for u in USERS])
def test_no_english_and_no_codes_on_any_page_in_chinese(demo, username):
    client = demo.test_client()
    assert login(client, username).status_code in (200, 302)
    visited, report = _crawl(client)
    assert len(visited) > 1, "the crawl reached no page"
    assert not report, f"{username}: English or codes on Chinese pages: {report}"
