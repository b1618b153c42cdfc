"""Targets and early warning (indicators.md §C): reading a plan's written target, and the
status rules for each direction — increase, decrease, ≥ n / ≤ n / < n / = n, controlled,
band — with the reason people see."""

import pytest

from caseflow.indicators.status import Rule, evaluate, read_target


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("提高", ("increase", None)),
        ("增加", ("increase", None)),
        ("降低", ("decrease", None)),
        ("减少", ("decrease", None)),
        ("下降", ("decrease", None)),
        ("得到控制", ("controlled", None)),
        ("保持合理比例", ("band", None)),
        ("≥ 93", ("ge", 93.0)),
        (">=85", ("ge", 85.0)),
        ("< 0.1", ("lt", 0.1)),
        ("＜0.1", ("lt", 0.1)),  # full-width, as printed in 大渡口区's table
        ("≤5", ("le", 5.0)),
        (">50", ("gt", 50.0)),
        ("100", ("eq", 100.0)),
    ],
)
def test_read_target(text, expected):
    assert read_target(text) == expected


def test_an_unreadable_target_is_refused():
    with pytest.raises(ValueError):
        read_target("尽快")


def rule(direction, text, value=None, **kw):
    return Rule(direction=direction, text=text, value=value, **kw)


def status(rule_, series, year=2025):
    return evaluate(rule_, series, year)


def test_no_value_is_no_data():
    result = status(rule("increase", "提高"), {2020: 30.0, 2024: 31.0})
    assert result.code == "no_data" and "2025" in result.reason


# --- increase -------------------------------------------------------------------------


def test_increase_met_above_the_baseline():
    result = status(rule("increase", "提高"), {2020: 30.0, 2025: 33.0})
    assert result.code == "met"
    assert "2020" in result.reason and "33" in result.reason


def test_increase_three_years_falling_is_at_risk_even_above_the_baseline():
    series = {2020: 30.0, 2022: 40.0, 2023: 39.0, 2024: 38.0, 2025: 37.0}
    result = status(rule("increase", "提高"), series)
    assert result.code == "at_risk"
    assert result.reason == "3 years falling, target 提高"


def test_increase_below_the_baseline_and_falling_is_off_track():
    result = status(rule("increase", "提高"), {2020: 30.0, 2024: 29.5, 2025: 29.0})
    assert result.code == "off_track"


def test_increase_below_the_baseline_but_rising_is_on_track():
    result = status(rule("increase", "提高"), {2020: 30.0, 2024: 25.0, 2025: 28.0})
    assert result.code == "on_track"


def test_a_large_swing_away_from_the_target_is_at_risk():
    # 40 → 28 is a 30% fall, over the 20% threshold; still below baseline 45.
    result = status(rule("increase", "提高"), {2020: 45.0, 2024: 40.0, 2025: 28.0})
    assert result.code == "at_risk"
    assert "30" in result.reason and "20" in result.reason


def test_the_swing_threshold_is_the_plans():
    series = {2020: 45.0, 2024: 40.0, 2025: 28.0}
    assert status(rule("increase", "提高", swing_percent=40.0), series).code == "off_track"


# --- decrease -------------------------------------------------------------------------


def test_decrease_three_years_rising_is_at_risk():
    series = {2020: 4.0, 2022: 3.8, 2023: 4.1, 2024: 4.5, 2025: 5.1}
    result = status(rule("decrease", "降低"), series)
    assert result.code == "at_risk"
    assert result.reason == "3 years rising, target 降低"


def test_decrease_met_below_the_baseline():
    assert status(rule("decrease", "降低"), {2020: 4.0, 2025: 3.0}).code == "met"


def test_decrease_without_earlier_values_cannot_be_judged_yet():
    result = status(rule("decrease", "降低"), {2025: 3.0})
    assert result.code == "on_track" and "no earlier year" in result.reason


def test_the_first_year_with_data_stands_in_for_a_missing_baseline():
    result = status(rule("decrease", "降低"), {2022: 5.0, 2025: 4.0})
    assert result.code == "met" and "2022" in result.reason


# --- controlled (得到控制 = not above the baseline year) ----------------------------------


def test_controlled_equal_to_the_baseline_is_met():
    assert status(rule("controlled", "得到控制"), {2020: 2.0, 2025: 2.0}).code == "met"


def test_controlled_above_the_baseline_is_off_track():
    result = status(rule("controlled", "得到控制"), {2020: 2.0, 2024: 2.1, 2025: 2.2})
    assert result.code == "off_track"


# --- numbers as written ---------------------------------------------------------------


def test_ge_met_when_reached():
    assert status(rule("ge", "≥ 93", 93.0), {2020: 88.0, 2025: 93.0}).code == "met"


def test_ge_on_track_when_the_pace_reaches_the_target_by_2030():
    # 80 → 85 in 5 years: 90 by 2030 would be short; 70 → 85 reaches 100.
    assert status(rule("ge", "≥ 93", 93.0), {2020: 80.0, 2025: 85.0}).code == "off_track"
    result = status(rule("ge", "≥ 93", 93.0), {2020: 70.0, 2025: 85.0})
    assert result.code == "on_track" and "2030" in result.reason


def test_lt_binding_target_of_the_plans():
    rule_ = rule("lt", "< 0.1", 0.1)
    assert status(rule_, {2020: 0.12, 2025: 0.09}).code == "met"
    # 0.12 → 0.118: 0.116 by 2030 at this pace, not below 0.1.
    assert status(rule_, {2020: 0.12, 2025: 0.118}).code == "off_track"
    # 0.12 → 0.1: not below 0.1 yet, but 0.08 by 2030 at this pace.
    assert status(rule_, {2020: 0.12, 2025: 0.1}).code == "on_track"
    assert status(rule_, {2020: 0.2, 2025: 0.12}).code == "on_track"


def test_le_and_gt():
    assert status(rule("le", "≤5", 5.0), {2025: 5.0}).code == "met"
    assert status(rule("gt", ">50", 50.0), {2025: 50.0}).code == "off_track"


def test_eq_100_coverage():
    rule_ = rule("eq", "100", 100.0)
    assert status(rule_, {2020: 50.0, 2025: 100.0}).code == "met"
    # 50 → 75 in 5 years reaches 100 by 2030.
    assert status(rule_, {2020: 50.0, 2025: 75.0}).code == "on_track"
    assert status(rule_, {2020: 50.0, 2025: 60.0}).code == "off_track"


def test_numbers_without_an_earlier_year_are_off_track_until_met():
    result = status(rule("ge", "≥ 93", 93.0), {2025: 80.0})
    assert result.code == "off_track" and "no earlier year" in result.reason


# --- band (保持合理比例, set by the plan owner) ------------------------------------------


def test_band_not_set_is_no_data_with_the_reason():
    result = status(rule("band", "保持合理比例"), {2025: 40.0})
    assert result.code == "no_data" and "band" in result.reason


def test_band_inside_is_met_outside_moving_in_is_on_track():
    rule_ = rule("band", "保持合理比例", band_low=35.0, band_high=65.0)
    assert status(rule_, {2025: 46.2}).code == "met"
    assert status(rule_, {2020: 20.0, 2025: 30.0}).code == "on_track"
    assert status(rule_, {2020: 20.0, 2025: 22.0}).code == "off_track"
    # Above the band and three years climbing further.
    series = {2022: 66.0, 2023: 67.0, 2024: 68.0, 2025: 69.0}
    assert status(rule_, series).code == "at_risk"
