"""Deadline arithmetic (caseflow.deadlines.calendar) and rule packs (caseflow.deadlines.rules).

The expected dates below were worked out by hand against the 2026 State Council holiday
notice as packaged in chinesecalendar 1.11.0:
- 国庆节 2026: 10-01 (Thu) … 10-07 (Wed) off; 10-08 (Thu) is the first working day after;
  Saturday 10-10 is a 调休 working day.
- Sunday 2026-09-20 is a 调休 working day (before 中秋/国庆).
- 2031 has no data in the package.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from caseflow.config import Config
from caseflow.deadlines.calendar import (
    CalendarUnavailable,
    add_days,
    add_hours,
    is_working_day,
)
from caseflow.deadlines.rules import Rule, RulePack, RulePackError, load

SH = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=SH)


# --- the holiday data the expectations rely on ------------------------------------------


def test_the_package_data_matches_what_the_expectations_assume():
    assert chinese_calendar.is_holiday(date(2026, 10, 1))
    assert chinese_calendar.is_holiday(date(2026, 10, 7))
    assert chinese_calendar.is_workday(date(2026, 10, 8))
    assert chinese_calendar.is_workday(date(2026, 10, 10))  # Saturday, 调休
    assert chinese_calendar.is_workday(date(2026, 9, 20))  # Sunday, 调休
    assert not chinese_calendar.is_workday(date(2026, 10, 17))  # an ordinary Saturday
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2031, 3, 8))


def test_is_working_day():
    assert is_working_day(date(2026, 11, 2))  # Monday
    assert not is_working_day(date(2026, 11, 1))  # Sunday
    assert not is_working_day(date(2026, 10, 1))  # 国庆
    assert is_working_day(date(2026, 10, 10))  # 调休 Saturday
    with pytest.raises(CalendarUnavailable):
        is_working_day(date(2031, 1, 6))


# --- hours ------------------------------------------------------------------------------


def test_hours_count_from_the_minute_seconds_dropped():
    due = add_hours(local(2026, 11, 23, 14, 30, 45, 123456), 72)
    assert due.at == local(2026, 11, 26, 14, 30)
    assert due.note is None


def test_24_hours():
    assert add_hours(local(2026, 11, 23, 23, 59, 59), 24).at == local(2026, 11, 24, 23, 59)


def test_hours_ignore_holidays_and_weekends():
    # Statutory hours run through 国庆 and the weekend alike.
    assert add_hours(local(2026, 9, 30, 18, 0), 72).at == local(2026, 10, 3, 18, 0)


def test_hours_keep_the_instant_whatever_the_zone():
    start = datetime(2026, 11, 23, 6, 30, 10, tzinfo=UTC)  # 14:30:10 in Shanghai
    assert add_hours(start, 24).at == local(2026, 11, 24, 14, 30)


# --- days -------------------------------------------------------------------------------


def test_days_exclude_the_start_day_and_end_at_local_midnight_after_the_last_day():
    # Monday 2026-11-02 10:15 + 3 days: Tue, Wed, Thu → ends Friday 00:00.
    due = add_days(local(2026, 11, 2, 10, 15), 3, SH)
    assert due.at == local(2026, 11, 6, 0, 0)
    assert due.note is None
    assert due.at.utcoffset() == SH.utcoffset(datetime(2026, 11, 6))


def test_days_start_late_at_night_still_exclude_only_that_day():
    assert add_days(local(2026, 11, 2, 23, 59), 3, SH).at == midnight(date(2026, 11, 6))
    assert add_days(local(2026, 11, 2, 0, 0), 3, SH).at == midnight(date(2026, 11, 6))


def test_days_use_the_local_date_not_the_utc_date():
    # 2026-11-01 17:00 UTC is 2026-11-02 01:00 in Shanghai: the start day is the 2nd.
    due = add_days(datetime(2026, 11, 1, 17, 0, tzinfo=UTC), 3, SH)
    assert due.at == midnight(date(2026, 11, 6))


def test_a_last_day_on_a_weekend_rolls_to_monday():
    # Wednesday 2026-11-04 + 3 → Saturday 11-07 → Monday 11-09; ends Tuesday 00:00.
    assert add_days(local(2026, 11, 4, 9, 0), 3, SH).at == midnight(date(2026, 11, 10))


def test_a_weekend_inside_the_period_is_counted():
    # Only the last day moves: Friday 11-06 + 3 → Monday 11-09 (a working day) as is.
    assert add_days(local(2026, 11, 6, 9, 0), 3, SH).at == midnight(date(2026, 11, 10))


def test_a_last_day_on_a_public_holiday_rolls_past_the_whole_holiday():
    # Monday 2026-09-28 + 3 → Thursday 10-01 (国庆, off until 10-07) → Thursday 10-08.
    due = add_days(local(2026, 9, 28, 16, 0), 3, SH)
    assert due.at == midnight(date(2026, 10, 9))
    assert due.note is None


def test_a_tiaoxiu_working_saturday_is_a_working_day():
    # Wednesday 2026-10-07 + 3 → Saturday 10-10, a 调休 working day: no roll.
    assert add_days(local(2026, 10, 7, 10, 0), 3, SH).at == midnight(date(2026, 10, 11))
    # The same arithmetic a week later lands on an ordinary Saturday and rolls to Monday.
    assert add_days(local(2026, 10, 14, 10, 0), 3, SH).at == midnight(date(2026, 10, 20))


def test_a_tiaoxiu_working_sunday_is_a_working_day():
    # Thursday 2026-09-17 + 3 → Sunday 09-20, a 调休 working day.
    assert add_days(local(2026, 9, 17, 10, 0), 3, SH).at == midnight(date(2026, 9, 21))


def test_a_year_without_holiday_data_gives_plain_calendar_days_and_says_so():
    # Wednesday 2031-03-05 + 3 → Saturday 03-08: with no data, no guessing, no roll.
    due = add_days(local(2031, 3, 5, 10, 0), 3, SH)
    assert due.at == midnight(date(2031, 3, 9))
    assert due.note and "2031" in due.note


def test_a_period_running_into_a_year_without_data():
    # Tuesday 2026-12-29 + 3 → 2027-01-01, a year the package does not cover.
    due = add_days(local(2026, 12, 29, 10, 0), 3, SH)
    assert due.at == midnight(date(2027, 1, 2))
    assert due.note and "2027" in due.note


# --- rules and rule packs ---------------------------------------------------------------

BASIS = "某法第1条"


def pack(deadlines=None, overrides=None) -> RulePack:
    data = {"deadlines": deadlines or {"accept_due": {"hours": 24, "basis": BASIS}}}
    if overrides is not None:
        data["overrides"] = overrides
    return RulePack(data)


def test_the_default_pack_loads_with_every_deadline_and_its_basis():
    default = load(Config.RULE_PACK)
    expected = {
        "report_late": (24, None),
        "accept_due": (24, None),
        "verify_due": (None, 3),
        "feedback_due": (None, 3),
        "visit_due": (None, 7),
        "referral_due": (None, 5),
        "deliver_due": (None, 5),
        "first_visit_due": (None, 30),
        "ruling_due": (72, None),
        "ruling_due_urgent": (24, None),
        "reconsideration_window": (None, 5),
        "decision_due": (None, 7),
        "assign_due": (None, 3),
        "objection_decision_due": (None, 5),
        # Who verifies decides the rule (D8); the police periods D7 and D9.
        "verify_due_extended": (None, 7),
        "verify_due_complex": (None, 30),
        "verify_due_local": (None, 3),
        "criticism_visit_due": (None, 30),
        "penalty_decision_due": (None, 30),
        "penalty_decision_due_extended": (None, 60),
        "no_case_notice_due": (None, 3),
        "police_review_window": (None, 7),
        "police_review_decision_due": (None, 30),
        "police_review_decision_due_extended": (None, 60),
    }
    assert set(default.defaults) == set(expected)
    for kind, (hours, days) in expected.items():
        rule = default.rule(kind)
        assert (rule.hours, rule.days) == (hours, days), kind
        assert rule.basis and rule.basis_en, kind
    assert default.overrides == {}
    assert default.reminders["order_expiry"].days_before == (30, 7)


def test_a_rule_computes_its_due_time_by_hours_or_days():
    start = local(2026, 9, 28, 16, 0, 59)
    assert Rule("x", 24, None, BASIS, BASIS).due(start, SH).at == local(2026, 9, 29, 16, 0)
    assert Rule("x", None, 3, BASIS, BASIS).due(start, SH).at == midnight(date(2026, 10, 9))
    assert Rule("x", 24, None, BASIS, BASIS).length_text == "24 h"
    assert Rule("x", None, 3, BASIS, BASIS).length_text == "3 d"


def test_overrides_per_jurisdiction_most_specific_wins():
    rules = pack(
        deadlines={
            "accept_due": {"hours": 24, "basis": BASIS},
            "verify_due": {"days": 3, "basis": BASIS},
        },
        overrides={
            "500240": {"deadlines": {"verify_due": {"days": 5}}},
            "500240001": {"deadlines": {"verify_due": {"hours": 48, "basis": "本镇规定"}}},
        },
    )
    village_in_township = "500240/500240001/500240001001/"
    other_township = "500240/500240101/500240101002/"
    assert rules.rule("verify_due", village_in_township).hours == 48
    assert rules.rule("verify_due", village_in_township).days is None
    assert rules.rule("verify_due", village_in_township).basis == "本镇规定"
    assert rules.rule("verify_due", other_township).days == 5
    assert rules.rule("verify_due", other_township).basis == BASIS  # inherited
    assert rules.rule("verify_due", "500241/500241001/").days == 3
    assert rules.rule("verify_due").days == 3
    # An override of one kind leaves the others alone.
    assert rules.rule("accept_due", village_in_township).hours == 24


def test_an_unknown_kind_has_no_rule():
    with pytest.raises(RulePackError):
        pack().rule("nonexistent_due")


@pytest.mark.parametrize(
    "raw",
    [
        {"hours": 24, "days": 3, "basis": BASIS},
        {"basis": BASIS},
        {"hours": 0, "basis": BASIS},
        {"hours": -24, "basis": BASIS},
        {"days": 0, "basis": BASIS},
        {"days": -1, "basis": BASIS},
        {"days": 1.5, "basis": BASIS},
        {"days": "3", "basis": BASIS},
        {"days": True, "basis": BASIS},
        {"days": 3},
        {"days": 3, "basis": ""},
    ],
)
def test_invalid_default_rules(raw):
    with pytest.raises(RulePackError):
        pack(deadlines={"verify_due": raw})


@pytest.mark.parametrize(
    "raw",
    [
        {"hours": 24, "days": 3},
        {"hours": 0},
        {"days": -3},
        {"basis": ""},
    ],
)
def test_invalid_overrides(raw):
    with pytest.raises(RulePackError):
        pack(overrides={"500240": {"deadlines": {"accept_due": raw}}})


def test_an_override_of_an_unknown_kind_is_refused():
    with pytest.raises(RulePackError, match="unknown"):
        pack(overrides={"500240": {"deadlines": {"lunch_due": {"hours": 1}}}})


def test_a_pack_file_with_overrides(tmp_path):
    path = tmp_path / "county.toml"
    path.write_text(
        "[deadlines.accept_due]\nhours = 24\nbasis = 'x'\n\n"
        "[overrides.'500240'.deadlines.accept_due]\nhours = 12\n",
        encoding="utf-8",
    )
    loaded = load(str(path))
    assert loaded.rule("accept_due", "500240/500240001/").hours == 12
    assert loaded.rule("accept_due", "500241/").hours == 24


def test_a_bad_pack_file_is_refused(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[deadlines.accept_due]\nhours = 24\ndays = 1\nbasis = 'x'\n")
    with pytest.raises(RulePackError):
        load(str(path))
