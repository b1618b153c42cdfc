"""Counts that reveal nothing (issue 12): the differencing attacks on small numbers, played
through the indicator API by a statistician (who may not see identities), on both engines.

The district (2025): 南宾街道 = 城南社区 21 reports + 红井社区 2; 西沱镇 = 西沱社区 3 +
云梯村 1, the 云梯村 child reported under situation 1. County: 27. On main the attacker
read 红井社区 as 南宾街道 − 城南社区, 西沱镇 as exactly 4 with its sex and age, and the
云梯村 child's situation from "<5" next to zeros.
"""

from datetime import date, datetime

import pytest

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.indicators import suppression
from tests.conftest import api_token
from tests.integration.test_indicators_compute import L, report

CHILDREN = "500240-children-2021"
COUNTY = "500240"
NANBIN, CHENGNAN, HONGJING = "500240001", "500240001001", "500240001002"
XITUO, XITUO_VILLAGE, YUNTI = "500240101", "500240101001", "500240101002"
TREE = {COUNTY: [NANBIN, XITUO], NANBIN: [CHENGNAN, HONGJING], XITUO: [XITUO_VILLAGE, YUNTI]}
NAMES = {
    "南宾街道": NANBIN,
    "城南社区": CHENGNAN,
    "红井社区": HONGJING,
    "西沱镇": XITUO,
    "西沱社区": XITUO_VILLAGE,
    "云梯村": YUNTI,
}
ADDITIVE = ("sex", "age", "reporter_type", "quarter", "month")


@pytest.fixture
def district(ctx):
    for i in range(21):
        report(CHENGNAN, sex="F" if i % 3 else "M", at=L(2025, 1 + i % 12, 3), situations=[4])
    report(HONGJING, at=L(2025, 3, 9), situations=[4])
    report(HONGJING, sex="M", at=L(2025, 7, 9), situations=[6], reporter="hospital")
    for month in (2, 5, 8):
        report(XITUO_VILLAGE, at=L(2025, month, 20), situations=[4])
    report(YUNTI, sex="M", born=date(2012, 4, 1), at=L(2025, 6, 1), situations=[1])
    db.session.commit()


@pytest.fixture
def api(client, district):
    timeutil.set_clock(datetime(2026, 3, 1, 10, 0, tzinfo=timeutil.local_zone()))
    headers = {who: api_token(client, who) for who in ("statistician", "supervisor")}

    def get(who="statistician", **params):
        response = client.get(
            "/api/v1/indicators",
            headers=headers[who],
            query_string={"plan": CHILDREN, "year": "2025", **params},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    return get


def total(api, place, who="statistician"):
    row = next(r for r in api(who, jurisdiction=place)["rows"] if r["code"] == "MR-01")
    return None if row["suppressed"] else row["value"]


def cells(api, place, by, who="statistician") -> dict:
    rows = api(who, jurisdiction=place, code="MR-01", by=by)["rows"]
    return {row["label"]: (None if row["suppressed"] else row["value"]) for row in rows}


# --- the three attacks -------------------------------------------------------------


def test_township_minus_village_no_longer_gives_the_small_village(api):
    # What a team member sees: the true figures.
    assert total(api, NANBIN, "supervisor") == 23
    assert cells(api, NANBIN, "village", "supervisor") == {"城南社区": 21, "红井社区": 2}
    # The statistician: 红井社区 is hidden, and so is 城南社区, so 23 − 21 is not there.
    villages = cells(api, NANBIN, "village")
    assert villages == {"城南社区": None, "红井社区": None}
    # The same cells from the county's list and from each village's own table.
    county_list = cells(api, COUNTY, "village")
    assert county_list["城南社区"] is None and county_list["红井社区"] is None
    assert total(api, CHENGNAN) is None and total(api, HONGJING) is None


def test_a_township_of_four_is_not_shown_nor_its_breakdowns(api):
    assert total(api, XITUO, "supervisor") == 4
    assert total(api, XITUO) is None
    # Nor the county minus the other township.
    assert total(api, COUNTY) == 27
    assert cells(api, COUNTY, "township") == {"南宾街道": None, "西沱镇": None}
    for by in ("sex", "age", "situation", "reporter_type", "quarter", "month", "village"):
        shown = {k: v for k, v in cells(api, XITUO, by).items() if v is not None}
        assert shown == {}, (by, shown)


def test_a_single_child_next_to_zeros_is_not_placed(api):
    truth = cells(api, YUNTI, "situation", "supervisor")
    assert sum(1 for v in truth.values() if v) == 1 and len(truth) == 9
    # On main: "<5" for situation 1 and "0" for the eight others. Now no cell is shown.
    assert set(cells(api, YUNTI, "situation").values()) == {None}
    assert set(cells(api, YUNTI, "sex").values()) == {None}


# --- the attacker, generally --------------------------------------------------------------


def test_no_hidden_cell_can_be_worked_out_from_any_answer(api):
    """Every answer the API gives a statistician, for every place and breakdown, against
    the three ways of differencing: parent minus children, breakdown against total, and the
    same category across a parent and its children."""
    places = [COUNTY, *TREE[COUNTY], *TREE[NANBIN], *TREE[XITUO]]
    totals = {p: total(api, p) for p in places}
    breakdowns = {(p, by): cells(api, p, by) for p in places for by in (*ADDITIVE, "situation")}
    truth = {(p, by): cells(api, p, by, "supervisor") for p in places for by in ADDITIVE}

    def derivable(shown_total, members: dict) -> list:
        """What an attacker gets from a total and its parts: the one hidden part, if only
        one is hidden."""
        hidden = [k for k, v in members.items() if v is None]
        if shown_total is None or len(hidden) != 1:
            return []
        return hidden

    found = []
    for parent, children in TREE.items():
        children_shown = {c: totals[c] for c in children}
        found += derivable(totals[parent], children_shown)
    for (place, by), members in breakdowns.items():
        if by != "situation":
            found += [(place, by, k) for k in derivable(totals[place], members)]
        shown = [v for v in members.values() if v is not None]
        hidden = [k for k, v in members.items() if v is None]
        # Hidden cells are never all zeros found out from the total: their sum is not 0.
        if hidden and by != "situation" and totals[place] is not None:
            assert totals[place] - sum(shown) > 0, (place, by)
    for parent, children in TREE.items():
        for by in ADDITIVE:
            for key, value in breakdowns[(parent, by)].items():
                across = {c: breakdowns[(c, by)].get(key) for c in children}
                found += [(parent, by, key, c) for c in derivable(value, across)]
    assert found == []
    # And what is shown is true.
    for (place, by), members in breakdowns.items():
        for key, value in members.items():
            if value is not None and by != "situation":
                assert value == truth[(place, by)][key], (place, by, key)


def test_the_page_and_chart_data_hide_the_same_cells(client, api):
    from tests.conftest import login

    login(client, "statistician")
    page = client.get(
        "/indicators/MR-01",
        query_string={"plan": CHILDREN, "year": "2025", "jurisdiction": NANBIN, "by": "village"},
    ).get_data(as_text=True)
    assert 'id="suppression-method"' in page
    assert "1至4件的数字" in page
    # The bar chart's data: null for both villages, never 21 or 2.
    assert '"values": [null, null]' in page
    # The trend of the township hides the year too.
    assert 'data-year="2025"><td>2025</td><td>*</td>' in page


# --- the method itself ----------------------------------------------------------------------


def grid(**sizes):
    return {k: suppression.Cell(v, 0 < v < suppression.SMALL) for k, v in sizes.items()}


def test_a_lone_small_cell_takes_the_smallest_other_one_and_the_zeros():
    cells_ = grid(a=2, b=40, c=9, d=0)
    primary = {k for k, c in cells_.items() if c.small}
    assert suppression.solve(cells_, [("t", list(cells_))], primary) == {"a", "c", "d"}


def test_a_group_without_a_small_cell_is_untouched():
    cells_ = grid(a=5, b=40, d=0)
    assert suppression.solve(cells_, [("t", list(cells_))], set()) == set()


def test_a_residual_is_the_first_complement():
    cells_ = grid(a=2, b=40, c=9, r=7)
    hidden = suppression.solve(cells_, [("t", list(cells_))], {"a"}, free=frozenset({"r"}))
    assert hidden == {"a", "r"}


def test_hiding_spreads_down_the_tree_to_a_fixed_point():
    # county = T1 + T2; T1 = v1 + v2; T2 = v3 + v4. Only v1 is small.
    cells_ = grid(county=60, T1=23, T2=37, v1=3, v2=20, v3=30, v4=7)
    groups = [("county", ["T1", "T2"]), ("T1", ["v1", "v2"]), ("T2", ["v3", "v4"])]
    assert suppression.solve(cells_, groups, {"v1"}, fixed=frozenset({"county"})) == {
        "v1",
        "v2",
    }
    # A small township: the other township goes too, and then the villages of both.
    cells_ = grid(county=60, T1=4, T2=56, v1=3, v2=1, v3=30, v4=26)
    hidden = suppression.solve(cells_, groups, {"T1", "v1", "v2"}, fixed=frozenset({"county"}))
    assert hidden == {"T1", "T2", "v1", "v2", "v3", "v4"}


# --- quarters and months of the same year ---------------------------------------------------


@pytest.fixture
def seasons(ctx):
    """A small quarter (Q2: two reports in April, none in May and June) whose complement
    (Q3, the smallest other quarter) must not be given back by its months, while the
    months' own complement falls elsewhere (November: the smallest other month)."""
    per_month = {1: 30, 2: 30, 3: 30, 4: 2, 5: 0, 6: 0}
    for month in range(1, 13):
        for day in range(per_month.get(month, 10)):
            report(CHENGNAN, at=L(2025, month, 1 + day % 28, 8 + day // 28))
    db.session.commit()


def test_the_months_of_a_quarter_do_not_give_back_a_hidden_quarter(seasons, client):
    timeutil.set_clock(datetime(2026, 3, 1, 10, 0, tzinfo=timeutil.local_zone()))
    headers = api_token(client, "statistician")

    def cells_(place, by):
        response = client.get(
            "/api/v1/indicators",
            headers=headers,
            query_string={
                "plan": CHILDREN,
                "year": "2025",
                "jurisdiction": place,
                "code": "MR-01",
                "by": by,
            },
        )
        assert response.status_code == 200
        return [None if r["suppressed"] else r["value"] for r in response.get_json()["rows"]]

    for place in (COUNTY, NANBIN, CHENGNAN):
        quarters, months = cells_(place, "quarter"), cells_(place, "month")
        assert len(quarters) == 4 and len(months) == 12
        assert quarters[1] is None and months[3] is None  # Q2 and April: small
        for q, value in enumerate(quarters):
            inside = months[3 * q : 3 * q + 3]
            hidden = sum(1 for m in inside if m is None)
            if value is None:
                assert hidden >= 1, (place, q, inside)  # else the months add up to it
            else:
                assert hidden != 1, (place, q, inside)  # else the quarter minus two months
