"""No silent defaults for facts: the sex has 未知 and nothing pre-selected; no place or
relation is pre-selected unless the user has exactly one choice (forms/people.py,
forms/places.py, forms/domestic_violence.py)."""

import re

from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import Case
from tests.conftest import csrf_token, login


def options(page: str, select_id: str) -> list[tuple[str, bool]]:
    """(value, selected) of each option of one <select>."""
    block = re.search(rf'<select[^>]*id="{re.escape(select_id)}"[^>]*>(.*?)</select>', page, re.S)
    assert block, f"no select #{select_id}"
    return [
        (value, "selected" in attributes)
        for attributes, value in (
            (m.group(0), m.group(1))
            for m in re.finditer(r'<option[^>]*value="([^"]*)"[^>]*>', block.group(1))
        )
    ]


def selected(page, select_id):
    return [value for value, chosen in options(page, select_id) if chosen]


def test_the_report_form_preselects_no_sex_and_offers_unknown(client):
    login(client, "child_director")
    page = client.get("/cases/new/mandatory_report").get_data(as_text=True)
    values = [v for v, _ in options(page, "subject-sex")]
    assert values == ["", "F", "M", "U"]
    assert selected(page, "subject-sex") in ([], [""])


def test_the_police_form_preselects_no_village_and_no_relation(client):
    login(client, "police")
    page = client.get("/cases/new/dv_warning").get_data(as_text=True)
    assert len(options(page, "jurisdiction")) > 2
    assert selected(page, "jurisdiction") in ([], [""])
    assert selected(page, "abuser-relation") in ([], [""])
    assert selected(page, "subject-sex") in ([], [""])


def test_a_user_with_one_village_has_it_chosen(client):
    login(client, "child_director")  # the director of one village
    page = client.get("/cases/new/mandatory_report").get_data(as_text=True)
    assert [v for v, chosen in options(page, "jurisdiction") if chosen] == ["500240001001"]


def test_a_child_of_unknown_sex_is_stored_without_a_sex(client, clean):
    login(client, "child_director")
    token = csrf_token(client, "/cases/new/mandatory_report")
    response = client.post(
        "/cases/new/mandatory_report",
        data={
            "csrf_token": token,
            "subject-name": "冉小雨",
            "subject-sex": "U",
            "jurisdiction": "500240001001",
            "reporter_org_type": "village_committee",
            "discovered_at": "2026-11-30T09:00",
            "child_safety": "unknown",
            "description": "入户走访时发现儿童身上有多处淤青。",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with clean.app_context():
        case = db.session.scalar(select(Case))
        assert case.subject.sex is None
    missing = client.post(
        "/cases/new/mandatory_report",
        data={"csrf_token": token, "subject-name": "冉小雨", "jurisdiction": "500240001001"},
    )
    assert missing.status_code == 422
