"""The in-app inbox, the unread badge, notification settings, the notifications API, and
follow-up visit plans (rule pack [visit_plans.*]) opening the planned visits in turn."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import Case, Deadline, Notification
from caseflow.services import notifications as notification_service
from caseflow.services import visits
from tests.conftest import api_token, csrf_token, login, user
from tests.integration.test_deadlines_and_audit import clock, file_report, fire, local, org


def follow_up_report() -> Case:
    """A mandatory report walked to following_up; start_follow_up at Fri 2026-11-06 15:00."""
    clock(2026, 11, 2, 10, 15)
    case = file_report(discovered_at=local(2026, 11, 2, 8, 15))
    clock(2026, 11, 3, 9, 0)
    fire("police", case, "accept", comment="")
    fire("police", case, "start_verification", verifier=user("child_supervisor").id)
    fire("child_supervisor", case, "verify", findings="属实。", risk_level="high")
    fire("police", case, "refer", to_orgs=[org("石柱县民政局").id], reason="转介。")
    clock(2026, 11, 6, 15, 0)
    fire("police", case, "start_follow_up", comment="")
    return case


def visit_deadlines(case: Case) -> list[tuple]:
    db.session.expire_all()
    found = db.session.scalars(
        select(Deadline)
        .where(Deadline.case_id == case.id, Deadline.kind.in_(("visit_due", "first_visit_due")))
        .order_by(Deadline.id)
    )
    return [(d.kind, d.due_at, d.status) for d in found]


def record(case: Case, done_at, outcome="safe", next_due=None):
    timeutil.set_clock(done_at)
    return visits.record(
        case, user("police"), done_at, "home", outcome, "回访。", next_due, case.version
    )


def seed_notifications(app):
    """Three for child_director (one read), one for police."""
    with app.app_context():
        director, police = user("child_director"), user("police")
        for i in range(3):
            notification_service.notify(director, f"t:{i}", "reminder", f"MR-2026-00000{i}: due")
        notification_service.notify(police, "t:p", "escalation", "POLICE-ONLY subject")
        notification_service.mark_read(director, [_first_id(director)])
        db.session.commit()


def _first_id(u):
    return db.session.scalar(
        select(Notification.id).where(Notification.user_id == u.id).order_by(Notification.id)
    )


# --- the inbox ------------------------------------------------------------------------------


def test_inbox_shows_only_own_notifications_with_badge(client, clean):
    seed_notifications(clean)
    login(client, "child_director")
    page = client.get("/notifications").get_data(as_text=True)
    assert "MR-2026-000000: due" in page and "MR-2026-000002: due" in page
    assert "POLICE-ONLY" not in page
    assert 'id="unread-count">2<' in page
    # Unread first.
    assert page.index("MR-2026-000002") < page.index("MR-2026-000000")
    # The badge is on other pages too.
    assert 'id="unread-count">2<' in client.get("/cases").get_data(as_text=True)


def test_no_badge_without_unread_and_login_required(client, clean):
    assert client.get("/notifications").status_code == 302
    login(client, "police")
    page = client.get("/cases").get_data(as_text=True)
    assert 'id="nav-notifications"' in page and "unread-count" not in page


def test_mark_selected_and_all_read(client, clean):
    seed_notifications(clean)
    login(client, "child_director")
    with clean.app_context():
        director = user("child_director")
        unread = db.session.scalars(
            select(Notification.id).where(
                Notification.user_id == director.id, Notification.read_at.is_(None)
            )
        ).all()
        police_id = db.session.scalar(
            select(Notification.id).where(Notification.user_id == user("police").id)
        )
    # Without a CSRF token: refused.
    assert client.post("/notifications/read", data={"ids": unread[0]}).status_code == 400
    token = csrf_token(client, "/notifications")
    data = {"ids": [str(unread[0]), str(police_id), "junk", "99999999999"], "csrf_token": token}
    assert client.post("/notifications/read", data=data).status_code == 302
    with clean.app_context():
        assert notification_service.unread_count(user("child_director")) == 1
        assert notification_service.unread_count(user("police")) == 1  # not theirs: untouched
    client.post("/notifications/read", data={"all": "1", "csrf_token": token})
    with clean.app_context():
        assert notification_service.unread_count(user("child_director")) == 0
    assert "unread-count" not in client.get("/notifications").get_data(as_text=True)


def test_settings_form_validates_and_saves(client, clean):
    login(client, "police")
    token = csrf_token(client, "/settings/notifications")
    bad = client.post(
        "/settings/notifications",
        data={"email": "not an email", "notify_mode": "digest", "csrf_token": token},
    )
    assert bad.status_code == 422
    bad = client.post(
        "/settings/notifications",
        data={"email": "", "notify_mode": "hourly", "csrf_token": token},
    )
    assert bad.status_code == 422
    assert client.post("/settings/notifications", data={"notify_mode": "digest"}).status_code == 400
    ok = client.post(
        "/settings/notifications",
        data={"email": " police@example.cn ", "notify_mode": "digest", "csrf_token": token},
    )
    assert ok.status_code == 302
    with clean.app_context():
        police = user("police")
        assert (police.email, police.notify_mode) == ("police@example.cn", "digest")
    assert 'value="police@example.cn"' in client.get("/settings/notifications").get_data(
        as_text=True
    )
    client.post(
        "/settings/notifications",
        data={"email": "", "notify_mode": "immediate", "csrf_token": token},
    )
    with clean.app_context():
        police = user("police")
        assert (police.email, police.notify_mode) == (None, "immediate")


def test_a_visit_alert_reaches_the_supervisor_without_the_subjects_identity(client, clean):
    with clean.test_request_context():
        case = follow_up_report()
        record(case, local(2026, 11, 9, 10, 0), outcome="escalate")
        db.session.commit()
        number, case_id = case.number, case.id
        alerts = db.session.scalars(select(Notification).where(Notification.kind == "visit_alert"))
        recipients = {n.user.username for n in alerts}
    assert recipients, "no supervisor was told"
    login(client, sorted(recipients)[0])
    page = client.get("/notifications").get_data(as_text=True)
    assert number in page and f'href="/cases/{case_id}"' in page
    assert "冉小雨" not in page
    with clean.app_context():
        for n in db.session.scalars(select(Notification)):
            assert "冉小雨" not in n.subject + n.body


# --- the API ---------------------------------------------------------------------------------


def test_api_pages_filters_and_marks_read(client, clean):
    with clean.app_context():
        director = user("child_director")
        for i in range(5):
            timeutil.set_clock(local(2026, 11, 1, 9, i))
            notification_service.notify(director, f"a:{i}", "reminder", f"subject {i}")
        notification_service.notify(user("police"), "a:p", "reminder", "other")
        db.session.commit()
    timeutil.set_clock(None)
    headers = api_token(client, "child_director")
    body = client.get("/api/v1/notifications?per_page=2&page=2", headers=headers).get_json()
    assert (body["page"], body["per_page"], body["total"]) == (2, 2, 5)
    assert [n["subject"] for n in body["items"]] == ["subject 2", "subject 1"]
    assert set(body["items"][0]) == {
        "id", "kind", "subject", "body", "link", "case_id", "created_at", "read_at",
    }  # fmt: skip
    ids = [n["id"] for n in body["items"]]
    done = client.post("/api/v1/notifications/read", json={"ids": ids}, headers=headers)
    assert done.get_json() == {"marked": 2, "unread": 3}
    unread = client.get("/api/v1/notifications?unread=true", headers=headers).get_json()
    assert unread["total"] == 3 and all(n["read_at"] is None for n in unread["items"])
    read = client.get("/api/v1/notifications?unread=false", headers=headers).get_json()
    assert sorted(n["id"] for n in read["items"]) == sorted(ids)
    done = client.post("/api/v1/notifications/read", json={}, headers=headers)
    assert done.get_json() == {"marked": 3, "unread": 0}
    # Another user's ids are ignored.
    with clean.app_context():
        other = db.session.scalar(select(Notification.id).where(Notification.key == "a:p"))
    client.post("/api/v1/notifications/read", json={"ids": [other]}, headers=headers)
    with clean.app_context():
        assert notification_service.unread_count(user("police")) == 1


def test_api_needs_a_token(client, clean):
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/read", json={}).status_code == 401
    bad = {"Authorization": "Bearer nope"}
    assert client.get("/api/v1/notifications", headers=bad).status_code == 401


@pytest.mark.parametrize(
    "query",
    ["per_page=201", "per_page=0", "page=0", "page=x", "unread=maybe", "sort=id", "page=%00"],
)
def test_api_bad_list_params_are_422(client, clean, query):
    headers = api_token(client, "police")
    response = client.get(f"/api/v1/notifications?{query}", headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_failed"


@pytest.mark.parametrize(
    "payload",
    [{"ids": "1"}, {"ids": [True]}, {"ids": ["1"]}, {"ids": [1.5]}, {"id": [1]}, {"ids": None}],
)
def test_api_bad_read_bodies_are_422(client, clean, payload):
    headers = api_token(client, "police")
    response = client.post("/api/v1/notifications/read", json=payload, headers=headers)
    assert response.status_code == 422, response.get_data(as_text=True)


def test_api_read_body_not_an_object_is_400_and_huge_ids_are_ignored(client, clean):
    headers = api_token(client, "police")
    bad = client.post("/api/v1/notifications/read", data="[1]", headers=headers)
    assert bad.status_code == 400
    ok = client.post("/api/v1/notifications/read", json={"ids": [2**70, -1]}, headers=headers)
    assert ok.status_code == 200 and ok.get_json()["marked"] == 0


# --- visit plans -----------------------------------------------------------------------------


def test_the_plan_opens_each_visit_in_turn_until_done(ctx):
    case = follow_up_report()
    # start_follow_up Fri 11-06 15:00; plan [7, 30, 90] days from that moment.
    assert visit_deadlines(case) == [("visit_due", local(2026, 11, 14), "open")]
    record(case, local(2026, 11, 10, 10, 0))
    # 30 days from 11-06 → last day Sun 12-06 → Mon 12-07 (end of day).
    assert visit_deadlines(case)[1:] == [("visit_due", local(2026, 12, 8), "open")]
    record(case, local(2026, 12, 1, 10, 0))
    # 90 days from 11-06 → 2027-02-04 (Thursday).
    assert visit_deadlines(case)[2:] == [("visit_due", local(2027, 2, 5), "open")]
    record(case, local(2027, 2, 1, 10, 0))
    assert [d[2] for d in visit_deadlines(case)] == ["met", "met", "met"]  # the plan is done


def test_a_chosen_next_date_wins_and_the_plan_resumes_after_it(ctx):
    case = follow_up_report()
    chosen = local(2026, 11, 20, 9, 0)
    record(case, local(2026, 11, 10, 10, 0), next_due=chosen)
    assert visit_deadlines(case)[1:] == [("visit_due", chosen, "open")]
    record(case, local(2026, 11, 18, 10, 0))
    assert visit_deadlines(case)[2:] == [("visit_due", local(2026, 12, 8), "open")]


def test_a_late_visit_skips_the_planned_dates_already_past(ctx):
    case = follow_up_report()
    record(case, local(2026, 12, 20, 10, 0))  # the 7-day and 30-day visits both missed
    assert visit_deadlines(case)[1:] == [("visit_due", local(2027, 2, 5), "open")]


def test_a_jurisdiction_overrides_the_plan(clean, tmp_path):
    from caseflow.config import Config

    text = Path(Config.RULE_PACK).read_text(encoding="utf-8")
    text += '\n[overrides."500240001001".visit_plans.mandatory_report]\ndays = [3, 10]\n'
    pack = tmp_path / "pack.toml"
    pack.write_text(text, encoding="utf-8")
    old = clean.config["RULE_PACK"]
    clean.config["RULE_PACK"] = str(pack)
    try:
        with clean.test_request_context():
            case = follow_up_report()
            # 3 days from Fri 11-06 → Mon 11-09 (end of day).
            assert visit_deadlines(case) == [("visit_due", local(2026, 11, 10), "open")]
            record(case, local(2026, 11, 9, 10, 0))
            assert visit_deadlines(case)[1:] == [("visit_due", local(2026, 11, 17), "open")]
            record(case, local(2026, 11, 12, 10, 0))
            assert len(visit_deadlines(case)) == 2  # done
            db.session.rollback()
    finally:
        clean.config["RULE_PACK"] = old


def test_no_plan_after_the_last_visit_with_a_time_check(ctx):
    case = follow_up_report()
    assert timeutil.now() - local(2026, 11, 6, 15, 0) == timedelta(0)
    record(case, local(2027, 3, 1, 10, 0))  # every planned date past
    assert [d[2] for d in visit_deadlines(case)] == ["missed"]  # done, late; nothing next
