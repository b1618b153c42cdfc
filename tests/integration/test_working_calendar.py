"""The working-day calendar as the county's data (issue 11), through the real services and
the API, on both engines.

Expected values worked out by hand:
- 2026 comes from the seeded package (chinesecalendar 1.11.0, the 2026 State Council
  notice): 国庆 10-01 … 10-07, Saturday 10-10 a 调休 working day.
- 2027 has no notice: the provisional calendar of 《全国年节及纪念日放假办法》 (2024): 元旦 Fri
  01-01; 春节 from 除夕 Fri 02-05 (lunar calendar) 4 days, 初一 02-06 and 初二 02-07 on the
  weekend made up on 02-09 and 02-10; 清明 Mon 04-05 (solar term).
- The notice entered in these tests (a made-up one for the test, NOTICE_2027): 元旦 01-01 …
  01-03; 春节 02-05 … 02-11; 清明 04-03 … 04-05; Saturday 02-20 a 调休 working day.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from caseflow import scheduler, timeutil
from caseflow.deadlines import ledger
from caseflow.deadlines.calendar import current_calendar, is_provisional
from caseflow.extensions import db
from caseflow.models import (
    CalendarChange,
    CalendarDay,
    CalendarYear,
    Case,
    Deadline,
    Event,
    Notification,
)
from caseflow.services import audit, sweeps
from caseflow.services import calendar as calendar_service
from caseflow.services.errors import Forbidden, ValidationFailed, VersionConflict
from tests.conftest import api_token, csrf_token, login, user
from tests.integration.test_deadlines_and_audit import file_report

SH = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def midnight(y, m, d) -> datetime:
    return local(y, m, d) + timedelta(days=1)  # 24:00 of that day


def clock(*args) -> datetime:
    value = local(*args)
    timeutil.set_clock(value)
    return value


def days(start: str, end: str, name: str) -> list[dict]:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return [
        {"date": (first + timedelta(days=n)).isoformat(), "name": name}
        for n in range((last - first).days + 1)
    ]


NOTICE_2027 = {
    "notice": {"number": "国办发明电〔2026〕99号", "date": "2026-11-20"},
    "holidays": days("2027-01-01", "2027-01-03", "元旦")
    + days("2027-02-05", "2027-02-11", "春节")
    + days("2027-04-03", "2027-04-05", "清明节"),
    "workdays": [{"date": "2027-02-20", "name": "春节"}],
}


def state() -> tuple:
    """Everything an entry of the calendar may change."""
    db.session.expire_all()
    return (
        db.session.scalars(select(CalendarYear.year).order_by(CalendarYear.year)).all(),
        db.session.execute(
            select(CalendarDay.day, CalendarDay.kind, CalendarDay.name).order_by(CalendarDay.day)
        ).all(),
        db.session.scalar(select(func.count()).select_from(CalendarChange)),
        db.session.execute(
            select(Deadline.id, Deadline.due_at, Deadline.status, Deadline.provisional)
        ).all(),
        db.session.scalar(select(func.count()).select_from(Event)),
    )


def open_days(case: Case, start: datetime, kind: str = "verify_due") -> Deadline:
    """A 3-day deadline (verify_due) counted from `start`."""
    deadline = ledger.open_deadline(case, kind, start=start)
    db.session.flush()
    return deadline


# --- where the calendar comes from ----------------------------------------------------------


def test_2026_comes_from_the_seeded_package(ctx):
    row = db.session.get(CalendarYear, 2026)
    assert (row.source, row.package, row.entered_by_id) == (
        "package",
        "chinesecalendar 1.11.0",
        None,
    )
    assert db.session.get(CalendarDay, date(2026, 10, 1)).kind == "holiday"
    assert db.session.get(CalendarDay, date(2026, 10, 10)).kind == "workday"
    clock(2026, 9, 28, 16, 0)
    case = file_report(local(2026, 9, 28, 9, 0))
    # Mon 09-28 + 3 → Thu 10-01 (国庆 until 10-07) → Thu 10-08, 24:00.
    deadline = open_days(case, local(2026, 9, 28, 16, 0))
    assert (deadline.due_at, deadline.provisional) == (midnight(2026, 10, 8), False)
    assert deadline.period_days == 3 and deadline.counted_from == local(2026, 9, 28, 16, 0)
    # Wed 10-07 + 3 → Saturday 10-10, a 调休 working day of the 2026 notice: no roll.
    assert open_days(case, local(2026, 10, 7, 10, 0)).due_at == midnight(2026, 10, 10)


def test_the_package_is_not_read_for_deadline_arithmetic(ctx):
    # The county's row decides: with 2026-11-02 entered as a holiday, a period ending on it
    # moves, whatever the package says. (Entered directly: the county's data is the source.)
    db.session.add(CalendarDay(day=date(2026, 11, 2), year=2026, kind="holiday", name="测试"))
    db.session.flush()
    clock(2026, 10, 28, 9, 0)
    case = file_report(local(2026, 10, 28, 8, 0))
    # Fri 10-30 + 3 → Mon 11-02 (a holiday here) → Tue 11-03.
    assert open_days(case, local(2026, 10, 30, 9, 0)).due_at == midnight(2026, 11, 3)


def test_2027_is_provisional_from_the_statutory_holidays(ctx):
    year = calendar_service.year_view(2027)
    assert year.provisional and year.source == "provisional"
    assert db.session.get(CalendarYear, 2027) is None  # computed, not stored
    assert year.holidays[date(2027, 1, 1)] == "元旦"
    assert [d for d, n in year.holidays.items() if n.startswith("春节")] == [
        date(2027, 2, d) for d in range(5, 11)
    ]
    assert year.holidays[date(2027, 4, 5)] == "清明节"
    clock(2026, 12, 29, 10, 0)
    case = file_report(local(2026, 12, 29, 9, 0))
    # Tue 12-29 + 3 → 元旦 Fri 01-01 → the weekend → Mon 01-04, 24:00: provisional.
    deadline = open_days(case, local(2026, 12, 29, 10, 0))
    assert (deadline.due_at, deadline.provisional) == (midnight(2027, 1, 4), True)
    assert is_provisional(deadline)
    # Mon 02-01 + 3 → Thu 02-04, a working day: provisional all the same (its end is in 2027).
    deadline = open_days(case, local(2027, 2, 1, 10, 0))
    assert (deadline.due_at, deadline.provisional) == (midnight(2027, 2, 4), True)
    # Fri 04-02 + 3 → Mon 清明 04-05 → Tue 04-06.
    assert open_days(case, local(2027, 4, 2, 10, 0)).due_at == midnight(2027, 4, 6)
    # Hours are never provisional: no calendar counts them.
    hours = ledger.open_deadline(case, "accept_due", start=local(2027, 2, 5, 22, 40))
    assert (hours.due_at, hours.provisional, hours.period_days) == (
        local(2027, 2, 6, 23),
        False,
        None,
    )


# --- entering a notice ---------------------------------------------------------------------


def test_entering_the_notice_counts_again_reopens_misses_and_moves_nothing_else(ctx):
    clock(2027, 2, 8, 9, 0)
    case = file_report(local(2027, 2, 8, 8, 0))
    other = file_report(local(2027, 2, 8, 8, 30))
    # (a) Mon 02-08 + 3 → Thu 02-11: provisional working day → 24:00 02-11; notice: 春节
    # until 02-11 → Fri 02-12. Missed by the sweep on 02-12, reopened by the notice.
    a = open_days(case, local(2027, 2, 8, 10, 0))
    # (b) the same, done late on 02-12 09:00 (missed, done_late) → met in time.
    b = open_days(case, local(2027, 2, 8, 10, 0))
    # (c) Wed 02-17 + 3 → Sat 02-20: provisional weekend → Mon 02-22; notice: 调休 → 02-20.
    c = open_days(other, local(2027, 2, 17, 10, 0))
    # (d) Mon 02-01 + 3 → Thu 02-04, a working day on both calendars: missed on 02-12 and
    # still missed, its due unchanged, no longer provisional.
    d = open_days(other, local(2027, 2, 1, 10, 0))
    # (e) met: stays as it was; (f) a 2026 period; (g) hours: nothing to count again.
    e = open_days(case, local(2027, 2, 8, 10, 0))
    ledger.close(e, local(2027, 2, 9, 10, 0))
    f = open_days(other, local(2026, 11, 2, 10, 0))
    # (h) Tue 2026-12-29 + 3 → 元旦 → Mon 2027-01-04 on both calendars: missed on 02-12 and
    # still missed, no longer provisional.
    h = open_days(other, local(2026, 12, 29, 10, 0))
    g = ledger.open_deadline(other, "accept_due", start=local(2027, 2, 8, 10, 0))
    db.session.commit()
    clock(2027, 2, 12, 10, 0)
    ledger.sweep()
    ledger.close(b, local(2027, 2, 12, 9, 0))
    db.session.commit()
    assert [x.status for x in (a, b, c, d, e)] == ["missed", "missed", "open", "missed", "met"]
    assert all(x.provisional for x in (a, b, c, d, e))
    untouched = {x.id: (x.due_at, x.status, x.provisional) for x in (e, f, g)}
    events_before = {k.id: len(k.events) for k in (case, other)}
    versions = {k.id: k.version for k in (case, other)}

    change = calendar_service.enter_year(user("admin"), 2027, NOTICE_2027, 0, "api")
    db.session.commit()
    db.session.expire_all()

    a, b, c, d = (db.session.get(Deadline, x.id) for x in (a, b, c, d))
    assert (a.due_at, a.status, a.provisional, a.closed_at) == (
        midnight(2027, 2, 12),
        "open",
        False,
        None,
    )
    assert (b.due_at, b.status, b.done_late) == (midnight(2027, 2, 12), "met", False)
    assert (c.due_at, c.status, c.provisional) == (midnight(2027, 2, 20), "open", False)
    assert (d.due_at, d.status, d.provisional) == (midnight(2027, 2, 4), "missed", False)
    for x in (e, f, g):
        x = db.session.get(Deadline, x.id)
        assert (x.due_at, x.status, x.provisional) == untouched[x.id]
    h = db.session.get(Deadline, h.id)
    assert (h.due_at, h.status, h.provisional) == (midnight(2027, 1, 4), "missed", False)
    assert change.recomputed == 5
    assert (change.before, change.by_id, change.channel) == (None, user("admin").id, "api")
    assert change.after["notice"] == {"number": "国办发明电〔2026〕99号", "date": "2026-11-20"}
    assert {"date": "2027-02-20", "name": "春节"} in change.after["workdays"]

    # One event per moved deadline, with the old and new due time and the notice.
    case, other = db.session.get(Case, case.id), db.session.get(Case, other.id)
    recomputed = [e for e in case.events if e.trigger == "deadline_recomputed"]
    assert len(case.events) == events_before[case.id] + 2
    assert len(other.events) == events_before[other.id] + 3
    by_deadline = {e.data["deadline_id"]: e for e in recomputed}
    assert datetime.fromisoformat(by_deadline[a.id].data["old_due"]) == midnight(2027, 2, 11)
    assert datetime.fromisoformat(by_deadline[a.id].data["new_due"]) == midnight(2027, 2, 12)
    assert (by_deadline[a.id].data["old_status"], by_deadline[a.id].data["status"]) == (
        "missed",
        "open",
    )
    assert by_deadline[a.id].data["notice"] == "国办发明电〔2026〕99号（2026-11-20）"
    assert "国办发明电〔2026〕99号" in by_deadline[a.id].comment
    assert by_deadline[a.id].actor_id == user("admin").id
    assert audit.verify_chain(case.id) is None and audit.verify_chain(other.id) is None
    assert case.version > versions[case.id] and other.version > versions[other.id]

    # The calendar now reads as entered; a new deadline uses it.
    year = current_calendar().year(2027)
    assert (year.provisional, year.source, year.notice_number) == (
        False,
        "notice",
        "国办发明电〔2026〕99号",
    )
    fresh = open_days(case, local(2027, 4, 1, 10, 0))  # Thu + 3 → Sun 04-04 (清明) → Tue 04-06
    assert (fresh.due_at, fresh.provisional) == (midnight(2027, 4, 6), False)


def test_a_second_entry_keeps_the_first_in_the_history(ctx):
    calendar_service.enter_year(user("admin"), 2027, NOTICE_2027, 0, "api")
    db.session.commit()
    corrected = {**NOTICE_2027, "workdays": [{"date": "2027-02-21", "name": "春节"}]}
    with pytest.raises(VersionConflict):  # the version read before the first entry
        calendar_service.enter_year(user("admin"), 2027, corrected, 0, "api")
    db.session.rollback()
    change = calendar_service.enter_year(user("admin"), 2027, corrected, 1, "page")
    db.session.commit()
    assert change.before["workdays"] == [{"date": "2027-02-20", "name": "春节"}]
    assert change.after["workdays"] == [{"date": "2027-02-21", "name": "春节"}]
    assert db.session.get(CalendarYear, 2027).version == 2
    assert db.session.scalar(select(func.count()).select_from(CalendarChange)) == 2
    assert db.session.get(CalendarDay, date(2027, 2, 20)) is None


def test_replacing_a_seeded_year_keeps_the_package_data_in_the_history(ctx):
    version = db.session.get(CalendarYear, 2026).version
    entry = {
        "notice": {"number": "国办发明电〔2025〕7号", "date": "2025-11-04"},
        "holidays": days("2026-10-01", "2026-10-08", "国庆节"),
        "workdays": [],
    }
    change = calendar_service.enter_year(user("admin"), 2026, entry, version, "api")
    db.session.commit()
    assert change.before["source"] == "package"
    assert {"date": "2026-10-10", "name": "国庆节"} in change.before["workdays"]
    assert change.after["workdays"] == []


REFUSED = [
    (
        "outside the year",
        {**NOTICE_2027, "holidays": [{"date": "2026-12-31", "name": "x"}]},
        "holidays[0].date",
    ),
    (
        "调休 on a weekday",
        {**NOTICE_2027, "workdays": [{"date": "2027-02-22", "name": "春节"}]},
        "workdays[0].date",
    ),
    ("both", {**NOTICE_2027, "workdays": [{"date": "2027-02-06", "name": "春节"}]}, "workdays"),
    ("unknown field", {**NOTICE_2027, "remarks": "x"}, "remarks"),
    (
        "unknown day field",
        {**NOTICE_2027, "workdays": [{"date": "2027-02-20", "off": True}]},
        "workdays[0].off",
    ),
    (
        "unknown notice field",
        {**NOTICE_2027, "notice": {"number": "x", "date": "2026-11-20", "url": "y"}},
        "notice.url",
    ),
    ("no notice", {k: v for k, v in NOTICE_2027.items() if k != "notice"}, "notice"),
    (
        "notice in the future",
        {**NOTICE_2027, "notice": {"number": "x", "date": "2027-01-01"}},
        "notice.date",
    ),
    (
        "a date that is not one",
        {**NOTICE_2027, "holidays": [{"date": "2027-02-30"}]},
        "holidays[0].date",
    ),
    ("a number as a date", {**NOTICE_2027, "holidays": [{"date": 20270101}]}, "holidays[0].date"),
    ("holidays not a list", {**NOTICE_2027, "holidays": "2027-01-01"}, "holidays"),
    ("no holiday", {**NOTICE_2027, "holidays": []}, "holidays"),
    (
        "twice",
        {**NOTICE_2027, "holidays": NOTICE_2027["holidays"] + [{"date": "2027-01-01"}]},
        "holidays[13].date",
    ),
    ("a year that is not the path's", {**NOTICE_2027, "year": 2028}, "year"),
]


@pytest.mark.parametrize(("why", "entry", "field"), REFUSED, ids=[r[0] for r in REFUSED])
def test_every_refused_entry_leaves_nothing_changed(ctx, why, entry, field):
    clock(2026, 12, 29, 10, 0)
    case = file_report(local(2026, 12, 29, 9, 0))
    open_days(case, local(2026, 12, 29, 10, 0))
    db.session.commit()
    before = state()
    with pytest.raises(ValidationFailed) as info:
        calendar_service.enter_year(user("admin"), 2027, entry, 0, "api")
    db.session.rollback()
    assert field in info.value.fields, info.value.fields
    assert state() == before


def test_only_an_administrator_enters_and_the_version_is_checked_first(ctx):
    before = state()
    with pytest.raises(Forbidden):
        calendar_service.enter_year(user("supervisor"), 2027, NOTICE_2027, 0, "api")
    db.session.rollback()
    with pytest.raises(VersionConflict):
        calendar_service.enter_year(user("supervisor"), 2027, NOTICE_2027, 3, "api")
    db.session.rollback()
    assert state() == before


# --- the API ---------------------------------------------------------------------------------


def test_api_reads_and_enters_a_year(client):
    headers = api_token(client, "supervisor")
    got = client.get("/api/v1/calendar/2026", headers=headers).get_json()
    assert (got["source"], got["provisional"], got["version"]) == ("package", False, 1)
    assert {"date": "2026-10-10", "name": "国庆节"} in got["workdays"]
    got = client.get("/api/v1/calendar/2027", headers=headers).get_json()
    assert (got["source"], got["provisional"], got["version"]) == ("provisional", True, 0)
    assert {"date": "2027-02-09", "name": "春节（补假）"} in got["holidays"]
    # A supervisor may read, not enter.
    refused = client.put(
        "/api/v1/calendar/2027", json={**NOTICE_2027, "version": 0}, headers=headers
    )
    assert refused.status_code == 403
    admin = api_token(client, "admin")
    put = client.put("/api/v1/calendar/2027", json={**NOTICE_2027, "version": 0}, headers=admin)
    assert put.status_code == 200, put.get_data(as_text=True)
    body = put.get_json()
    assert (body["source"], body["provisional"], body["version"], body["recomputed"]) == (
        "notice",
        False,
        1,
        0,
    )
    assert body["notice"] == {"number": "国办发明电〔2026〕99号", "date": "2026-11-20"}
    assert body["entered_by"] == "系统管理员"
    assert body["changes"][0]["before"] is None and body["changes"][0]["channel"] == "api"
    again = client.put("/api/v1/calendar/2027", json={**NOTICE_2027, "version": 0}, headers=admin)
    assert again.status_code == 409


@pytest.mark.parametrize(("why", "entry", "field"), REFUSED[:6], ids=[r[0] for r in REFUSED[:6]])
def test_api_refusals_are_422_in_chinese_with_nothing_saved(client, why, entry, field):
    admin = api_token(client, "admin")
    with client.application.app_context():
        before = state()
    response = client.put("/api/v1/calendar/2027", json={**entry, "version": 0}, headers=admin)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and field in error["fields"]
    with client.application.app_context():
        assert state() == before


def test_api_bad_bodies_and_years(client):
    admin = api_token(client, "admin")
    assert client.put("/api/v1/calendar/2027", data="[", headers=admin).status_code == 400
    assert client.put("/api/v1/calendar/2027", json=[1], headers=admin).status_code == 400
    assert client.get("/api/v1/calendar/1800", headers=admin).status_code == 404
    assert (
        client.put("/api/v1/calendar/3000", json={"version": 0}, headers=admin).status_code == 404
    )
    assert client.get("/api/v1/calendar/2027").status_code == 401
    message = client.put(
        "/api/v1/calendar/2027",
        json={**NOTICE_2027, "version": 0, "workdays": [{"date": "2027-02-22"}]},
        headers=admin,
    ).get_json()["error"]["fields"]["workdays[0].date"][0]
    assert "调休" in message and "2027-02-22" in message


def test_api_compute(client):
    headers = api_token(client, "child_director")
    got = client.get(
        "/api/v1/deadlines/compute?start=2026-11-23T22:40&period=72h", headers=headers
    ).get_json()
    assert got["due_at"] == "2026-11-26T15:00:00Z" or got["due_at"].startswith("2026-11-26T15:00")
    assert got["provisional"] is False and "第八十五条" in got["rule"] and got["skipped"] == []
    got = client.get(
        "/api/v1/deadlines/compute?start=2026-12-28T10:00%2B08:00&period=5d", headers=headers
    ).get_json()
    # Sat 2027-01-02 → Mon 01-04, ending at 24:00; 2027 is provisional.
    assert got["due_at"].startswith("2027-01-04T16:00")
    assert got["provisional"] is True
    assert [(s["date"], s["reason"]) for s in got["skipped"]] == [
        ("2027-01-02", "weekend"),
        ("2027-01-03", "weekend"),
    ]
    got = client.get(
        "/api/v1/deadlines/compute?start=2026-09-28T16:00&period=3d", headers=headers
    ).get_json()
    assert got["due_at"].startswith("2026-10-08T16:00") and got["provisional"] is False
    assert {s["name"] for s in got["skipped"]} == {"国庆节"} and len(got["skipped"]) == 7
    got = client.get(
        "/api/v1/deadlines/compute?start=2026-08-31T09:00&period=6m", headers=headers
    ).get_json()
    assert got["due_at"].startswith("2027-03-01T16:00")  # 02-28 a Sunday → Mon 03-01
    for query in (
        "start=2026-11-23T22:40&period=3w",
        "start=2026-11-23T22:40",
        "start=yesterday&period=3d",
        "start=2026-11-23T22:40&period=3d&x=1",
        "start=1800-01-01T00:00&period=3d",
        "start=2026-11-23T22:40&period=0d",
    ):
        response = client.get(f"/api/v1/deadlines/compute?{query}", headers=headers)
        assert response.status_code == 422, query
    assert client.get("/api/v1/deadlines/compute?start=2026-11-23&period=3d").status_code == 401


def test_openapi_documents_the_calendar_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"get", "put"} <= set(spec["paths"]["/api/v1/calendar/{year}"])
    assert "get" in spec["paths"]["/api/v1/deadlines/compute"]
    assert "provisional" in spec["components"]["schemas"]["Deadline"]["properties"]


def test_deadlines_in_the_api_say_whether_they_are_provisional(client):
    with client.application.test_request_context():
        clock(2026, 12, 29, 10, 0)
        case = file_report(local(2026, 12, 29, 9, 0))
        open_days(case, local(2026, 12, 29, 10, 0))
        db.session.commit()
        case_id = case.id
    headers = api_token(client, "child_director")
    got = client.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()
    flags = {d["kind"]: d["provisional"] for d in got["deadlines"]}
    assert flags["verify_due"] is True and flags["report_late"] is False


# --- the banner and the notification -------------------------------------------------------


def calendar_notes() -> list[Notification]:
    db.session.expire_all()
    return db.session.scalars(select(Notification).where(Notification.kind == "calendar")).all()


def test_from_1_november_administrators_and_supervisors_are_told_once(ctx, app):
    clock(2026, 10, 31, 23, 0)
    assert calendar_service.year_without_notice() is None
    scheduler.catch_up(app)  # the scheduler's sweep job
    assert calendar_notes() == []
    clock(2026, 11, 1, 0, 30)
    assert calendar_service.year_without_notice() == 2027
    scheduler.catch_up(app)
    assert len(calendar_notes()) == 2  # the demo district's administrator and supervisor
    scheduler.catch_up(app)
    assert app.test_cli_runner().invoke(args=["sweep"]).exit_code == 0  # cron's sweep
    assert len(calendar_notes()) == 2  # once
    rows = calendar_notes()
    assert {r.user.role for r in rows} == {"admin", "supervisor"}
    assert all("2027" in r.subject for r in rows)
    clock(2026, 11, 21, 9, 0)  # the day after the notice
    calendar_service.enter_year(user("admin"), 2027, NOTICE_2027, 0, "api")
    assert calendar_service.year_without_notice() is None


def test_the_warning_day_is_configurable(ctx, app):
    app.config["CALENDAR_WARN_FROM"] = "12-15"
    try:
        clock(2026, 12, 1, 9, 0)
        assert calendar_service.year_without_notice() is None
        clock(2026, 12, 15, 9, 0)
        assert calendar_service.year_without_notice() == 2027
    finally:
        app.config["CALENDAR_WARN_FROM"] = "11-01"


# --- pages -------------------------------------------------------------------------------------


def test_calendar_page_grid_banner_and_entry(client):
    timeutil.set_clock(local(2026, 11, 20, 10, 0))
    login(client, "admin")
    page = client.get("/admin/calendar/2027").get_data(as_text=True)
    assert 'id="calendar-banner"' in page
    assert 'data-provisional="true"' in page
    assert 'class="holiday" data-date="2027-02-09" title="春节（补假）"' in page
    assert 'class="weekend" data-date="2027-01-02"' in page
    token = csrf_token(client, "/admin/calendar/2027")
    form = {
        "csrf_token": token,
        "version": "0",
        "notice_number": "国办发明电〔2026〕99号",
        "notice_date": "2026-11-20",
        "holidays": "\n".join(f"{d['date']} {d['name']}" for d in NOTICE_2027["holidays"]),
        "workdays": "2027-02-22 春节",  # a Monday: refused
    }
    refused = client.post("/admin/calendar/2027", data=form)
    assert refused.status_code == 422
    assert "调休" in refused.get_data(as_text=True)
    with client.application.app_context():
        assert db.session.get(CalendarYear, 2027) is None
    form["workdays"] = "2027-02-20 春节"
    done = client.post("/admin/calendar/2027", data=form, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert done.status_code == 200
    assert 'class="workday" data-date="2027-02-20" title="春节"' in page
    assert "国办发明电〔2026〕99号" in page and 'id="calendar-banner"' not in page


def test_calendar_page_roles(client):
    login(client, "supervisor")
    assert client.get("/admin/calendar/2027").status_code == 200
    page = client.get("/admin/calendar/2027").get_data(as_text=True)
    assert 'id="calendar-form"' not in page
    token = csrf_token(client, "/admin/calendar/2027")
    form = {"csrf_token": token, "version": "0"}
    assert client.post("/admin/calendar/2027", data=form).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    login(client, "child_director")
    assert client.get("/admin/calendar/2027").status_code == 403
    assert client.get("/admin/calendar/1700").status_code == 403


def test_calculator_page(client):
    login(client, "child_director")
    page = client.get("/deadlines/calculator?start=2026-12-28T10:00&period=5d").get_data(
        as_text=True
    )
    assert 'id="calculator-result" data-provisional="true"' in page
    assert "2027-01-05 00:00" in page and "2027-01-02" in page
    bad = client.get("/deadlines/calculator?start=2026-12-28T10:00&period=5x")
    assert bad.status_code == 422 and 'id="calculator-errors"' in bad.get_data(as_text=True)


# --- the command ---------------------------------------------------------------------------

TOML_2027 = """
year = 2027
[notice]
number = "国办发明电〔2026〕99号"
date = 2026-11-20
[[holidays]]
date = 2027-01-01
name = "元旦"
[[holidays]]
date = 2027-02-05
name = "春节"
[[workdays]]
date = 2027-02-20
name = "春节"
"""


def test_the_command_enters_a_toml_or_json_file(clean, tmp_path):
    timeutil.set_clock(local(2026, 11, 21, 9, 0))
    runner = clean.test_cli_runner()
    path = tmp_path / "2027.toml"
    path.write_text(TOML_2027, encoding="utf-8")
    result = runner.invoke(args=["calendar", "load", str(path), "--by", "admin"])
    assert result.exit_code == 0, result.output
    assert "国办发明电〔2026〕99号" in result.output
    with clean.app_context():
        row = db.session.get(CalendarYear, 2027)
        assert (row.source, row.entered_by.username, row.version) == ("notice", "admin", 1)
        assert db.session.get(CalendarDay, date(2027, 2, 20)).kind == "workday"
        assert db.session.scalars(select(CalendarChange.channel)).all() == ["command"]
    as_json = tmp_path / "2028.json"
    as_json.write_text(
        '{"year": 2028, "notice": {"number": "国办发明电〔2027〕1号", "date": "2026-11-21"},'
        ' "holidays": [{"date": "2028-01-01", "name": "元旦"}]}',
        encoding="utf-8",
    )
    result = runner.invoke(args=["calendar", "load", str(as_json), "--by", "admin"])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(args=["calendar", "show", "2029"])
    assert shown.exit_code == 0 and "provisional" in shown.output


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("2027.toml", "year = 2027\n[notice\n", "malformed"),
        ("2027.json", '{"year": 2027,', "malformed"),
        ("2027.json", "[1, 2]", "one object"),
        ("2027.txt", TOML_2027, ".toml or .json"),
        ("2027.toml", TOML_2027.replace("year = 2027", ""), "year"),
        ("2027.toml", TOML_2027.replace("date = 2027-02-20", "date = 2027-02-22"), "调休"),
        ("2027.toml", TOML_2027 + "\nsource = 'x'\n", "source"),
        ("2027.toml", TOML_2027.replace("date = 2027-01-01", "date = 2026-01-01"), "2026-01-01"),
    ],
)
def test_a_refused_file_saves_nothing(clean, tmp_path, name, text, says):
    timeutil.set_clock(local(2026, 11, 21, 9, 0))
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    with clean.app_context():
        before = state()
    result = clean.test_cli_runner().invoke(args=["calendar", "load", str(path), "--by", "admin"])
    assert result.exit_code != 0
    assert says in result.output and "未保存任何内容" in result.output
    with clean.app_context():
        assert state() == before


def test_the_command_refuses_a_user_who_is_not_an_administrator(clean, tmp_path):
    timeutil.set_clock(local(2026, 11, 21, 9, 0))
    path = tmp_path / "2027.toml"
    path.write_text(TOML_2027, encoding="utf-8")
    result = clean.test_cli_runner().invoke(
        args=["calendar", "load", str(path), "--by", "supervisor"]
    )
    assert result.exit_code != 0 and "未保存任何内容" in result.output
    with clean.app_context():
        assert db.session.get(CalendarYear, 2027) is None


# --- wherever a provisional deadline is shown ----------------------------------------------


def test_a_provisional_deadline_says_so_on_pages_and_in_reminders(client):
    with client.application.test_request_context():
        clock(2026, 12, 30, 10, 0)
        case = file_report(local(2026, 12, 30, 9, 0))
        open_days(case, local(2026, 12, 30, 10, 0))  # Wed + 3 → Sat 01-02 → Mon 01-04
        deadline = open_days(case, local(2026, 11, 2, 10, 0))  # 2026: official
        db.session.commit()
        case_id, official_id = case.id, deadline.id
        clock(2027, 1, 4, 9, 0)  # the provisional one is due within 24 hours
        sweeps.run()
        db.session.commit()
        subjects = db.session.scalars(
            select(Notification.subject).where(Notification.kind == "reminder")
        ).all()
    assert subjects and all("临时日历" in s for s in subjects)
    login(client, "police")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-provisional="true"' in page and "按临时日历计算" in page
    assert page.count('class="badge text-bg-warning provisional"') == 1  # not on the 2026 one
    listing = client.get("/cases").get_data(as_text=True)
    assert "临时日历" in listing
    work = client.get("/").get_data(as_text=True)
    assert "临时日历" in work
    with client.application.app_context():
        assert db.session.get(Deadline, official_id).provisional is False


def test_the_command_counts_a_year_again(clean):
    with clean.test_request_context():
        clock(2026, 12, 29, 10, 0)
        case = file_report(local(2026, 12, 29, 9, 0))
        deadline = open_days(case, local(2026, 12, 29, 10, 0))
        # As the old code left it: 2027 in plain days, ending on 元旦 itself.
        deadline.due_at, deadline.provisional = midnight(2027, 1, 1), False
        db.session.commit()
        deadline_id = deadline.id
    runner = clean.test_cli_runner()
    result = runner.invoke(args=["calendar", "recompute", "2027", "--by", "admin"])
    assert result.exit_code == 0 and "1 个期限" in result.output, result.output
    with clean.app_context():
        moved = db.session.get(Deadline, deadline_id)
        assert (moved.due_at, moved.provisional) == (midnight(2027, 1, 4), True)
        (event,) = [e for e in moved.case.events if e.trigger == "deadline_recomputed"]
        assert event.actor.username == "admin"
    again = runner.invoke(args=["calendar", "recompute", "2027", "--by", "admin"])
    assert "0 个期限" in again.output
    refused = runner.invoke(args=["calendar", "recompute", "2027", "--by", "supervisor"])
    assert refused.exit_code != 0
