"""Deadline arithmetic (caseflow.deadlines.calendar), the provisional calendar
(caseflow.deadlines.provisional) and rule packs (caseflow.deadlines.rules).

The calendar here is the package's data as the county's tables are seeded with it
(caseflow.deadlines.package), with no database: the arithmetic is pure. The expected dates
were worked out by hand against the 2026 State Council holiday notice as packaged in
chinesecalendar 1.11.0:
- 国庆节 2026: 10-01 (Thu) … 10-07 (Wed) off; 10-08 (Thu) is the first working day after;
  Saturday 10-10 is a 调休 working day.
- Sunday 2026-09-20 is a 调休 working day (before 中秋/国庆).
- 2027 has no notice and no package data: the provisional calendar of 《全国年节及纪念日放假办法》
  (2024) applies: 元旦 Fri 01-01; 除夕 Fri 02-05 to 初三 Mon 02-08, 初一 and 初二 on the
  weekend made up on Tue 02-09 and Wed 02-10; 清明 Mon 04-05.

Hours: the starting hour is not counted (民事诉讼法 Art. 85 ¶2); the old rule counted from
the minute of the act, so the hour expectations moved to the next full hour.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from caseflow.config import Config
from caseflow.deadlines.calendar import (
    BadPeriod,
    WorkingCalendar,
    YearCalendar,
    add_days,
    add_hours,
    add_month_period,
    compute,
    is_provisional,
    parse_period,
)
from caseflow.deadlines.package import package_calendar
from caseflow.deadlines.provisional import festivals, provisional_year
from caseflow.deadlines.rules import Rule, RulePack, RulePackError, load

SH = ZoneInfo("Asia/Shanghai")
PACKAGE, YEARS = package_calendar()


def package_year(year: int) -> YearCalendar | None:
    data = YEARS.get(year)
    if data is None:
        return None
    return YearCalendar(year, data["holiday"], data["workday"], False, "package", package=PACKAGE)


def calendar() -> WorkingCalendar:
    return WorkingCalendar(package_year)


CAL = calendar()


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=SH)


def days(start, n, cal=None):
    return add_days(start, n, SH, cal or CAL)


# --- the calendar the expectations rely on ----------------------------------------------


def test_the_seeded_package_data_matches_what_the_expectations_assume():
    assert min(YEARS) == 2004 and max(YEARS) == 2026
    assert not CAL.is_working_day(date(2026, 10, 1))
    assert not CAL.is_working_day(date(2026, 10, 7))
    assert CAL.is_working_day(date(2026, 10, 8))
    assert CAL.is_working_day(date(2026, 10, 10))  # Saturday, 调休
    assert CAL.is_working_day(date(2026, 9, 20))  # Sunday, 调休
    assert not CAL.is_working_day(date(2026, 10, 17))  # an ordinary Saturday
    assert CAL.rest_reason(date(2026, 10, 1)) == "holiday"
    assert CAL.rest_reason(date(2026, 10, 17)) == "weekend"
    assert CAL.year(2026).holidays[date(2026, 10, 1)] == "国庆节"
    assert not CAL.year(2026).provisional and CAL.year(2027).provisional


def test_is_working_day():
    assert CAL.is_working_day(date(2026, 11, 2))  # Monday
    assert not CAL.is_working_day(date(2026, 11, 1))  # Sunday
    assert not CAL.is_working_day(date(2026, 10, 1))  # 国庆
    assert CAL.is_working_day(date(2026, 10, 10))  # 调休 Saturday


# --- the provisional calendar -----------------------------------------------------------


def test_the_provisional_2027_calendar_follows_the_2024_holiday_measures():
    year = provisional_year(2027)
    assert year.provisional and year.source == "provisional" and year.workdays == {}
    spring = [d for d, name in year.holidays.items() if name.startswith("春节")]
    assert spring == [date(2027, 2, d) for d in range(5, 11)]  # 除夕 02-05 … made up 02-10
    assert year.holidays[date(2027, 2, 9)] == "春节（补假）"
    assert year.holidays[date(2027, 1, 1)] == "元旦"
    assert year.holidays[date(2027, 4, 5)] == "清明节"
    assert year.holidays[date(2027, 6, 9)] == "端午节"
    assert year.holidays[date(2027, 9, 15)] == "中秋节"
    assert [d for d in year.holidays if d.month == 10] == [date(2027, 10, d) for d in range(1, 6)]
    # Saturdays and Sundays rest; no 调休 can be foreseen.
    assert year.rest_reason(date(2027, 1, 2)) == "weekend"
    assert year.rest_reason(date(2027, 1, 4)) is None


def test_festival_dates_come_from_the_lunar_calendar_not_a_table():
    # 2026 from the lunar package agrees with the State Council's 2026 notice (package data).
    by_name = dict(festivals(2026))
    assert by_name["春节"][0] == date(2026, 2, 16)  # 除夕 2026
    assert by_name["清明节"] == [date(2026, 4, 5)]
    for name in ("春节", "清明节", "端午节", "中秋节"):
        for day in by_name[name]:
            assert day in YEARS[2026]["holiday"], (name, day)
    assert dict(festivals(2028))["清明节"] == [date(2028, 4, 4)]


def test_a_holiday_on_a_weekend_is_made_up_on_the_next_working_day():
    # 2028: 元旦 is a Saturday → Monday 01-03; 国庆 10-01 is a Sunday and 中秋 falls on 10-03.
    year = provisional_year(2028)
    assert year.holidays[date(2028, 1, 3)] == "元旦（补假）"
    assert date(2028, 1, 2) not in year.holidays  # a Sunday, rest anyway
    assert [d.day for d in year.holidays if d.month == 10] == [1, 2, 3, 4, 5]


# --- hours ------------------------------------------------------------------------------


def test_the_starting_hour_is_not_counted():
    # 民事诉讼法 Art. 85 ¶2: 72 h from 22:40 count from 23:00 and end at 23:00 3 days later.
    due = add_hours(local(2026, 11, 23, 22, 40), 72, SH)
    assert due.at == local(2026, 11, 26, 23, 0)
    assert due.counted_from == local(2026, 11, 23, 23, 0)
    assert not due.provisional and "第八十五条" in due.rule
    # Seconds and microseconds make no difference, nor does an act on the full hour.
    assert add_hours(local(2026, 11, 23, 14, 30, 45, 123456), 72).at == local(2026, 11, 26, 15)
    assert add_hours(local(2026, 11, 23, 22, 0), 72).at == local(2026, 11, 26, 23, 0)
    assert add_hours(local(2026, 11, 23, 22, 59, 59), 72).at == local(2026, 11, 26, 23, 0)


def test_24_hours_across_midnight():
    assert add_hours(local(2026, 11, 23, 23, 59, 59), 24).at == local(2026, 11, 25, 0, 0)
    assert add_hours(local(2026, 11, 23, 23, 0), 24).at == local(2026, 11, 25, 0, 0)


def test_hours_across_a_month_end_and_a_year_end():
    assert add_hours(local(2026, 11, 30, 22, 40), 72).at == local(2026, 12, 3, 23, 0)
    assert add_hours(local(2027, 2, 28, 12, 5), 24).at == local(2027, 3, 1, 13, 0)
    assert add_hours(local(2026, 12, 31, 23, 30), 72).at == local(2027, 1, 4, 0, 0)


def test_hours_ignore_holidays_and_weekends():
    # Statutory hours run through 国庆 and the weekend alike, and through a provisional 春节.
    assert add_hours(local(2026, 9, 30, 18, 0), 72).at == local(2026, 10, 3, 19, 0)
    due = add_hours(local(2027, 2, 5, 9, 10), 72)
    assert due.at == local(2027, 2, 8, 10, 0) and not due.provisional


def test_hours_keep_the_instant_whatever_the_zone():
    start = datetime(2026, 11, 23, 6, 30, 10, tzinfo=UTC)  # 14:30:10 in Shanghai
    assert add_hours(start, 24).at == local(2026, 11, 24, 15, 0)
    assert add_hours(start, 24, SH).at == local(2026, 11, 24, 15, 0)


# --- days -------------------------------------------------------------------------------


def test_days_exclude_the_start_day_and_end_at_local_midnight_after_the_last_day():
    # Monday 2026-11-02 10:15 + 3 days: Tue, Wed, Thu → ends Friday 00:00.
    due = days(local(2026, 11, 2, 10, 15), 3)
    assert due.at == local(2026, 11, 6, 0, 0)
    assert not due.provisional and due.skipped == ()
    assert due.at.utcoffset() == SH.utcoffset(datetime(2026, 11, 6))


def test_days_start_late_at_night_still_exclude_only_that_day():
    assert days(local(2026, 11, 2, 23, 59), 3).at == midnight(date(2026, 11, 6))
    assert days(local(2026, 11, 2, 0, 0), 3).at == midnight(date(2026, 11, 6))


def test_days_use_the_local_date_not_the_utc_date():
    # 2026-11-01 17:00 UTC is 2026-11-02 01:00 in Shanghai: the start day is the 2nd.
    due = days(datetime(2026, 11, 1, 17, 0, tzinfo=UTC), 3)
    assert due.at == midnight(date(2026, 11, 6))


def test_a_last_day_on_a_weekend_rolls_to_monday():
    # Wednesday 2026-11-04 + 3 → Saturday 11-07 → Monday 11-09; ends Tuesday 00:00.
    due = days(local(2026, 11, 4, 9, 0), 3)
    assert due.at == midnight(date(2026, 11, 10))
    assert [(r.day, r.reason) for r in due.skipped] == [
        (date(2026, 11, 7), "weekend"),
        (date(2026, 11, 8), "weekend"),
    ]


def test_a_weekend_inside_the_period_is_counted():
    # Only the last day moves: Friday 11-06 + 3 → Monday 11-09 (a working day) as is.
    assert days(local(2026, 11, 6, 9, 0), 3).at == midnight(date(2026, 11, 10))


def test_a_last_day_on_a_public_holiday_rolls_past_the_whole_holiday():
    # Monday 2026-09-28 + 3 → Thursday 10-01 (国庆, off until 10-07) → Thursday 10-08.
    due = days(local(2026, 9, 28, 16, 0), 3)
    assert due.at == midnight(date(2026, 10, 9))
    assert [r.day.day for r in due.skipped] == [1, 2, 3, 4, 5, 6, 7]
    assert {r.name for r in due.skipped} == {"国庆节"} and not due.provisional


def test_a_tiaoxiu_working_saturday_is_a_working_day():
    # Wednesday 2026-10-07 + 3 → Saturday 10-10, a 调休 working day: no roll.
    assert days(local(2026, 10, 7, 10, 0), 3).at == midnight(date(2026, 10, 11))
    # The same arithmetic a week later lands on an ordinary Saturday and rolls to Monday.
    assert days(local(2026, 10, 14, 10, 0), 3).at == midnight(date(2026, 10, 20))


def test_a_tiaoxiu_working_sunday_is_a_working_day():
    # Thursday 2026-09-17 + 3 → Sunday 09-20, a 调休 working day.
    assert days(local(2026, 9, 17, 10, 0), 3).at == midnight(date(2026, 9, 21))


def test_a_period_running_into_2027_uses_the_provisional_calendar_and_says_so():
    # The 复议 window: 2026-12-28 + 5 → Sat 2027-01-02 → Mon 01-04 (元旦 is Fri),
    # ending at 24:00 of Monday.
    due = days(local(2026, 12, 28, 10, 0), 5)
    assert due.at == midnight(date(2027, 1, 5))
    assert due.provisional and is_provisional(due)
    # Tuesday 2026-12-29 + 3 → 元旦 2027-01-01, then the weekend → Monday 01-04, 24:00.
    due = days(local(2026, 12, 29, 10, 0), 3)
    assert due.at == midnight(date(2027, 1, 5))
    assert [(r.day, r.reason, r.name) for r in due.skipped] == [
        (date(2027, 1, 1), "holiday", "元旦"),
        (date(2027, 1, 2), "weekend", ""),
        (date(2027, 1, 3), "weekend", ""),
    ]


def test_day_periods_ending_in_the_provisional_2027_spring_festival():
    # A window opened 2027-02-01 (+5 → 初一 02-06) ends after 春节 and its make-up days:
    # at 24:00 of Thursday 02-11.
    due = days(local(2027, 2, 1, 9, 0), 5)
    assert due.at == midnight(date(2027, 2, 12)) and due.provisional
    # A decision due 7 days from 2027-01-29 fell on 除夕 02-05.
    assert days(local(2027, 1, 29, 9, 0), 7).at == midnight(date(2027, 2, 12))
    # 清明 2027 is Monday 04-05: Fri 04-02 + 1 → the weekend, then 清明 → Tuesday 04-06.
    assert days(local(2027, 4, 2, 9, 0), 1).at == midnight(date(2027, 4, 7))
    # A weekend in provisional 2027 rolls; a period ending on a weekday does not.
    assert days(local(2027, 3, 10, 9, 0), 3).at == midnight(date(2027, 3, 16))
    assert days(local(2027, 3, 10, 9, 0), 2).at == midnight(date(2027, 3, 13))


def test_a_period_ending_in_an_official_year_is_not_provisional():
    due = days(local(2026, 6, 1, 9, 0), 5)
    assert not due.provisional and not is_provisional(due)


def test_months_keep_the_corresponding_day_and_roll_off_rest_days():
    # 民法典 Art. 202–203: 2026-08-31 + 6 m → 2027-02-28, a Sunday → Mon 03-01.
    due = add_month_period(local(2026, 8, 31, 9, 0), 6, SH, CAL)
    assert due.at == midnight(date(2027, 3, 2)) and due.provisional
    assert add_month_period(local(2026, 3, 10, 9, 0), 1, SH, CAL).at == midnight(date(2026, 4, 11))


def test_compute_reads_a_period():
    assert compute(local(2026, 11, 23, 22, 40), "72h", SH, CAL).at == local(2026, 11, 26, 23)
    assert compute(local(2026, 11, 4, 9, 0), "3d", SH, CAL).at == midnight(date(2026, 11, 10))
    assert parse_period("6m") == (6, "m")
    for bad in ("", "0d", "3", "h", "3 d", "-3d", "3D", "3w", "99999d", "٣d", "3d\n"):
        with pytest.raises(BadPeriod):
            parse_period(bad)


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
        "respondent_review_window": (None, 5),  # Art. 31, from service on the respondent
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
        # 高风险家庭 screening (services/persons.py), a local interval.
        "household_screening_due": (None, 90),
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
    assert Rule("x", 24, None, BASIS, BASIS).due(start, SH).at == local(2026, 9, 29, 17, 0)
    assert Rule("x", None, 3, BASIS, BASIS).due(start, SH, CAL).at == midnight(date(2026, 10, 9))
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
