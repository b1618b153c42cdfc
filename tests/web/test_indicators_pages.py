"""The indicator pages: the plan's table with status, the drill-down with small numbers
hidden in villages, the units' figure entry, the statistician's review, a target's band
and the workstation registry."""

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.indicators import submissions
from caseflow.models import IndicatorSubmission, Jurisdiction, Plan, PlanTarget
from caseflow.services import cases as case_service
from tests.conftest import csrf_token, login, user

CHENGNAN = "500240001001"  # a community of 南宾街道
XITUO = "500240101"


def place(code):
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


def report(code=CHENGNAN, sex="F"):
    data = {
        "jurisdiction_id": place(code).id,
        "intake_org_id": None,
        "reporter_org_type": "village_committee",
        "discovered_at": timeutil.now() - timedelta(hours=2),
        "situation_codes": [],
        "ongoing_danger": False,
        "guardian_is_suspect": False,
        "child_safety": "unknown",
        "urgent": False,
        "description": "入户走访时发现儿童身上有多处淤青。",
        "subject": {
            "name": "冉小雨",
            "sex": sex,
            "birth_date": None,
            "id_number": None,
            "phone": None,
            "address": None,
            "school": None,
        },
        "reporter": {"name": "谭春梅", "phone": "13800000001"},
    }
    return case_service.create_case(user("child_director"), "mandatory_report", data)


def accepted(username, code, figures):
    """Figures reported by `username` and accepted by the statistician."""
    with_app = db.session
    for year, (numerator, denominator) in figures.items():
        row = submissions.submit(
            user(username),
            {
                "code": code,
                "year": year,
                "jurisdiction": "500240",
                "numerator": numerator,
                "denominator": denominator,
            },
        )
        submissions.review(user("statistician"), row.id, accept=True)
    with_app.commit()


def count_submissions():
    return db.session.scalar(select(func.count()).select_from(IndicatorSubmission))


def text(response):
    return response.get_data(as_text=True)


def in_locale(client, *msgids):
    """The page's words for these msgids in the default (Chinese) locale."""
    from flask_babel import gettext

    with client.application.test_request_context():
        return [gettext(m) for m in msgids]


def this_year():
    return timeutil.to_local(timeutil.now()).year


# ------------------------------------------------------------------ access


def test_only_indicator_readers_open_the_pages(client):
    for username in ("police", "child_director", "data_reporter"):
        login(client, username)
        assert client.get("/indicators").status_code == 403, username
        assert client.get("/indicators/MR-01").status_code == 403, username
        assert "nav-indicators" not in text(client.get("/"))
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    for username in ("statistician", "supervisor", "child_supervisor"):
        login(client, username)
        response = client.get("/indicators")
        assert response.status_code == 200, username
        assert 'id="nav-indicators"' in text(response)
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_the_table_follows_the_plans_layout(client):
    login(client, "statistician")
    page = text(client.get("/indicators?plan=500240-women-2021&year=2025"))
    # 类别 / 序号 / 指标名称 / 2030年规划值 / 指标属性 / 责任单位, as the catalogue words them.
    for heading in in_locale(
        client, "Category", "No.", "Indicator name", "2030 target", "Attribute"
    ):
        assert f"<th>{heading}</th>" in page
    assert f"<th>{in_locale(client, 'Responsible unit')[0]}</th>" in page
    assert "女性检察官占比" in page
    assert "保持合理比例" in page
    assert "县检察院" in page
    assert "妇女与法律" in page
    # The case-derived rows come below, without a 2030 value of their own.
    assert 'id="case-table"' in page
    assert 'data-code="DV-01"' in page
    # The chart data is embedded for the script, and ECharts is served from here.
    assert 'type="application/json" id="indicator-charts"' in page
    assert "vendor/echarts/echarts.min.js" in page
    assert "cdn" not in page.lower()


def test_status_and_reason_of_a_rising_figure_against_a_lowering_target(client):
    with client.application.app_context():
        # C-LAW-02 (target 降低): three years rising after the baseline.
        accepted(
            "data_reporter",
            "C-LAW-02",
            {
                2020: (40, 1010),
                2022: (38, 1002),
                2023: (41, 998),
                2024: (45, 1005),
                2025: (52, 1012),
            },
        )
    login(client, "statistician")
    page = text(client.get("/indicators?plan=500240-children-2021&year=2025"))
    row = re.search(r'<tr data-code="C-LAW-02">.*?</tr>', page, re.S).group(0)
    assert "5.14" in row  # 52 / 1012 in ‰
    assert 'data-status="at_risk"' in row
    assert in_locale(client, "At risk")[0] in row  # 预警
    reason = re.search(r'class="small text-body-secondary status-reason">([^<]+)<', row)
    expected = in_locale(client, "%(n)d years rising, target %(target)s")[0]
    assert reason.group(1).strip() == expected % {"n": 3, "target": "降低"}
    # The chart gets the series, the year without a figure as null.
    charts = re.search(r'id="indicator-charts">(.*?)</script>', page, re.S).group(1)
    assert '"id": "C-LAW-02"' in charts or '"id":"C-LAW-02"' in charts.replace(" ", "")


def test_year_place_and_plan_outside_are_refused(client):
    login(client, "statistician")
    response = client.get("/indicators?year=1999")
    assert response.status_code == 400
    assert "2020—2030" in text(response)  # the Chinese message
    assert client.get("/indicators?year=abc").status_code == 400
    assert client.get("/indicators?jurisdiction=500101").status_code == 404  # 万州区
    assert client.get("/indicators?plan=500101-women-2021").status_code == 404
    assert (
        client.get("/indicators?plan=500240-women-2021&jurisdiction=500240101").status_code == 200
    )
    login(client, "child_supervisor")  # 南宾街道: the county is above their area
    assert client.get("/indicators?jurisdiction=500240").status_code == 404
    assert client.get("/indicators?jurisdiction=500240101").status_code == 404


# ------------------------------------------------------------------ drill-down


def test_drill_down_hides_small_village_numbers_from_the_statistician(client):
    with client.application.app_context():
        for _ in range(3):
            report()
        db.session.commit()
    year = this_year()
    login(client, "statistician")
    response = client.get(f"/indicators/MR-01?year={year}&by=village")
    assert response.status_code == 200
    page = text(response)
    row = re.search(r'<tr data-key="\d+"><td>城南社区</td>.*?</tr>', page, re.S).group(0)
    assert '<td class="value">*</td>' in row and ">3<" not in row
    # Nor in the chart's data: a hidden number is null there.
    charts = re.search(r'id="indicator-charts">(.*?)</script>', page, re.S).group(1)
    assert "城南社区" in charts or "\\u57ce\\u5357" in charts
    # By sex, even at the county: three girls are a small number, hidden with the zeros
    # beside them (a "0" for boys would tell it is three girls).
    page = text(client.get(f"/indicators/MR-01?year={year}&by=sex"))
    assert not re.search(r"<td class=\"value\">3</td>", page)
    assert len(re.findall(r"<td class=\"value\">\*</td>", page)) == 3
    assert 'id="suppression-method"' in page
    # The supervisor may see the identities there: the exact number.
    login(client, "supervisor")
    page = text(client.get(f"/indicators/MR-01?year={year}&by=village"))
    row = re.search(r'<tr data-key="\d+"><td>城南社区</td>.*?</tr>', page, re.S).group(0)
    assert '<td class="value">3</td>' in row
    # The village itself as the place: its trend is hidden too for the statistician.
    login(client, "statistician")
    page = text(client.get(f"/indicators/MR-01?year={year}&jurisdiction={CHENGNAN}&by=sex"))
    assert f'<tr data-year="{year}"><td>{year}</td><td>*</td>' in page


def test_drill_down_refuses_unknown_breakdowns_and_codes(client):
    login(client, "statistician")
    response = client.get("/indicators/MR-01?by=shoe_size")
    assert response.status_code == 400
    assert "shoe_size" in text(response)
    assert client.get("/indicators/XX-99").status_code == 404
    assert client.get("/indicators/MR-01?jurisdiction=500104").status_code == 404
    assert client.get("/indicators/MR-01?by=age").status_code == 200
    # Every breakdown of the indicator is offered as a link.
    page = text(client.get("/indicators/MR-01"))
    for name in ("sex", "age", "village", "township"):
        assert f'data-by="{name}"' in page


def test_drill_down_of_a_reported_figure_shows_its_history(client):
    with client.application.app_context():
        accepted("data_procuratorate", "W-LAW-01", {2024: (11, 25)})
    login(client, "supervisor")
    page = text(client.get("/indicators/W-LAW-01?plan=500240-women-2021&year=2024"))
    assert "女性检察官占比" in page
    assert 'id="history"' in page
    assert "秦正" in page  # who reported
    assert 'data-status="accepted"' in page
    assert "44" in page  # 11 / 25


# ------------------------------------------------------------------ figures


def post_figure(client, **fields):
    data = {
        "csrf_token": csrf_token(client, "/indicators/figures"),
        "code": "W-LAW-01",
        "year": "2024",
        "jurisdiction": "500240",
        "value": "",
        "numerator": "",
        "denominator": "",
        "note": "",
    }
    data.update(fields)
    return client.post("/indicators/figures", data=data)


def test_figure_form_errors_are_shown_and_nothing_is_saved(client):
    login(client, "data_procuratorate")
    with client.application.app_context():
        before = count_submissions()
    response = post_figure(client, numerator="3", denominator="0")
    assert response.status_code == 422
    assert in_locale(client, "The denominator cannot be 0.")[0] in text(response)
    response = post_figure(client, value="120")
    assert response.status_code == 422
    assert "is-invalid" in text(response)
    # C-LAW-02 is reported by the police, not the procuratorate.
    response = post_figure(client, code="C-LAW-02", value="3")
    assert response.status_code == 422
    response = post_figure(client, year="1990", value="40")
    assert response.status_code == 422
    response = post_figure(client, jurisdiction="500101", value="40")
    assert response.status_code == 422
    with client.application.app_context():
        assert count_submissions() == before


def test_a_unit_reports_a_figure_and_sees_it_listed(client):
    login(client, "data_procuratorate")
    page = text(client.get("/indicators/figures"))
    assert 'value="W-LAW-01"' in page and 'value="C-LAW-02"' not in page
    response = post_figure(client, numerator="9", denominator="24", note="年报口径")
    assert response.status_code == 302
    page = text(client.get("/indicators/figures"))
    assert 'data-status="submitted"' in page
    assert "37.5" in page
    with client.application.app_context():
        row = db.session.scalar(select(IndicatorSubmission))
        assert (row.code, row.year, row.numerator, row.denominator) == ("W-LAW-01", 2024, 9, 24)


def test_report_figures_page_is_for_responsible_units(client):
    for username in ("police", "statistician", "child_director"):
        login(client, username)
        assert client.get("/indicators/figures").status_code == 403, username
    login(client, "data_reporter")
    assert 'id="nav-figures"' in text(client.get("/indicators/figures"))


# ------------------------------------------------------------------ review


def pending(username="data_court", code="W-LAW-02", year=2025, figure=(16, 31)):
    row = submissions.submit(
        user(username),
        {
            "code": code,
            "year": year,
            "jurisdiction": "500240",
            "numerator": figure[0],
            "denominator": figure[1],
        },
    )
    db.session.commit()
    return row.id


def test_the_statistician_accepts_and_returns_figures(client):
    with client.application.app_context():
        accepted("data_court", "W-LAW-02", {2024: (16, 32)})
        first = pending()
        second = pending("data_justice", "W-LAW-03", 2025, (33, 104))
    login(client, "statistician")
    page = text(client.get("/indicators/review"))
    assert f'data-submission="{first}"' in page and f'data-submission="{second}"' in page
    assert "2024年：50" in page  # the year before, for comparison

    token = csrf_token(client, "/indicators/review")
    response = client.post(
        f"/indicators/review/{first}", data={"csrf_token": token, "decision": "accept"}
    )
    assert response.status_code == 302
    # Returning needs a reason.
    response = client.post(
        f"/indicators/review/{second}", data={"csrf_token": token, "decision": "return", "note": ""}
    )
    assert response.status_code == 422
    response = client.post(
        f"/indicators/review/{second}",
        data={"csrf_token": token, "decision": "return", "note": "分母应为在编人数"},
    )
    assert response.status_code == 302
    # Again: no longer awaiting review.
    response = client.post(
        f"/indicators/review/{first}", data={"csrf_token": token, "decision": "accept"}
    )
    assert response.status_code == 409
    assert (
        client.post(
            "/indicators/review/999999", data={"csrf_token": token, "decision": "accept"}
        ).status_code
        == 404
    )
    with client.application.app_context():
        assert db.session.get(IndicatorSubmission, first).status == "accepted"
        returned = db.session.get(IndicatorSubmission, second)
        assert (returned.status, returned.review_note) == ("returned", "分母应为在编人数")
    # The unit sees the reason.
    login(client, "data_justice")
    assert "分母应为在编人数" in text(client.get("/indicators/figures"))


def test_only_statisticians_review(client):
    with client.application.app_context():
        first = pending()
    login(client, "supervisor")
    assert client.get("/indicators/review").status_code == 403
    token = csrf_token(client, "/")
    response = client.post(
        f"/indicators/review/{first}", data={"csrf_token": token, "decision": "accept"}
    )
    assert response.status_code == 403
    with client.application.app_context():
        assert db.session.get(IndicatorSubmission, first).status == "submitted"


# ------------------------------------------------------------------ band and workstations


def band_target(code="W-LAW-03"):
    plan = db.session.scalar(select(Plan).where(Plan.code == "500240-women-2021"))
    target = db.session.scalar(
        select(PlanTarget).where(PlanTarget.plan_id == plan.id, PlanTarget.indicator_code == code)
    )
    return plan.id, target.id


def test_the_plan_owner_sets_a_band(client):
    with client.application.app_context():
        plan_id, target_id = band_target()
        _p, other_id = band_target("W-LAW-05")
    url = f"/indicators/plans/{plan_id}/targets/{target_id}/band"
    login(client, "statistician")
    assert client.get(url).status_code == 403
    login(client, "supervisor")
    page = text(client.get("/indicators?plan=500240-women-2021"))
    assert f"/indicators/plans/{plan_id}/targets/{target_id}/band" in page
    token = csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, "band_low": "70", "band_high": "30"})
    assert response.status_code == 422
    response = client.post(url, data={"csrf_token": token, "band_low": "abc", "band_high": "30"})
    assert response.status_code == 422
    response = client.post(url, data={"csrf_token": token, "band_low": "30", "band_high": "70"})
    assert response.status_code == 302
    page = text(client.get(url))
    assert "谭志强" in page and "30–70" in page
    # A target that is not 保持合理比例 has no band.
    other = f"/indicators/plans/{plan_id}/targets/{other_id}/band"
    response = client.post(other, data={"csrf_token": token, "band_low": "1", "band_high": "2"})
    assert response.status_code == 422
    assert (
        client.get(f"/indicators/plans/{plan_id + 999}/targets/{target_id}/band").status_code == 404
    )
    with client.application.app_context():
        target = db.session.get(PlanTarget, target_id)
        assert (target.band_low, target.band_high) == (30.0, 70.0)


def test_civil_affairs_keeps_the_workstation_registry(client):
    login(client, "police")
    assert client.get("/indicators/workstations").status_code == 403
    login(client, "civil_affairs")
    page = text(client.get("/indicators/workstations"))
    assert 'name="since-500240001"' in page and 'name="since-500240101"' in page
    token = csrf_token(client, "/indicators/workstations")
    response = client.post(
        "/indicators/workstations",
        data={"csrf_token": token, "since-500240001": "2022-06-01", "since-500240101": "not a day"},
    )
    assert response.status_code == 422
    future = (date.today() + timedelta(days=400)).isoformat()
    response = client.post(
        "/indicators/workstations",
        data={"csrf_token": token, "since-500240001": "2022-06-01", "since-500240101": future},
    )
    assert response.status_code == 422
    with client.application.app_context():
        assert place(XITUO).workstation_since is None
    response = client.post(
        "/indicators/workstations",
        data={
            "csrf_token": token,
            "since-500240001": "2022-06-01",
            "since-500240101": "2024-03-15",
        },
    )
    assert response.status_code == 302
    with client.application.app_context():
        assert place(XITUO).workstation_since == date(2024, 3, 15)
    # It feeds C-LAW-03: both townships covered by the end of 2024.
    login(client, "statistician")
    page = text(client.get("/indicators?plan=500240-children-2021&year=2024"))
    row = re.search(r'<tr data-code="C-LAW-03">.*?</tr>', page, re.S).group(0)
    assert ">100 " in row
