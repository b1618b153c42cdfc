"""Follow-up visit plans in the rule pack: [visit_plans.<type>] and per-jurisdiction overrides."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from caseflow.config import Config
from caseflow.deadlines.rules import RulePack, RulePackError, load
from tests.unit.test_calendar import CAL  # the seeded package calendar, no database

SH = ZoneInfo("Asia/Shanghai")
PLAN = {"after": "start_follow_up", "days": [30, 7, 90], "basis": "本地规则"}


def test_the_default_plans():
    pack = load(Config.RULE_PACK)
    assert pack.visit_plan("mandatory_report").days == (7, 30, 90)
    assert pack.visit_plan("protection_order").days == (7, 30, 90)
    dv = pack.visit_plan("dv_warning")
    # 查访 runs from the 告诫书's delivery (Art. 17 ¶2).
    assert (dv.after, dv.days) == ("deliver", (30, 90)) and "第17条第2款" in dv.basis
    assert pack.visit_plan("legal_aid") is None


def test_offsets_are_sorted_and_count_like_days_rules():
    plan = RulePack({"visit_plans": {"x": PLAN}}).visit_plan("x")
    assert plan.days == (7, 30, 90)
    start = datetime(2026, 11, 6, 15, 0, tzinfo=SH)  # Friday
    # 7 days → Fri 11-13, end of the day.
    assert plan.rule(0).due(start, SH, CAL).at == datetime(2026, 11, 14, tzinfo=SH)
    assert plan.rule(1).kind == "visit_due" and plan.rule(1).days == 30


def test_overrides_per_jurisdiction_most_specific_wins():
    pack = RulePack(
        {
            "visit_plans": {"x": PLAN},
            "overrides": {
                "500240": {"visit_plans": {"x": {"days": [14]}}},
                "500240001": {"visit_plans": {"x": {"days": []}}},
                "500241": {"visit_plans": {"y": {"after": "open", "days": [1], "basis": "b"}}},
            },
        }
    )
    assert pack.visit_plan("x", "500240").days == (14,)
    assert pack.visit_plan("x", "500240").after == "start_follow_up"
    assert pack.visit_plan("x", "500240/500240001") is None  # no plan there
    assert pack.visit_plan("x", "500241").days == (7, 30, 90)
    assert pack.visit_plan("y", "500241").days == (1,)
    assert pack.visit_plan("y", "500240") is None


@pytest.mark.parametrize(
    "raw",
    [
        {"days": [7], "basis": "b"},
        {"after": "", "days": [7], "basis": "b"},
        {"after": "t", "days": 7, "basis": "b"},
        {"after": "t", "days": [0], "basis": "b"},
        {"after": "t", "days": [True], "basis": "b"},
        {"after": "t", "days": [7.5], "basis": "b"},
        {"after": "t", "days": [7, 7], "basis": "b"},
        {"after": "t", "days": [7]},
    ],
)
def test_invalid_plans(raw):
    with pytest.raises(RulePackError):
        RulePack({"visit_plans": {"x": raw}})


def test_an_invalid_override_is_refused():
    with pytest.raises(RulePackError):
        RulePack({"visit_plans": {"x": PLAN}, "overrides": {"1": {"visit_plans": {"x": 3}}}})
    with pytest.raises(RulePackError):
        RulePack(
            {"visit_plans": {"x": PLAN}, "overrides": {"1": {"visit_plans": {"x": {"days": [-1]}}}}}
        )
