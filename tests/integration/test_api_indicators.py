"""The indicator API: the plan's table, breakdowns, figures reported by the responsible
units and reviewed by the statistician (shared/domain/indicators.md, design/api.md)."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import IndicatorSubmission
from tests.conftest import api_token

WOMEN = "500240-women-2021"
CHILDREN = "500240-children-2021"
COUNTY = "500240"
VILLAGE = "500240001001"  # 城南社区
LOCAL = timeutil.local_zone()


class Api:
    def __init__(self, client):
        self.client = client
        self.app = client.application
        self.headers = {}

    def auth(self, username):
        if username not in self.headers:
            self.headers[username] = api_token(self.client, username)
        return self.headers[username]

    def get(self, username, path, **params):
        return self.client.get(path, headers=self.auth(username), query_string=params)

    def post(self, username, path, body=None, **kwargs):
        if body is not None:
            kwargs["json"] = body
        return self.client.post(path, headers=self.auth(username), **kwargs)

    def count(self) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(IndicatorSubmission))

    def submit(self, username, status=201, **body):
        response = self.post(username, "/api/v1/indicator-submissions", body)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()

    def review(self, username, submission_id, status=200, **body):
        response = self.post(
            username, f"/api/v1/indicator-submissions/{submission_id}/review", body
        )
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()

    def table(self, username="statistician", status=200, **params):
        response = self.get(username, "/api/v1/indicators", **params)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()

    def rows(self, username="statistician", **params) -> dict:
        return {row["code"]: row for row in self.table(username, **params)["rows"]}


@pytest.fixture
def api(client):
    # The last complete monitoring year is 2025 for every test.
    timeutil.set_clock(datetime(2026, 3, 1, 10, 0, tzinfo=LOCAL))
    return Api(client)


def assert_error(response, status, code, fields=()):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    for name in fields:
        assert name in error["fields"], error
    return error


def figure(code="W-LAW-01", year=2025, **rest):
    body = {"code": code, "year": year, "jurisdiction": COUNTY}
    if not {"value", "numerator", "denominator"} & set(rest):
        body.update(numerator=12, denominator=26)
    body.update(rest)
    return body


# --- the table --------------------------------------------------------------------------


def test_the_womens_plan_lists_the_law_targets_of_the_seeds(api):
    data = api.table(plan=WOMEN, year="2025")
    assert data["plan"]["code"] == WOMEN
    assert data["plan"]["jurisdiction"]["code"] == COUNTY
    assert (data["plan"]["baseline_year"], data["plan"]["end_year"]) == (2020, 2030)
    assert data["year"] == 2025
    assert data["jurisdiction"] == {"code": COUNTY, "name": "石柱土家族自治县", "level": "county"}
    rows = {row["code"]: row for row in data["rows"]}
    assert {"W-LAW-01", "W-LAW-02", "W-LAW-03", "W-LAW-05"} <= set(rows)
    for code in ("W-LAW-01", "W-LAW-02", "W-LAW-03"):
        assert rows[code]["target"]["text"] == "保持合理比例"
        assert rows[code]["target"]["direction"] == "band"
    assert rows["W-LAW-05"]["target"]["text"] == "得到控制"
    assert rows["W-LAW-01"]["name"] == "女性检察官占比"
    assert rows["W-LAW-01"]["source"] == "submitted"
    assert rows["W-LAW-01"]["section"] == "妇女与法律"
    # No figure reported yet: nothing to show, and the status says so.
    assert rows["W-LAW-01"]["value"] is None
    assert rows["W-LAW-01"]["display"] == "—"
    assert rows["W-LAW-01"]["status"]["code"] == "no_data"
    assert set(rows["W-LAW-01"]["series"]) == {str(y) for y in range(2020, 2026)}


def test_defaults_are_the_first_plan_of_the_county_and_last_year(api):
    data = api.table()
    assert data["plan"]["code"] == CHILDREN  # "…-children-…" sorts before "…-women-…"
    assert data["year"] == 2025
    assert data["jurisdiction"]["code"] == COUNTY
    # A township's child supervisor reads their own township under the county plan.
    data = api.table("child_supervisor")
    assert data["jurisdiction"]["code"] == "500240001"
    # …whose rows are the ones a child supervisor may count (no DV, no hotline).
    codes = {row["code"] for row in data["rows"]}
    assert "MR-01" in codes and not any(c.startswith(("DV-", "HL-")) for c in codes)


def test_a_reported_and_accepted_figure_is_in_the_table(api):
    sent = api.submit("data_procuratorate", **figure(note="2025年度"))
    assert sent["status"] == "submitted"
    assert sent["submitted_by"] == "data_procuratorate"
    assert sent["jurisdiction"] == COUNTY
    assert sent["revision"] == 1
    assert sent["value"] == pytest.approx(12 / 26 * 100)
    assert datetime.fromisoformat(sent["submitted_at"]).tzinfo is not None
    # Pending: not in use yet.
    assert api.rows(plan=WOMEN, year="2025")["W-LAW-01"]["value"] is None

    reviewed = api.review("statistician", sent["id"], decision="accept")
    assert reviewed["status"] == "accepted"
    assert reviewed["reviewed_by"] == "statistician"
    row = api.rows(plan=WOMEN, year="2025")["W-LAW-01"]
    assert row["value"] == pytest.approx(46.153846, rel=1e-6)
    assert (row["numerator"], row["denominator"]) == (12, 26)
    assert row["display"] == "46.15"
    assert row["series"]["2025"] == pytest.approx(46.153846, rel=1e-6)
    assert row["status"]["code"] in ("met", "on_track", "off_track", "at_risk")
    assert row["status"]["reason"]


def test_four_rising_years_against_a_decrease_target_warn(api):
    for year, numerator in ((2021, 30), (2022, 34), (2023, 39), (2024, 45)):
        sent = api.submit(
            "data_reporter", **figure("C-LAW-02", year, numerator=numerator, denominator=1000)
        )
        api.review("statistician", sent["id"], decision="accept")
    row = api.rows(plan=CHILDREN, year="2024")["C-LAW-02"]
    assert row["target"]["direction"] == "decrease"
    assert row["value"] == pytest.approx(4.5)
    assert row["series"]["2021"] == pytest.approx(3.0)
    assert row["status"]["code"] == "at_risk"
    assert "3" in row["status"]["reason"] and row["target"]["text"] in row["status"]["reason"]


@pytest.mark.parametrize(
    ("username", "params", "status", "code", "field"),
    [
        ("police", {}, 403, "forbidden", None),
        ("data_reporter", {}, 403, "forbidden", None),
        ("admin", {}, 403, "forbidden", None),
        ("statistician", {"plan": "nope"}, 404, "not_found", None),
        ("statistician", {"plan": "500101-women-2021"}, 404, "not_found", None),
        ("statistician", {"jurisdiction": "500101"}, 404, "not_found", None),
        ("statistician", {"jurisdiction": "999999"}, 422, "validation_failed", "jurisdiction"),
        ("child_supervisor", {"jurisdiction": COUNTY}, 404, "not_found", None),
        ("child_supervisor", {"jurisdiction": "500240101"}, 404, "not_found", None),
        ("statistician", {"year": "2019"}, 422, "validation_failed", "year"),
        ("statistician", {"year": "2031"}, 422, "validation_failed", "year"),
        ("statistician", {"year": "twenty"}, 422, "validation_failed", "year"),
        ("statistician", {"year": "2025.0"}, 422, "validation_failed", "year"),
        ("statistician", {"year": "9" * 40}, 422, "validation_failed", "year"),
        ("statistician", {"year": "２０２５"}, 422, "validation_failed", "year"),
        ("statistician", {"colour": "red"}, 422, "validation_failed", "colour"),
        ("statistician", {"plan": "a\x00b"}, 422, "validation_failed", "plan"),
        ("statistician", {"code": "MR-01"}, 422, "validation_failed", "by"),
        ("statistician", {"by": "village"}, 422, "validation_failed", "code"),
        ("statistician", {"code": "XX-99", "by": "village"}, 404, "not_found", None),
        ("statistician", {"code": "MR-01", "by": "colour"}, 422, "validation_failed", "by"),
        ("statistician", {"code": "W-LAW-01", "by": "sex"}, 422, "validation_failed", "by"),
        ("child_supervisor", {"code": "DV-01", "by": "sex"}, 403, "forbidden", None),
    ],
)
def test_table_refusals(api, username, params, status, code, field):
    response = api.get(username, "/api/v1/indicators", **params)
    assert_error(response, status, code, [field] if field else [])


def test_the_table_needs_a_token(api):
    response = api.client.get("/api/v1/indicators")
    assert_error(response, 401, "unauthorized")


def _mandatory_reports(api, count: int, village: str = VILLAGE):
    body = {
        "type": "mandatory_report",
        "jurisdiction": village,
        "reporter_org_type": "village_committee",
        "discovered_at": (timeutil.now() - timedelta(hours=2)).isoformat(),
        "situation_codes": [4],
        "guardian_is_suspect": False,
        "description": "入户走访时发现儿童身上有多处淤青。",
        "subject": {"name": "冉小雨", "sex": "F", "birth_date": "2015-03-08"},
    }
    for _ in range(count):
        response = api.post("child_director", "/api/v1/cases", body)
        assert response.status_code == 201, response.get_data(as_text=True)


def test_a_small_village_figure_is_hidden_from_the_statistician(api):
    timeutil.set_clock(datetime(2025, 6, 2, 9, 0, tzinfo=LOCAL))
    _mandatory_reports(api, 2)
    params = {"plan": CHILDREN, "year": "2025", "code": "MR-01", "by": "village"}

    data = api.table("statistician", **params)
    assert (data["code"], data["by"], data["year"]) == ("MR-01", "village", 2025)
    rows = {row["label"]: row for row in data["rows"]}
    hidden = rows["城南社区"]
    assert hidden["suppressed"] is True and hidden["display"] == "*"
    assert hidden["value"] is None and hidden["numerator"] is None
    assert hidden["denominator"] is None
    assert "2" not in {row["display"] for row in data["rows"]}
    # Its township rests on the same 2 reports, so the other township is hidden with it,
    # and every village of both, zeros included: nothing tells where the two are.
    assert {row["display"] for row in data["rows"]} == {"*"}

    shown = {row["label"]: row for row in api.table("supervisor", **params)["rows"]}
    assert shown["城南社区"]["value"] == 2 and shown["城南社区"]["display"] == "2"
    assert shown["城南社区"]["suppressed"] is False

    # The village's own table: the row, its parts and its trend are all hidden.
    table = api.rows("statistician", plan=CHILDREN, year="2025", jurisdiction=VILLAGE)
    row = table["MR-01"]
    assert row["suppressed"] is True and row["display"] == "*"
    assert row["value"] is None and row["numerator"] is None and row["denominator"] is None
    assert set(row["series"].values()) == {None}
    row = api.rows("supervisor", plan=CHILDREN, year="2025", jurisdiction=VILLAGE)["MR-01"]
    assert row["value"] == 2 and row["series"]["2025"] == 2
    # The county's figure rests on more than one village: shown to everyone.
    assert api.rows("statistician", plan=CHILDREN, year="2025")["MR-01"]["value"] == 2


# --- reporting figures ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "body", "status", "field"),
    [
        ("data_procuratorate", figure(colour="red"), 422, "colour"),
        ("data_procuratorate", figure(code="XX-99"), 422, "code"),
        ("data_procuratorate", figure(code=["W-LAW-01"]), 422, "code"),
        ("data_reporter", figure(code="MR-01", value=3), 422, "code"),
        ("data_procuratorate", figure(numerator=3, denominator=0), 422, "denominator"),
        ("data_procuratorate", figure(numerator=-3, denominator=10), 422, "numerator"),
        ("data_procuratorate", figure(value=-1), 422, "value"),
        ("data_procuratorate", figure(value=100.5), 422, "value"),
        ("data_procuratorate", figure(numerator=30, denominator=26), 422, "numerator"),
        ("data_procuratorate", figure(numerator=3), 422, "denominator"),
        ("data_procuratorate", figure(value=40, numerator=3, denominator=7), 422, "value"),
        ("data_procuratorate", figure(year=2019), 422, "year"),
        ("data_procuratorate", figure(year=2031), 422, "year"),
        ("data_procuratorate", figure(year="twenty"), 422, "year"),
        ("data_procuratorate", figure(year=2025.5), 422, "year"),
        ("data_procuratorate", figure(year=True), 422, "year"),
        ("data_procuratorate", figure(year=10**40), 422, "year"),
        ("data_procuratorate", figure(value="abc"), 422, "value"),
        ("data_procuratorate", figure(value=True), 422, "value"),
        ("data_procuratorate", figure(value=10**400), 422, "value"),
        ("data_procuratorate", figure(value="1e400"), 422, "value"),
        ("data_procuratorate", figure(value="NaN"), 422, "value"),
        ("data_procuratorate", figure(value="Infinity"), 422, "value"),
        ("data_procuratorate", figure(value=[40]), 422, "value"),
        ("data_procuratorate", figure(value={"v": 40}), 422, "value"),
        ("data_procuratorate", figure(numerator=1e13, denominator=2e13), 422, "numerator"),
        ("data_procuratorate", figure(jurisdiction="999999"), 422, "jurisdiction"),
        ("data_procuratorate", figure(jurisdiction=500240), 422, "jurisdiction"),
        ("data_procuratorate", figure(jurisdiction="5002\x0040"), 422, "jurisdiction"),
        ("data_procuratorate", figure(note="\ud800"), 422, "note"),
        ("data_procuratorate", figure(note="x" * 2001), 422, "note"),
        ("data_procuratorate", figure(note=["a"]), 422, "note"),
        ("data_procuratorate", {"year": 2025, "jurisdiction": COUNTY, "value": 3}, 422, "code"),
        # Not the responsible unit, or not a unit at all.
        ("data_court", figure(), 403, None),
        ("police", figure(), 403, None),
        ("statistician", figure(), 403, None),
        ("admin", figure(), 403, None),
        ("data_procuratorate", figure(jurisdiction="500101"), 403, None),
    ],
)
def test_bad_figures_are_refused_and_nothing_is_saved(api, username, body, status, field):
    before = api.count()
    response = api.post(username, "/api/v1/indicator-submissions", body)
    code = {403: "forbidden", 422: "validation_failed"}[status]
    assert_error(response, status, code, [field] if field else [])
    assert api.count() == before


def test_a_count_is_a_whole_number_and_a_count_has_no_ratio(api):
    before = api.count()
    response = api.post(
        "data_reporter", "/api/v1/indicator-submissions", figure("W-LAW-04", value=3.5)
    )
    assert_error(response, 422, "validation_failed", ["value"])
    assert api.count() == before


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"null",
        b"[]",
        b'"W-LAW-01"',
        b"42",
        b"{",
        b'{"code": "W-LAW-01",}',
        b"\xff\xfe",
        b'{"value": NaN}',
        b"[" * 5000 + b"]" * 5000,
    ],
)
def test_a_body_that_is_not_an_object_is_400(api, raw):
    before = api.count()
    response = api.client.post(
        "/api/v1/indicator-submissions",
        data=raw,
        headers=api.auth("data_procuratorate") | {"Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] in ("bad_request", "validation_failed")
    assert api.count() == before


FUZZ_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    10**20,
    -(10**30),
    1e308,
    -1e-320,
    "",
    " ",
    "12",
    "1e5",
    "-0",
    "0x10",
    "１２",
    "\x00",
    "\ud83d",
    "x" * 10_000,
    [],
    [1, 2],
    {},
    {"a": {"b": [1]}},
]
FUZZ_KEYS = ["code", "year", "jurisdiction", "value", "numerator", "denominator", "note"]


@pytest.mark.parametrize("key", FUZZ_KEYS)
def test_fuzzed_bodies_never_give_a_server_error(api, key):
    for value in FUZZ_VALUES:
        for base in (figure(), figure(value=40)):
            body = dict(base)
            body[key] = value
            response = api.post("data_procuratorate", "/api/v1/indicator-submissions", body)
            assert response.status_code in (201, 400, 403, 422), (key, value, response.data)


def test_fuzzed_reviews_and_queries_never_give_a_server_error(api):
    sent = api.submit("data_procuratorate", **figure())
    review = f"/api/v1/indicator-submissions/{sent['id']}/review"
    for value in FUZZ_VALUES:
        for body in ({"decision": value}, {"decision": "return", "note": value}):
            response = api.post("statistician", review, body)
            assert response.status_code in (200, 403, 409, 422), (value, response.data)
        text = str(value).encode("utf-8", "surrogatepass")  # a URL carries bytes
        with api.client.unchecked_request():  # hostile on purpose (empty values)
            listing = api.get(
                "statistician",
                "/api/v1/indicator-submissions",
                **{k: text for k in ("code", "year", "jurisdiction", "status", "page")},
            )
            assert listing.status_code in (200, 422), (value, listing.data)
            for name in ("year", "plan", "jurisdiction", "code", "by"):
                table = api.get("statistician", "/api/v1/indicators", **{name: text})
                assert table.status_code in (200, 404, 422), (name, value, table.data)


# --- review -----------------------------------------------------------------------------


def test_review_refusals(api):
    sent = api.submit("data_procuratorate", **figure())
    path = f"/api/v1/indicator-submissions/{sent['id']}/review"
    cases = [
        ("statistician", {"decision": "return"}, 422, "validation_failed", "note"),
        ("statistician", {"decision": "return", "note": "   "}, 422, "validation_failed", "note"),
        ("statistician", {"decision": "maybe"}, 422, "validation_failed", "decision"),
        ("statistician", {"decision": True}, 422, "validation_failed", "decision"),
        ("statistician", {}, 422, "validation_failed", "decision"),
        ("statistician", {"decision": "accept", "x": 1}, 422, "validation_failed", "x"),
        ("statistician", {"decision": "accept", "note": 5}, 422, "validation_failed", "note"),
        ("supervisor", {"decision": "accept"}, 403, "forbidden", None),
        ("data_procuratorate", {"decision": "accept"}, 403, "forbidden", None),
        ("police", {"decision": "accept"}, 404, "not_found", None),
    ]
    for username, body, status, code, field in cases:
        response = api.post(username, path, body)
        assert_error(response, status, code, [field] if field else [])
    for missing in (10**6, 2**31, 10**30, 0):
        response = api.post("statistician", f"/api/v1/indicator-submissions/{missing}/review", {})
        assert response.status_code == 404, missing
    with api.app.app_context():
        assert db.session.get(IndicatorSubmission, sent["id"]).status == "submitted"

    returned = api.review("statistician", sent["id"], decision="return", note="分母有误，请核对。")
    assert returned["status"] == "returned" and returned["review_note"] == "分母有误，请核对。"
    response = api.post("statistician", path, {"decision": "accept"})
    assert_error(response, 409, "invalid_transition")


def test_a_statistician_cannot_review_their_own_figure(api, client):
    # A statistician is never a responsible unit, so this only arises if one reported
    # through another path: the service refuses the same user either way.
    sent = api.submit("data_procuratorate", **figure())
    with api.app.app_context():
        row = db.session.get(IndicatorSubmission, sent["id"])
        from tests.conftest import user

        row.submitted_by = user("statistician")
        db.session.commit()
    response = api.post(
        "statistician", f"/api/v1/indicator-submissions/{sent['id']}/review", {"decision": "accept"}
    )
    assert_error(response, 403, "forbidden")


def test_revisions_replace_pending_ones_and_the_accepted_value_stays_in_use(api):
    first = api.submit("data_procuratorate", **figure(numerator=10, denominator=25))
    api.review("statistician", first["id"], decision="accept")
    second = api.submit("data_procuratorate", **figure(numerator=11, denominator=25))
    third = api.submit("data_procuratorate", **figure(numerator=12, denominator=25))
    assert (second["revision"], third["revision"]) == (2, 3)

    listing = api.get("statistician", "/api/v1/indicator-submissions", code="W-LAW-01")
    statuses = {item["revision"]: item["status"] for item in listing.get_json()["items"]}
    assert statuses == {1: "accepted", 2: "replaced", 3: "submitted"}
    # Until the statistician accepts revision 3, revision 1 is the figure in use.
    assert api.rows(plan=WOMEN, year="2025")["W-LAW-01"]["value"] == pytest.approx(40.0)
    response = api.post(
        "statistician",
        f"/api/v1/indicator-submissions/{second['id']}/review",
        {"decision": "accept"},
    )
    assert_error(response, 409, "invalid_transition")
    api.review("statistician", third["id"], decision="accept")
    assert api.rows(plan=WOMEN, year="2025")["W-LAW-01"]["value"] == pytest.approx(48.0)


# --- listing ----------------------------------------------------------------------------


def test_who_sees_which_submissions(api):
    api.submit("data_procuratorate", **figure())
    api.submit("data_court", **figure("W-LAW-02", numerator=15, denominator=31))
    api.submit("data_reporter", **figure("C-LAW-02", numerator=40, denominator=1000))

    data = api.get("statistician", "/api/v1/indicator-submissions").get_json()
    assert data["total"] == 3 and data["page"] == 1 and len(data["items"]) == 3
    assert {item["code"] for item in data["items"]} == {"W-LAW-01", "W-LAW-02", "C-LAW-02"}

    own = api.get("data_court", "/api/v1/indicator-submissions").get_json()
    assert [item["code"] for item in own["items"]] == ["W-LAW-02"]
    assert own["items"][0]["organisation"] == "石柱县人民法院"

    filtered = api.get(
        "statistician",
        "/api/v1/indicator-submissions",
        code="C-LAW-02",
        year="2025",
        jurisdiction=COUNTY,
        status="submitted",
    ).get_json()
    assert [item["code"] for item in filtered["items"]] == ["C-LAW-02"]
    assert (
        api.get("statistician", "/api/v1/indicator-submissions", year="2024").get_json()["total"]
        == 0
    )
    paged = api.get("statistician", "/api/v1/indicator-submissions", per_page="2", page="2")
    assert paged.get_json()["total"] == 3 and len(paged.get_json()["items"]) == 1

    for username in ("police", "supervisor", "child_director", "admin"):
        response = api.get(username, "/api/v1/indicator-submissions")
        assert_error(response, 403, "forbidden")
    for params, field in (
        ({"status": "lost"}, "status"),
        ({"code": "XX"}, "code"),
        ({"year": "20x5"}, "year"),
        ({"jurisdiction": "999"}, "jurisdiction"),
        ({"per_page": "500"}, "per_page"),
        ({"page": "0"}, "page"),
        ({"sort": "id"}, "sort"),
    ):
        response = api.get("statistician", "/api/v1/indicator-submissions", **params)
        assert_error(response, 422, "validation_failed", [field])


def test_the_document_describes_the_indicator_routes(api):
    spec = api.client.get("/api/v1/openapi.json").get_json()
    assert set(spec["paths"]["/api/v1/indicator-submissions"]) == {"get", "post"}
    request = spec["components"]["schemas"]["IndicatorSubmissionRequest"]
    assert set(request["properties"]) == {
        "code",
        "year",
        "jurisdiction",
        "value",
        "numerator",
        "denominator",
        "note",
    }
    assert request["additionalProperties"] is False
    row = spec["components"]["schemas"]["IndicatorRow"]["properties"]
    assert {"value", "display", "suppressed", "target", "status", "series"} <= set(row)
