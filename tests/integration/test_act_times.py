"""The time of the act, not the time of typing (issue 11), through the JSON API and the
case page: the act's time is kept apart from its entry, bounded (not in the future, not
before the step it follows), used by the guards and deadlines, and an entry made long after
the act is marked "late entry" with both times and who entered it. Also the protection-order
steps whose legal effect hangs on an act's time: the rejection's service (the window runs
from it), the respondent's 复议 of a granted order (Art. 31) and the court's finding of
urgency at acceptance (Art. 28).

Times are Asia/Shanghai; T0 is Monday 2 March 2026, 09:00 (no holiday in the weeks around:
the weekends of 7–8 March and 14–15 March are the only rest days that matter).
"""

import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import Case, Deadline
from tests.conftest import login, user
from tests.integration.test_api_domestic_violence import (
    LOCAL,
    DvApi,
    assert_error,
    deadline,
    fire,
    iso,
    po_accepted,
    po_in_force,
    po_issued,
    po_rejected,
    service,
    t,
    utc,
)


@pytest.fixture
def api(client):
    api = DvApi(client)
    api.at(t())
    return api


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL)


def last_event(case: dict) -> dict:
    return case["events"][-1]


def case_count(api) -> int:
    with api.app.app_context():
        return db.session.scalar(select(func.count()).select_from(Case))


# --- reconsideration of a rejection: judged by the time the party applied ----------------


def test_a_timely_reconsideration_entered_late_is_accepted_and_marked(api, client):
    case_id = po_rejected(api)  # ruled and served 2 March 05:00: the window ends 9 March 24:00
    window = deadline(api.case("womens_federation", case_id), "reconsideration_window")
    assert window["due_at"] == utc(at(2026, 3, 10))
    # Entered on 11 March, after the sweep has marked the unused window missed.
    api.at(at(2026, 3, 11, 10, 0))
    with api.app.app_context():
        from caseflow.deadlines import ledger

        ledger.sweep()
        db.session.commit()
    assert deadline(api.case("womens_federation", case_id), "reconsideration_window")["status"] == (
        "missed"
    )
    # Applied for at the window's end: too late, refused with the reason, nothing changed.
    error = api.refused(
        "womens_federation",
        case_id,
        "request_reconsideration",
        422,
        "validation_failed",
        ["requested_at"],
        requested_at=iso(at(2026, 3, 10, 0, 0)),
        reason="不服驳回裁定。",
    )
    assert "2026-03-10 00:00" in error["fields"]["requested_at"][0]
    # Applied for on the last afternoon: in time, however late it is typed in.
    case = fire(
        api,
        "womens_federation",
        case_id,
        "request_reconsideration",
        requested_at=iso(at(2026, 3, 9, 16, 0)),
        reason="不服驳回裁定。",
    )
    assert case["state"] == "reconsideration"
    assert case["fields"]["reconsideration_requested_at"] == utc(at(2026, 3, 9, 16, 0))
    window = deadline(case, "reconsideration_window")
    assert window["status"] == "met" and window["closed_at"] == utc(at(2026, 3, 9, 16, 0))
    event = last_event(case)
    assert event["at"] == utc(at(2026, 3, 11, 10, 0))  # the entry
    assert event["data"]["acted_at"] == at(2026, 3, 9, 16, 0).isoformat()  # the act
    assert event["data"]["late_entry"] is True and event["data"]["late_entry_hours"] == 24

    # The timeline shows both times, who entered it, and the mark.
    login(client, "womens_federation")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    entry = page[page.index('data-trigger="request_reconsideration"') :]
    entry = entry[: entry.index("</li>")]
    assert "2026-03-09 16:00" in entry and "2026-03-11 10:00" in entry
    assert "late-entry" in entry
    assert "2026-03-11 10:00" in entry and user_name(api, "womens_federation") in entry


def user_name(api, username) -> str:
    with api.app.app_context():
        return user(username).display_name


def test_a_reconsideration_entered_soon_after_the_act_is_no_late_entry(api):
    case_id = po_rejected(api)
    api.at(at(2026, 3, 4, 9, 0))
    case = fire(
        api,
        "womens_federation",
        case_id,
        "request_reconsideration",
        requested_at=iso(at(2026, 3, 3, 16, 0)),  # 17 hours before its entry
        reason="不服。",
    )
    assert "late_entry" not in last_event(case)["data"]
    assert last_event(case)["data"]["acted_at"] == at(2026, 3, 3, 16, 0).isoformat()


def test_the_late_entry_threshold_is_configured(api, monkeypatch):
    monkeypatch.setitem(api.app.config, "LATE_ENTRY_HOURS", 12)
    case_id = po_issued(api)  # issued 05:00
    api.at(t(hours=14))  # 23:00, 14 hours after the service at 09:00 of the last party
    case = fire(api, "court_liaison", case_id, "serve", **service(served_committee_at=iso(t())))
    data = last_event(case)["data"]
    assert data["acted_at"] == t().isoformat()
    assert data["late_entry"] is True and data["late_entry_hours"] == 12


def test_the_rejection_window_runs_from_service(api):
    api.at(t(days=1))  # Tuesday 3 March
    case_id = po_accepted(api)
    case = fire(
        api,
        "court_liaison",
        case_id,
        "reject",
        ruled_at=iso(t(days=1, hours=-1)),
        reason="证据不足。",
    )
    # Not served yet: no window, and no reconsideration to record.
    assert [d for d in case["deadlines"] if d["kind"] == "reconsideration_window"] == []
    assert api.case("womens_federation", case_id)["actions"] == ["request_closure"]
    assert api.case("court_liaison", case_id)["actions"] == ["serve_rejection"]
    error = api.refused(
        "womens_federation",
        case_id,
        "request_reconsideration",
        409,
        "invalid_transition",
        requested_at=iso(t(days=1)),
        reason="不服。",
    )
    assert "31" in error["message"]
    # Service before the ruling or in the future: refused, nothing changed.
    for when in (t(days=1, hours=-2), t(days=1, hours=1)):
        api.refused(
            "court_liaison",
            case_id,
            "serve_rejection",
            422,
            "validation_failed",
            ["served_at"],
            served_at=iso(when),
        )
    # Served on Thursday 5 March: 5 days from then, the start day excluded, end on
    # Tuesday 10 March at 24:00 (from the ruling it would have ended on Monday 9 March).
    api.at(at(2026, 3, 5, 12, 0))
    case = fire(
        api, "court_liaison", case_id, "serve_rejection", served_at=iso(at(2026, 3, 5, 10, 0))
    )
    assert case["state"] == "rejected"
    assert case["fields"]["rejection_served_at"] == utc(at(2026, 3, 5, 10, 0))
    window = deadline(case, "reconsideration_window")
    assert window["due_at"] == utc(at(2026, 3, 11)) and window["opened_at"] == utc(
        at(2026, 3, 5, 10, 0)
    )
    assert api.case("court_liaison", case_id)["actions"] == []  # served once
    api.refused(
        "court_liaison",
        case_id,
        "serve_rejection",
        409,
        "invalid_transition",
        served_at=iso(at(2026, 3, 5, 11, 0)),
    )
    # Applied for on 10 March: in time, counted from service.
    api.at(at(2026, 3, 10, 21, 0))
    case = fire(
        api,
        "womens_federation",
        case_id,
        "request_reconsideration",
        requested_at=iso(at(2026, 3, 10, 20, 0)),
        reason="不服。",
    )
    assert case["state"] == "reconsideration"
    assert deadline(case, "reconsideration_window")["status"] == "met"


def test_a_window_on_a_provisional_calendar_warns_instead_of_refusing(api):
    """The calendar's `provisional` flag on a deadline: a late act is allowed and the
    warning kept on its timeline entry (the official calendar may give more days)."""
    from caseflow.services import cases

    case_id = po_rejected(api)  # window ends 9 March 24:00
    api.at(at(2026, 3, 12, 9, 0))
    with api.app.app_context():
        case = db.session.get(Case, case_id)
        window = db.session.scalar(
            select(Deadline).where(
                Deadline.case_id == case_id, Deadline.kind == "reconsideration_window"
            )
        )
        window.provisional = True
        data = {"requested_at": at(2026, 3, 11, 9, 0), "reason": "不服。"}
        cases.fire(user("womens_federation"), case, "request_reconsideration", data, case.version)
        db.session.commit()
    case = api.case("womens_federation", case_id)
    assert case["state"] == "reconsideration"
    assert last_event(case)["data"]["window_warning"] == "late_on_provisional_calendar"


# --- mandatory reports: the report made, not the report typed --------------------------


def report(**changes) -> dict:
    body = {
        "type": "mandatory_report",
        "jurisdiction": "500240001001",
        "reporter_org_type": "school",
        "discovered_at": iso(at(2026, 3, 2, 9, 0)),
        "situation_codes": [4],
        "description": "学生身上多处淤青，称被继父殴打。",
        "subject": {"name": "谭小雨", "sex": "F", "birth_date": "2015-03-08"},
    }
    return body | changes


def test_a_report_phoned_in_at_once_and_entered_later_is_not_late(api, client):
    api.at(at(2026, 3, 3, 15, 0))  # 30 hours after the discovery
    phoned = api.create(
        "child_director",
        report(
            reported_at=iso(at(2026, 3, 2, 9, 10)),
            report_channel="phone_110",
            reported_to="110指挥中心",
        ),
    )
    assert phoned["fields"]["reported_at"] == utc(at(2026, 3, 2, 9, 10))
    assert phoned["fields"]["report_channel"] == "phone_110"
    assert phoned["fields"]["reported_to"] == "110指挥中心"
    late = deadline(phoned, "report_late")
    assert late["status"] == "met" and late["closed_at"] == utc(at(2026, 3, 2, 9, 10))
    # The police had it from the call: acceptance is due 24 hours from then, counted from
    # the next full hour (民事诉讼法 Art. 85 ¶2).
    assert deadline(phoned, "accept_due")["due_at"] == utc(at(2026, 3, 3, 10, 0))
    submit = phoned["events"][0]["data"]
    assert submit["acted_at"] == at(2026, 3, 2, 9, 10).isoformat()
    assert submit["late_entry"] is True
    # The same facts reported only now, by entering them: 30 hours after discovery, late.
    typed = api.create("child_director", report())
    assert typed["fields"]["report_channel"] == "system"
    assert deadline(typed, "report_late")["status"] == "missed"
    assert "late_entry" not in typed["events"][0]["data"]
    # The page says how, to whom and when it was made, and when it was entered.
    login(client, "child_director")
    page = client.get(f"/cases/{phoned['id']}").get_data(as_text=True)
    reported = page[page.index('id="reported"') :][:600]
    assert "2026-03-02 09:10" in reported and "110指挥中心" in reported
    assert "2026-03-03 15:00" in reported


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reported_at": iso(at(2026, 3, 3, 16, 0))}, "reported_at"),  # in the future
        ({"reported_at": iso(at(2026, 3, 2, 8, 0))}, "reported_at"),  # before the discovery
        ({"report_channel": "carrier_pigeon"}, "report_channel"),
        ({"reported_to": "x" * 201}, "reported_to"),
    ],
)
def test_impossible_report_times_are_refused_and_nothing_is_saved(api, changes, field):
    api.at(at(2026, 3, 3, 15, 0))
    before = case_count(api)
    response = api.post("child_director", "/api/v1/cases", report(**changes))
    error = assert_error(response, 422, "validation_failed", [field])
    assert error["fields"][field]
    assert case_count(api) == before


# --- other acts: bounds and marks --------------------------------------------------------


def test_a_visit_cannot_be_before_the_case_began_and_is_marked_when_entered_late(api):
    case_id = api.create(
        "police",
        {
            "type": "dv_warning",
            "jurisdiction": "500240001001",
            "call_at": iso(t(hours=-3)),
            "abuser": {"name": "王大强", "relation": "spouse"},
            "violence_forms": ["physical"],
            "subject": {"name": "李秀英", "sex": "F"},
            "description": "报警称丈夫殴打。",
        },
    )["id"]
    fire(api, "police", case_id, "criticize", victim_informed=True)
    path = f"/api/v1/cases/{case_id}/visits"
    version = api.case("police", case_id)["version"]
    body = {"version": version, "method": "home", "outcome": "safe"}
    before = api.snapshot(case_id)
    response = api.post("police", path, body | {"done_at": iso(t(hours=-4))})
    assert_error(response, 422, "validation_failed", ["done_at"])
    assert api.snapshot(case_id) == before
    api.at(t(days=3))
    response = api.post("police", path, body | {"done_at": iso(t(hours=1))})
    assert response.status_code == 201, response.get_data(as_text=True)
    event = api.case("police", case_id)["events"][-1]
    assert event["trigger"] == "visit_recorded"
    assert event["data"]["acted_at"] == t(hours=1).isoformat()
    assert event["data"]["late_entry"] is True


def test_a_warning_delivered_long_before_its_entry_is_marked(api):
    case_id = api.create(
        "police",
        {
            "type": "dv_warning",
            "jurisdiction": "500240001001",
            "call_at": iso(t(hours=-3)),
            "abuser": {"name": "王大强", "relation": "spouse"},
            "violence_forms": ["physical"],
            "subject": {"name": "李秀英", "sex": "F"},
            "description": "报警称丈夫殴打。",
        },
    )["id"]
    fire(
        api,
        "police",
        case_id,
        "issue_warning",
        warning_number="石公(南)告字〔2026〕88号",
        issued_at=iso(t(hours=-2)),
        facts="殴打配偶",
        prohibition="禁止再次实施家庭暴力",
        abuser_address="城南社区五组",
    )
    api.at(t(days=2))
    case = fire(
        api,
        "police",
        case_id,
        "deliver",
        delivered_abuser_at=iso(t(hours=-1)),
        delivered_victim_at=iso(t(hours=-1)),
        committee_notified_at=iso(t()),
        committee_name="城南社区居民委员会",
    )
    data = last_event(case)["data"]
    assert data["acted_at"] == t().isoformat() and data["late_entry"] is True
    assert deadline(case, "deliver_due")["closed_at"] == utc(t())


def test_legal_aid_acts_are_kept_with_their_time(api):
    case_id = api.create(
        "womens_federation",
        {
            "type": "legal_aid",
            "jurisdiction": "500240001001",
            "subject": {"name": "罗晓梅", "sex": "F"},
            "matter": "divorce",
            "description": "离婚诉讼代理，丈夫长期家暴。",
            "means_test_exempt_reason": "domestic_violence",
        },
    )["id"]
    api.at(t(days=2))
    case = fire(api, "legal_aid", case_id, "receive_application", received_at=iso(t(hours=1)))
    assert last_event(case)["data"]["late_entry"] is True
    # Decision due 7 days from receipt, the act: 2 March + 7 = 9 March, ends 24:00.
    assert deadline(case, "decision_due")["due_at"] == utc(at(2026, 3, 10))
    fire(api, "legal_aid", case_id, "request_materials", materials="身份证明")
    api.refused(
        "legal_aid",
        case_id,
        "supply_materials",
        422,
        "validation_failed",
        ["supplied_at"],
        supplied_at=iso(t(hours=2)),  # before the materials were asked for
    )
    api.at(t(days=2, hours=3))
    case = fire(api, "legal_aid", case_id, "supply_materials", supplied_at=iso(t(days=2, hours=1)))
    assert "late_entry" not in last_event(case)["data"]
    assert last_event(case)["data"]["acted_at"] == t(days=2, hours=1).isoformat()


# --- the respondent's 复议 of a granted order (Art. 31) ----------------------------------


def test_the_respondents_reconsideration_window_opens_at_service(api):
    case_id = po_in_force(api)  # served on the respondent 2 March 07:00
    window = deadline(api.case("court_liaison", case_id), "respondent_review_window")
    # 5 days, the start day excluded: Saturday 7 March rolls to Monday 9 March, 24:00.
    assert window["opened_at"] == utc(t(hours=-2))
    assert window["due_at"] == utc(at(2026, 3, 10))
    assert window["status"] == "open"


def test_who_may_record_the_respondents_reconsideration(api):
    case_id = po_in_force(api)
    body = {"requested_at": iso(t(hours=-1)), "reason": "被申请人不服。"}
    # The respondent applies to the court: the applicant side, the police and supervisors
    # do not record it.
    for username in ("womens_federation", "police", "supervisor"):
        api.refused(username, case_id, "request_respondent_review", 403, "forbidden", **body)
    for username in ("hotline", "statistician"):  # outside their scope altogether
        api.refused(username, case_id, "request_respondent_review", 404, "not_found", **body)
    case = fire(api, "court_liaison", case_id, "request_respondent_review", **body)
    assert case["fields"]["respondent_review"]["requested_at"] == utc(t(hours=-1))
    assert deadline(case, "respondent_review_window")["status"] == "met"
    # It does not stay the order: still in force, violations still reported.
    assert case["state"] == "in_force"
    assert api.case("womens_federation", case_id)["actions"] == ["record_violation"]
    assert "request_respondent_review" not in case["actions"]
    assert {"decide_respondent_review", "revoke_on_review"} <= set(case["actions"])
    # Once only (Art. 31).
    api.refused(
        "court_liaison",
        case_id,
        "request_respondent_review",
        409,
        "invalid_transition",
        **body,
    )
    # Only the court decides it.
    api.refused(
        "womens_federation",
        case_id,
        "decide_respondent_review",
        403,
        "forbidden",
        decided_at=iso(t()),
        outcome="upheld",
        reason="维持",
    )


@pytest.mark.parametrize("outcome", ["upheld", "changed", "revoked"])
def test_the_courts_decision_on_the_respondents_reconsideration(api, outcome):
    case_id = po_in_force(api)
    fire(
        api,
        "court_liaison",
        case_id,
        "request_respondent_review",
        requested_at=iso(t(hours=-1)),
        reason="被申请人不服。",
    )
    api.at(t(days=2))
    # Not before the application; a change needs the measures it keeps.
    api.refused(
        "court_liaison",
        case_id,
        "decide_respondent_review",
        422,
        "validation_failed",
        ["decided_at"],
        decided_at=iso(t(hours=-2)),
        outcome="upheld",
        reason="维持。",
    )
    api.refused(
        "court_liaison",
        case_id,
        "decide_respondent_review",
        422,
        "validation_failed",
        ["granted_measures"],
        decided_at=iso(t(days=1)),
        outcome="changed",
        granted_measures=[],
        reason="变更。",
    )
    api.refused(
        "court_liaison",
        case_id,
        "decide_respondent_review",
        422,
        "validation_failed",
        ["outcome"],
        decided_at=iso(t(days=1)),
        outcome="revoked",  # a revocation is its own step: it ends the order
        reason="撤销。",
    )
    decided = t(days=1)
    if outcome == "revoked":
        case = fire(
            api,
            "court_liaison",
            case_id,
            "revoke_on_review",
            decided_at=iso(decided),
            reason="复议撤销。",
        )
        assert case["state"] == "ended"
        assert case["fields"]["end_reason"] == "revoked"
        assert case["fields"]["ended_at"] == utc(decided)
    else:
        extra = {"granted_measures": ["no_violence"]} if outcome == "changed" else {}
        case = fire(
            api,
            "court_liaison",
            case_id,
            "decide_respondent_review",
            decided_at=iso(decided),
            outcome=outcome,
            reason="复议决定。",
            **extra,
        )
        assert case["state"] == "in_force"
        expected = ["no_violence"] if outcome == "changed" else ["no_contact", "no_violence"]
        assert case["fields"]["granted_measures"] == expected
        assert not {"decide_respondent_review", "revoke_on_review"} & set(case["actions"])
    review = case["fields"]["respondent_review"]
    assert review["outcome"] == outcome and review["decided_at"] == utc(decided)
    assert last_event(case)["data"]["outcome"] == outcome


def test_the_respondents_reconsideration_is_judged_by_when_it_was_made(api):
    case_id = po_in_force(api)  # the window ends 9 March 24:00
    api.at(at(2026, 3, 10, 9, 0))
    for when in (at(2026, 3, 10, 0, 0), t(hours=-3)):  # too late; before the service
        api.refused(
            "court_liaison",
            case_id,
            "request_respondent_review",
            422,
            "validation_failed",
            ["requested_at"],
            requested_at=iso(when),
            reason="被申请人不服。",
        )
    api.refused(
        "court_liaison",
        case_id,
        "request_respondent_review",
        422,
        "validation_failed",
        ["requested_at"],
        requested_at=iso(at(2026, 3, 10, 10, 0)),  # in the future
        reason="被申请人不服。",
    )
    case = fire(
        api,
        "court_liaison",
        case_id,
        "request_respondent_review",
        requested_at=iso(at(2026, 3, 9, 20, 0)),
        reason="被申请人不服。",
    )
    assert case["fields"]["respondent_review"]["requested_at"] == utc(at(2026, 3, 9, 20, 0))


# --- urgency is the court's decision (Art. 28) -----------------------------------------


def test_the_acceptance_form_shows_the_request_and_leaves_the_decision_to_the_court(api, client):
    from tests.integration.test_api_domestic_violence import po_filed

    case_id = po_filed(api, urgent=True)
    login(client, "court_liaison")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    form = page[page.index('data-trigger="court_accept"') :]
    form = form[: form.index("</form>")]
    [box] = re.findall(r'<input[^>]*name="court_accept-urgent"[^>]*>', form)
    assert "checked" not in box  # not pre-ticked from the applicant's request
    hints = ("The applicant asked for an urgent ruling.", "申请人请求按情况紧急处理。")
    assert any(hint in form for hint in hints)
    # Nobody asked: no such hint.
    other = po_filed(api)
    page = client.get(f"/cases/{other}").get_data(as_text=True)
    assert not any(hint in page for hint in hints)
