"""The defects a walk through every page found, each with the check that would have caught
it: labels translated by their meaning in context, the case list's type kept across
filters with its states grouped by type, a refused 告诫书 number kept in its open form,
chart labels rounded by unit, the favicon, legal references from the rule pack and the
supervisor's workload linking to its cases."""

import json
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

from sqlalchemy import select

from caseflow import timeutil
from caseflow.config import ROOT, Config
from caseflow.extensions import db
from caseflow.indicators import catalogue
from caseflow.models import Case, Organisation, Referral
from caseflow.services import cases as case_service
from caseflow.workflows import ALL_STATES, WORKFLOWS
from tests.conftest import csrf_token, login, user
from tests.web.test_dv_pages import make_dv
from tests.web.test_legal_aid_pages import post_la
from tests.web.test_review import CHENGNAN, report

# --- one English word, two meanings: each label in its context ------------------------------


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def label_for(html: str, field_id: str) -> str:
    match = re.search(rf'<label[^>]*for="{field_id}"[^>]*>(.*?)</label>', html, re.S)
    assert match, field_id
    return text_of(match.group(1)).strip()


def test_date_filters_are_dates_and_state_columns_stay_states(client):
    login(client, "hotline")
    calls = client.get("/hotline/calls").get_data(as_text=True)
    assert (label_for(calls, "from"), label_for(calls, "to")) == ("起始日期", "截止日期")
    assert "原状态" not in calls and "新状态" not in calls
    # The workflow table's columns are a step's states: there "From"/"To" keep their words.
    diagram = client.get("/workflows/mandatory_report").get_data(as_text=True)
    assert "<th>原状态</th>" in diagram and "<th>新状态</th>" in diagram
    login(client, "auditor")
    log = client.get("/access-log").get_data(as_text=True)
    assert (label_for(log, "from"), label_for(log, "to")) == ("起始日期", "截止日期")


def test_a_referral_says_who_it_comes_from(client, clean):
    with clean.app_context():
        case = report("child_director", CHENGNAN)
        db.session.add(
            Referral(
                case=case,
                to_org=db.session.scalar(
                    select(Organisation).where(Organisation.name == "石柱县民政局")
                ),
                from_org=case.owner_org,
                reason="请协助评估监护情况。",
                status="sent",
                sent_at=timeutil.now(),
                sent_by_id=user("police").id,
            )
        )
        sender = case.owner_org.name
        db.session.commit()
    login(client, "civil_affairs")
    page = text_of(client.get("/referrals").get_data(as_text=True))
    assert f"来自 {sender}" in page
    assert "原状态" not in page


def test_the_hotline_speaks_of_calls_not_police_incidents(client):
    login(client, "hotline")
    form = client.get("/hotline/calls/new").get_data(as_text=True)
    legends = [text_of(x).strip() for x in re.findall(r"<legend[^>]*>(.*?)</legend>", form, re.S)]
    assert legends[0] == "来电"
    # The person concerned, if not the caller: not "the person themself, if not the caller".
    assert "当事人 如非来电人本人" in legends
    assert label_for(form, "received_at") == "来电时间"
    call_form = text_of(form.split('id="call-form"', 1)[1].split("</form>", 1)[0])
    assert "警情" not in call_form and "接警" not in call_form
    detail = client.get("/hotline/calls").get_data(as_text=True)
    assert "警情" not in text_of(detail.split("<main", 1)[-1].split("</nav>")[-1])
    # The caller's relation keeps "the person concerned themself" (当事人本人).
    assert '<option value="self">当事人本人</option>' in form
    # The police keep their words on their own form.
    login(client, "police")
    dv_form = client.get("/cases/new/dv_warning").get_data(as_text=True)
    assert "警情" in text_of(dv_form) and label_for(dv_form, "call_at").startswith("接警时间")


# --- the case list: type kept, a type selector, states grouped without repeats ---------------


def state_options(page: str) -> list[tuple[str, str, str]]:
    """(group, code, name) of the state selector's options."""
    select_html = page.split('id="state"', 1)[1].split("</select>", 1)[0]
    out = []
    for group, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select_html, re.S):
        for code, name in re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', body):
            out.append((unescape(group), code, unescape(name)))
    return out


def test_the_type_is_a_filter_the_form_keeps(client):
    login(client, "legal_aid")
    page = client.get("/cases?type=legal_aid").get_data(as_text=True)
    form = page.split('<form method="get"', 1)[1].split("</form>", 1)[0]
    # The type is one of the form's fields: any filter sent from the form keeps it.
    assert re.search(r'<select[^>]*id="type"[^>]*name="type"', form)
    assert '<option value="legal_aid" selected>' in form
    for name in WORKFLOWS:
        assert f'<option value="{name}"' in form
    # With a type chosen, only its states are offered, each once.
    options = state_options(page)
    assert [code for _g, code, _n in options] == list(WORKFLOWS["legal_aid"].states)


def test_the_state_list_is_grouped_by_type_without_repeats(client):
    login(client, "supervisor")
    options = state_options(client.get("/cases").get_data(as_text=True))
    codes = [code for _g, code, _n in options]
    names = [name for _g, _c, name in options]
    assert sorted(codes) == sorted(ALL_STATES)  # every state, once
    assert len(set(names)) == len(names), names  # no name twice (已结案 once, not four times)
    groups = {g for g, _c, _n in options}
    assert {"强制报告", "法律援助", "多种类型共有的状态"} <= groups
    assert ("多种类型共有的状态", "closed", "已结案") in options


def test_filters_sent_with_a_type_list_that_type_only(client, clean):
    with clean.app_context():
        report("child_director", CHENGNAN)
        db.session.commit()
    dv_id = make_dv(clean, "incident_logged")
    login(client, "supervisor")
    page = client.get("/cases?type=dv_warning&urgent=0&state=").get_data(as_text=True)
    with clean.app_context():
        dv_number = db.session.get(Case, dv_id).number
        mr_number = db.session.scalar(select(Case.number).where(Case.type == "mandatory_report"))
    assert dv_number in page and mr_number not in page


# --- a refused 告诫书 number: the message in Chinese, the form open, every field kept ---------


def test_a_used_warning_number_keeps_the_form_open_with_what_was_typed(client, clean):
    first = make_dv(clean, "warning_issued")
    second = make_dv(clean, "incident_logged")
    with clean.app_context():
        used = db.session.get(Case, first).dv_incident.warning_number
        version = db.session.get(Case, second).version
        issued = timeutil.to_local(timeutil.now() - timedelta(minutes=5))
    login(client, "police")
    token = csrf_token(client, f"/cases/{second}")
    facts = "王某因琐事推搡受害人，致其手臂擦伤。"
    prohibition = "禁止王某对受害人实施家庭暴力。"
    response = client.post(
        f"/cases/{second}/actions/issue_warning",
        data={
            "csrf_token": token,
            "issue_warning-version": str(version),
            "issue_warning-warning_number": used,
            "issue_warning-issued_at": issued.strftime("%Y-%m-%dT%H:%M"),
            "issue_warning-facts": facts,
            "issue_warning-prohibition": prohibition,
            "issue_warning-abuser_address": "城南社区（测试）",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "该告诫书文号已被使用。" in page
    assert "warning_number" not in text_of(page)
    assert re.search(r'<details class="action" data-trigger="issue_warning"\s+open', page)
    form = page.split('data-trigger="issue_warning"', 1)[1].split("</details>", 1)[0]
    assert f'value="{used}"' in form
    assert facts in form and prohibition in form
    assert 'value="城南社区（测试）"' in form
    assert issued.strftime("%Y-%m-%dT%H:%M") in form
    with clean.app_context():
        assert db.session.get(Case, second).state == "incident_logged"


# --- chart labels rounded by unit -----------------------------------------------------------


def test_chart_values_are_rounded_by_unit():
    assert catalogue.rounded(3.9603960396039604, "%") == 3.96
    assert catalogue.rounded(1.23456, "‰") == 1.23
    assert catalogue.rounded(30.26, "hours") == 30.3
    assert catalogue.rounded(7.0, "cases") == 7 and isinstance(catalogue.rounded(7.0, "cases"), int)
    assert catalogue.rounded(2.5, "persons") == 2.5
    assert catalogue.rounded(None, "%") is None


def test_the_indicator_charts_carry_rounded_values(client, clean):
    # One of three reports accepted: a rate of 33.333…%.
    with clean.app_context():
        cases = [report("child_director", CHENGNAN) for _ in range(3)]
        case_service.fire(user("police"), cases[0], "accept", {}, cases[0].version)
        db.session.commit()
    login(client, "statistician")
    year = timeutil.to_local(timeutil.now()).year
    page = client.get(f"/indicators?year={year}").get_data(as_text=True)
    charts = json.loads(re.search(r'id="indicator-charts">(.*?)</script>', page, re.S).group(1))
    values = [v for chart in charts for v in chart["values"] if v is not None]
    assert values, "no chart drew a value"
    for value in values:
        assert round(value, 2) == value, value
    assert not re.search(r"\d+\.\d{3,}", json.dumps([c["values"] for c in charts]))


# --- the favicon ---------------------------------------------------------------------------


def test_the_favicon_is_served(client):
    first = client.get("/favicon.ico")
    assert first.status_code == 302
    with client.get(first.headers["Location"]) as response:
        assert response.status_code == 200
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
        assert "immutable" in response.headers["Cache-Control"]


# --- legal references from the rule pack ----------------------------------------------------


def test_no_template_hard_codes_the_means_test_article():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "Art. 32 (4)" not in text and "第32条第4项" not in text, path


def test_the_legal_aid_pages_cite_the_rule_pack(client, clean, tmp_path):
    login(client, "hotline")
    assert post_la(client, means_test_exempt_reason="domestic_violence").status_code == 302
    with clean.app_context():
        case_id = db.session.scalar(select(Case.id).where(Case.type == "legal_aid"))
    page = text_of(client.get(f"/cases/{case_id}").get_data(as_text=True))
    assert "法律援助法第32条第4项" in page
    # A county's pack that cites the provision otherwise is what the pages say.
    text = Path(Config.RULE_PACK).read_text(encoding="utf-8")
    pack = tmp_path / "county.toml"
    pack.write_text(
        text.replace(
            'cite = "法律援助法第32条第4项"', 'cite = "《法律援助法》第三十二条第（四）项"'
        ),
        encoding="utf-8",
    )
    original = clean.config["RULE_PACK"]
    clean.config["RULE_PACK"] = str(pack)
    try:
        page = text_of(client.get(f"/cases/{case_id}").get_data(as_text=True))
        form = text_of(client.get("/cases/new/legal_aid").get_data(as_text=True))
    finally:
        clean.config["RULE_PACK"] = original
    assert "《法律援助法》第三十二条第（四）项" in page
    assert "《法律援助法》第三十二条第（四）项" in form


# --- the workload rows open their cases ----------------------------------------------------


def test_workload_rows_link_to_their_filtered_lists(client, clean):
    with clean.app_context():
        mine = report("child_director", CHENGNAN)
        case_service.fire(user("police"), mine, "accept", {}, mine.version)
        report("child_director", CHENGNAN, child="马小花")
        db.session.commit()
        owner_org = mine.owner_org_id
    login(client, "supervisor")
    page = client.get("/review").get_data(as_text=True)
    table = page.split('id="workload-org"', 1)[1].split("</table>", 1)[0]
    row = re.search(rf'<tr data-org="{owner_org}">(.*?)</tr>', table, re.S).group(1)
    cell = re.search(r'data-col="open">(.*?)</td>', row, re.S).group(1)
    link = unescape(re.search(r'href="([^"]+)"', cell).group(1))
    count = int(text_of(cell))
    assert f"owner_org={owner_org}" in link and "open=1" in link
    listed = client.get(link).get_data(as_text=True)
    numbers = set(re.findall(r"/cases/\d+\">([A-Z]+-\d+-\d+)<", listed))
    with clean.app_context():
        expected = {
            c.number
            for c in db.session.scalars(select(Case).where(Case.owner_org_id == owner_org))
            if c.is_open
        }
    assert count >= 1 and numbers == expected and len(numbers) == count
    # Per worker: a row for the cases nobody is assigned to opens them too.
    workers = page.split('id="workload-worker"', 1)[1].split("</table>", 1)[0]
    assert "owner=none" in unescape(workers)
