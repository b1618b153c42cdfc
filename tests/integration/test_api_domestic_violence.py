"""The two domestic-violence case types end to end through the JSON API v1
(shared/design/api.md; workflows.md §2 dv_warning, §3 protection_order).

The clock is frozen (timeutil.set_clock) wherever legal moments matter: the 72-hour ruling,
the 6-month term, the 5-day reconsideration window, the order's expiry. Moving the clock
more than a token's lifetime means logging in again, which `DvApi.at` does.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import Case, Event, Referral
from tests.integration.test_api import Api
from tests.integration.test_api import assert_error as _assert_error

LOCAL = ZoneInfo("Asia/Shanghai")
# Monday 2 March 2026, 09:00 in the county: no public holiday in the weeks around.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=LOCAL)

VILLAGE = "500240001001"  # 城南社区, 南宾街道 (南宾派出所's area)
OTHER_VILLAGE = "500240101002"  # 云梯村, 西沱镇
COURT = "石柱县人民法院"

VICTIM = "李秀英"
VICTIM_ID = "50024019850412002X"
VICTIM_PHONE = "13812345678"
VICTIM_ADDRESS = "城南社区五组十二号"
ABUSER = "王大强"
ABUSER_ID = "500240198209150015"


def assert_error(response, status, code, fields=()) -> dict:
    """The refusal, in the one error shape of the API: {"error": {code, message, fields}}."""
    error = _assert_error(response, status, code, fields)
    assert set(response.get_json()) == {"error"}
    assert set(error) == {"code", "message", "fields"} and isinstance(error["fields"], dict)
    for messages in error["fields"].values():
        assert messages and all(isinstance(m, str) and m for m in messages)
    return error


def t(days=0, hours=0, minutes=0) -> datetime:
    return T0 + timedelta(days=days, hours=hours, minutes=minutes)


def iso(value: datetime) -> str:
    return value.isoformat()


def utc(value: datetime) -> str:
    """How the API shows a stored time: ISO 8601 in UTC."""
    return value.astimezone(ZoneInfo("UTC")).isoformat()


class DvApi(Api):
    def at(self, when: datetime) -> None:
        """Freeze the clock at `when`; tokens are fetched again (they may have expired)."""
        timeutil.set_clock(when)
        self.headers.clear()

    def snapshot(self, case_id) -> tuple:
        """(state, version, number of events) straight from the database."""
        with self.app.app_context():
            state, version = db.session.execute(
                select(Case.state, Case.version).where(Case.id == case_id)
            ).one()
            events = db.session.scalar(
                select(func.count()).select_from(Event).where(Event.case_id == case_id)
            )
        return state, version, events

    def refused(self, username, case_id, trigger, status, code, fields=(), **data) -> dict:
        """Fire a trigger that must be refused, and prove nothing changed."""
        before = self.snapshot(case_id)
        data.setdefault("version", before[1])
        response = self.post(username, f"/api/v1/cases/{case_id}/actions/{trigger}", data)
        error = assert_error(response, status, code, fields)
        assert self.snapshot(case_id) == before
        return error

    def create(self, username, body, status=201) -> dict:
        response = self.post(username, "/api/v1/cases", body)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()


@pytest.fixture
def api(client):
    api = DvApi(client)
    api.at(t())
    return api


def victim(**changes) -> dict:
    return {
        "name": VICTIM,
        "sex": "F",
        "birth_date": "1985-04-12",
        "id_number": VICTIM_ID,
        "phone": VICTIM_PHONE,
        "address": VICTIM_ADDRESS,
        **changes,
    }


def incident(**changes) -> dict:
    body = {
        "type": "dv_warning",
        "jurisdiction": VILLAGE,
        "urgent": False,
        "call_at": iso(t(hours=-3)),
        "attended_at": iso(t(hours=-3, minutes=20)),
        "abuser": {"name": ABUSER, "relation": "spouse"},
        "violence_forms": ["physical", "psychological"],
        "injuries": "面部、手臂多处淤青",
        "minors_present": True,
        "subject": victim(),
        "description": "报警称丈夫酒后殴打，民警到场制止。",
    }
    body.update(changes)
    return body


def application(api, **changes) -> dict:
    body = {
        "type": "protection_order",
        "jurisdiction": VILLAGE,
        "urgent": False,
        "applicant_role": "victim",
        "respondent": {"name": ABUSER, "relation": "spouse"},
        "measures": ["no_violence", "no_contact"],
        "court": api.org_id(COURT),
        "evidence": ["statement", "medical", "police_documents"],
        "subject": victim(),
        "description": "被申请人多次殴打申请人并威胁其人身安全。",
    }
    body.update(changes)
    return body


def fire(api, username, case_id, trigger, **data) -> dict:
    return api.act(username, case_id, trigger, **data)


def deadline(case: dict, kind: str) -> dict:
    [found] = [d for d in case["deadlines"] if d["kind"] == kind]
    return found


def triggers(case: dict) -> list[str]:
    return [e["trigger"] for e in case["events"]]


# --- walking a protection order to a state (legal times relative to T0) ---------------


def po_drafted(api, **changes) -> int:
    return api.create("womens_federation", application(api, **changes))["id"]


def po_filed(api, **changes) -> int:
    case_id = po_drafted(api, **changes)
    fire(api, "womens_federation", case_id, "file", filed_at=iso(t(hours=-8)))
    return case_id


def po_accepted(api, **changes) -> int:
    case_id = po_filed(api, **changes)
    fire(
        api,
        "court_liaison",
        case_id,
        "court_accept",
        accepted_at=iso(t(hours=-6)),
        court_case_number="(2026)渝0240民保令1号",
    )
    return case_id


ISSUE = {
    "order_number": "(2026)渝0240民保令1号",
    "granted_measures": ["no_violence", "no_contact"],
}


def po_issued(api, **changes) -> int:
    case_id = po_accepted(api, **changes)
    fire(
        api,
        "court_liaison",
        case_id,
        "issue_order",
        issued_at=iso(t(hours=-4)),
        expires_on="2026-06-01",
        **ISSUE,
    )
    return case_id


def service(**changes) -> dict:
    return {
        "served_applicant_at": iso(t(hours=-3)),
        "served_respondent_at": iso(t(hours=-2)),
        "served_police_at": iso(t(hours=-2)),
        "police_name": "南宾派出所",
        "served_committee_at": iso(t(hours=-1)),
        "committee_name": "城南社区居民委员会",
        **changes,
    }


def po_in_force(api, **changes) -> int:
    case_id = po_issued(api, **changes)
    fire(api, "court_liaison", case_id, "serve", **service())
    return case_id


def po_rejected(api, **changes) -> int:
    """Rejected, and the ruling served on the applicant at once (the window runs from it)."""
    case_id = po_accepted(api, **changes)
    fire(
        api,
        "court_liaison",
        case_id,
        "reject",
        ruled_at=iso(t(hours=-4)),
        served_at=iso(t(hours=-4)),
        reason="证据不足。",
    )
    return case_id


# --- dv_warning: the whole path --------------------------------------------------------


def test_dv_warning_whole_path(api):
    created = api.create("police", incident())
    case_id = created["id"]
    assert created["number"].startswith("DV-2026-")
    assert created["type"] == "dv_warning" and created["state"] == "incident_logged"
    assert created["owner_org"] == "南宾派出所" and created["jurisdiction"] == VILLAGE
    assert created["urgent"] is False and created["risk_level"] == "medium"
    fields = created["fields"]
    assert fields["call_at"] == utc(t(hours=-3))
    assert fields["attended_at"] == utc(t(hours=-3, minutes=20))
    assert fields["relation"] == "spouse"
    assert fields["violence_forms"] == ["physical", "psychological"]
    assert fields["injuries"] == "面部、手臂多处淤青" and fields["injury_level"] == "unknown"
    assert fields["minors_present"] is True and fields["warning"] is None
    persons = {p["role"]: p for p in created["persons"]}
    assert persons["subject"]["phone"] == VICTIM_PHONE and persons["subject"]["masked"] is False
    assert persons["abuser"]["name"] == ABUSER and persons["abuser"]["relation"] == "spouse"
    assert created["actions"] == ["criticize", "issue_warning", "escalate"]
    assert triggers(created) == ["log_incident"]
    # The creation event keeps facts, never identities.
    assert VICTIM_PHONE not in str(created["events"]) and ABUSER not in str(created["events"])

    case = fire(
        api,
        "police",
        case_id,
        "issue_warning",
        warning_number="石公(南)告字〔2026〕001号",
        issued_at=iso(t(hours=-1)),
        facts="2026年3月2日凌晨，加害人酒后殴打受害人。",
        abuser_id_number=ABUSER_ID,
        abuser_address="城南社区五组十二号",
    )
    assert case["state"] == "warning_issued"
    warning = case["fields"]["warning"]
    assert warning["number"] == "石公(南)告字〔2026〕001号"
    assert warning["issued_at"] == utc(t(hours=-1))
    assert warning["prohibition"]  # the standard prohibition when none is given
    assert case["fields"]["outcome"] == "warning"
    abuser = next(p for p in case["persons"] if p["role"] == "abuser")
    assert abuser["id_number"] == ABUSER_ID
    # 5 days from the issue day; Saturday 7 March moves to Monday 9 March (Art. 85).
    deliver_due = deadline(case, "deliver_due")
    assert deliver_due["status"] == "open"
    assert deliver_due["due_at"] == utc(datetime(2026, 3, 10, tzinfo=LOCAL))
    assert case["actions"] == ["deliver"]

    api.at(t(days=1))
    case = fire(
        api,
        "police",
        case_id,
        "deliver",
        delivered_abuser_at=iso(t(hours=2)),
        delivered_victim_at=iso(t(hours=3)),
        committee_notified_at=iso(t(hours=5)),
        committee_name="城南社区居民委员会",
    )
    assert case["state"] == "delivered"
    assert case["fields"]["warning"]["delivered_at"] == utc(t(hours=5))  # the last of three
    assert case["fields"]["warning"]["committee_name"] == "城南社区居民委员会"
    assert deadline(case, "deliver_due")["status"] == "met"

    case = fire(api, "police", case_id, "start_follow_up", comment="社区与派出所共同查访。")
    assert case["state"] == "following_up"
    first_visit = deadline(case, "first_visit_due")
    assert first_visit["status"] == "open"

    api.at(t(days=8))
    visit = api.post(
        "police",
        f"/api/v1/cases/{case_id}/visits",
        {
            "version": case["version"],
            "done_at": iso(t(days=7, hours=6)),
            "method": "home",
            "outcome": "concern",
            "notes": "加害人情绪不稳定。",
            "next_due": iso(t(days=20)),
        },
    )
    assert visit.status_code == 201, visit.get_data(as_text=True)
    assert visit.get_json()["outcome"] == "concern" and visit.get_json()["by"] == "向建军"
    case = api.case("police", case_id)
    assert deadline(case, "first_visit_due")["status"] == "met"
    assert case["version"] == visit.get_json()["case_version"]

    case = fire(
        api,
        "police",
        case_id,
        "record_repeat",
        occurred_at=iso(t(days=7, hours=12)),
        description="加害人再次动手推搡受害人。",
        outcome="admin_penalty",
    )
    assert case["state"] == "escalated"
    assert case["urgent"] is True and case["risk_level"] == "high"
    assert case["fields"]["outcome"] == "admin_penalty"
    # A 治安 case: its decision is due (D9), or it is extended with approval.
    assert case["actions"] == ["decide_penalty", "extend_penalty_decision", "request_closure"]

    case = fire(api, "police", case_id, "request_closure", summary="已行政处罚，转妇联跟进。")
    assert case["state"] == "closure_requested" and case["actions"] == []
    supervisor_view = api.case("supervisor", case_id)
    assert supervisor_view["actions"] == ["approve_closure", "reject_closure"]
    case = fire(api, "supervisor", case_id, "approve_closure", comment="同意结案。")
    assert case["state"] == "closed"
    assert case["closed_at"] == utc(t(days=8))
    assert case["actions"] == ["reopen"]
    assert triggers(case) == [
        "log_incident",
        "issue_warning",
        "deliver",
        "start_follow_up",
        "visit_recorded",
        "record_repeat",
        "request_closure",
        "approve_closure",
    ]
    assert case["events"][-1]["actor"] == "谭志强"
    with api.app.app_context():
        from caseflow.services.audit import verify_chain

        assert verify_chain(case_id) is None


def test_dv_warning_criticism_and_escalation(api):
    criticized = api.create("police", incident())["id"]
    # The victim must be told a warning letter can be requested (Art. 16; workflows.md §2).
    api.refused("police", criticized, "criticize", 422, "validation_failed", ["victim_informed"])
    api.refused(
        "police",
        criticized,
        "criticize",
        422,
        "validation_failed",
        ["victim_informed"],
        victim_informed=False,
    )
    case = fire(api, "police", criticized, "criticize", victim_informed=True, comment="批评教育")
    assert case["state"] == "following_up" and case["fields"]["outcome"] == "criticism"
    # No 告诫书, no Art. 17 ¶2 查访: the visit of the local rule, said so in its basis.
    assert not [d for d in case["deadlines"] if d["kind"] == "first_visit_due"]
    assert deadline(case, "visit_due")["status"] == "open"
    assert "本地规则" in deadline(case, "visit_due")["basis"]
    assert case["events"][-1]["data"]["victim_informed"] is True

    escalated = api.create("police", incident())["id"]
    api.refused(
        "police",
        escalated,
        "escalate",
        422,
        "validation_failed",
        ["outcome"],
        outcome="warning",  # a warning is not an escalation
        decided_at=iso(t(hours=-1)),
        detail="x",
    )
    api.refused(
        "police",
        escalated,
        "escalate",
        422,
        "validation_failed",
        ["decided_at"],
        outcome="criminal_case",
        decided_at=iso(t(hours=-4)),  # before the call
        detail="立案",
    )
    case = fire(
        api,
        "police",
        escalated,
        "escalate",
        outcome="criminal_case",
        decided_at=iso(t(hours=-1)),
        detail="石公刑立字〔2026〕12号",
    )
    assert case["state"] == "escalated" and case["risk_level"] == "high"
    assert case["fields"]["outcome"] == "criminal_case"
    assert case["fields"]["outcome_detail"] == "石公刑立字〔2026〕12号"
    # The warning track is closed: no warning, no delivery.
    api.refused(
        "police",
        escalated,
        "issue_warning",
        409,
        "invalid_transition",
        warning_number="x",
        issued_at=iso(t(hours=-1)),
        facts="x",
    )


def test_dv_warning_refusals_change_nothing(api):
    case_id = api.create("police", incident(abuser={"name": ABUSER, "relation": "partner"}))["id"]
    warning = {
        "warning_number": "石公(南)告字〔2026〕002号",
        "issued_at": iso(t(hours=-1)),
        "facts": "加害人殴打受害人。",
    }
    # A 告诫书 identifies the abuser (Art. 16 ¶2): a name alone is not enough.
    api.refused(
        "police",
        case_id,
        "issue_warning",
        422,
        "validation_failed",
        ["abuser_id_number"],
        **warning,
    )
    api.refused(
        "police",
        case_id,
        "issue_warning",
        422,
        "validation_failed",
        ["abuser_id_number"],
        **warning | {"abuser_id_number": "500240198209150016"},  # wrong check digit
    )
    api.refused(
        "police",
        case_id,
        "issue_warning",
        422,
        "validation_failed",
        ["issued_at"],
        **warning | {"issued_at": iso(t(hours=-5)), "abuser_id_number": ABUSER_ID},
    )
    api.refused(
        "police",
        case_id,
        "issue_warning",
        422,
        "validation_failed",
        ["issued_at"],
        **warning | {"issued_at": iso(t(hours=1)), "abuser_id_number": ABUSER_ID},  # future
    )
    # Delivery before the warning exists: not possible in this state.
    api.refused(
        "police",
        case_id,
        "deliver",
        409,
        "invalid_transition",
        delivered_abuser_at=iso(t(hours=-1)),
        delivered_victim_at=iso(t(hours=-1)),
        committee_notified_at=iso(t(hours=-1)),
        committee_name="城南社区居民委员会",
    )
    # Only the police station that logged the call acts on it.
    api.refused("womens_federation", case_id, "issue_warning", 403, "forbidden", **warning)
    api.refused("supervisor", case_id, "issue_warning", 403, "forbidden", **warning)
    fire(api, "police", case_id, "issue_warning", abuser_address="城南社区五组", **warning)

    # The same warning number on another case is refused.
    other = api.create("police", incident())["id"]
    api.refused(
        "police",
        other,
        "issue_warning",
        422,
        "validation_failed",
        ["warning_number"],
        **warning | {"abuser_id_number": ABUSER_ID},
    )
    # Delivery cannot be recorded before the warning was issued.
    delivery = {
        "delivered_abuser_at": iso(t(minutes=-30)),
        "delivered_victim_at": iso(t(minutes=-30)),
        "committee_notified_at": iso(t(minutes=-30)),
        "committee_name": "城南社区居民委员会",
    }
    for name in ("delivered_abuser_at", "delivered_victim_at", "committee_notified_at"):
        api.refused(
            "police",
            case_id,
            "deliver",
            422,
            "validation_failed",
            [name],
            **delivery | {name: iso(t(hours=-2))},
        )
    api.refused(
        "police",
        case_id,
        "deliver",
        422,
        "validation_failed",
        ["committee_name"],
        **delivery | {"committee_name": " "},
    )
    case = fire(api, "police", case_id, "deliver", **delivery)
    assert case["state"] == "delivered"


# --- protection_order: the whole path --------------------------------------------------


def test_protection_order_whole_path(api):
    court = api.org_id(COURT)
    # A draft needs only the victim, even before the facts are written down; the court
    # sees nothing yet.
    drafted = api.create(
        "womens_federation",
        application(api, respondent=None, measures=[], court=None, evidence=[], description=""),
    )
    case_id = drafted["id"]
    assert drafted["number"].startswith("PO-2026-") and drafted["state"] == "drafted"
    assert drafted["owner_org"] == "石柱县妇联"
    assert drafted["fields"]["court"] is None and drafted["fields"]["measures"] == []
    assert drafted["actions"] == ["file"]
    assert_error(api.get("court_liaison", f"/api/v1/cases/{case_id}"), 404, "not_found")
    assert api.get("court_liaison", "/api/v1/cases").get_json()["total"] == 0

    # Filing is refused until the application is complete (Art. 25, 27): nothing changes.
    error = api.refused(
        "womens_federation",
        case_id,
        "file",
        422,
        "validation_failed",
        ["respondent.name", "measures", "court", "evidence"],
    )
    assert "victim_wishes_confirmed" not in error["fields"]  # the victim applies herself
    # The facts alone are enough (Art. 27 (3)): evidence is no longer missing.
    error = api.refused(
        "womens_federation",
        case_id,
        "file",
        422,
        "validation_failed",
        ["respondent.name", "measures", "court"],
        facts="被申请人多次殴打申请人。",
    )
    assert "evidence" not in error["fields"]
    # What a refused filing sent is not kept either.
    api.refused(
        "womens_federation",
        case_id,
        "file",
        422,
        "validation_failed",
        ["respondent.name"],
        measures=["no_violence"],
        court=court,
        evidence=["medical"],
    )
    api.refused(
        "womens_federation",
        case_id,
        "file",
        422,
        "validation_failed",
        ["measures_other"],
        respondent={"name": ABUSER, "relation": "spouse"},
        measures=["other"],
        court=court,
    )
    unchanged = api.case("womens_federation", case_id)
    assert unchanged["fields"]["measures"] == [] and unchanged["fields"]["court"] is None
    assert unchanged["description"] == ""
    assert [p["role"] for p in unchanged["persons"]] == ["subject"]

    api.at(t(hours=1))
    case = fire(
        api,
        "womens_federation",
        case_id,
        "file",
        filed_at=iso(t(minutes=30)),
        respondent={"name": ABUSER, "relation": "spouse", "id_number": ABUSER_ID},
        measures=["no_violence", "no_contact", "move_out"],
        evidence=["statement", "police_documents"],
        court=court,
        court_basis="applicant_residence",
        facts="被申请人多次殴打申请人并威胁其人身安全。",
    )
    assert case["state"] == "filed"
    assert case["description"] == "被申请人多次殴打申请人并威胁其人身安全。"
    assert case["fields"]["filed_at"] == utc(t(minutes=30))
    assert case["fields"]["court"] == {"id": court, "name": COURT}
    assert case["fields"]["measures"] == ["move_out", "no_contact", "no_violence"]
    assert case["fields"]["relation"] == "spouse"
    assert case["actions"] == []  # the court acts next
    # Once filed, the court sees the application, identities included (it is on the team).
    court_view = api.case("court_liaison", case_id)
    assert court_view["actions"] == ["court_accept"]
    assert court_view["subject"]["phone"] == VICTIM_PHONE and not court_view["subject"]["masked"]
    assert api.get("court_liaison", "/api/v1/cases").get_json()["total"] == 1

    api.at(t(hours=3))
    case = fire(
        api,
        "court_liaison",
        case_id,
        "court_accept",
        accepted_at=iso(t(hours=2)),
        court_case_number="(2026)渝0240民保令3号",
    )
    assert case["state"] == "accepted"
    assert case["fields"]["accepted_at"] == utc(t(hours=2))
    ruling_due = deadline(case, "ruling_due")
    # Art. 28: 72 hours, from the hour after acceptance (民事诉讼法 Art. 85 ¶2).
    assert ruling_due["due_at"] == utc(t(hours=2 + 1 + 72))
    assert case["actions"] == ["issue_order", "reject"]

    api.at(t(days=1))
    case = fire(
        api,
        "court_liaison",
        case_id,
        "issue_order",
        order_number="(2026)渝0240民保令3号",
        issued_at=iso(t(days=1, hours=-1)),
        expires_on="2026-06-02",
        granted_measures=["no_violence", "no_contact"],
        comment="裁定作出人身安全保护令。",
    )
    assert case["state"] == "issued"
    fields = case["fields"]
    assert fields["ruling"] == "issued" and fields["issued_at"] == utc(t(days=1, hours=-1))
    # In force to the end of its last day, local time (Art. 30).
    assert fields["expires_at"] == utc(datetime(2026, 6, 3, tzinfo=LOCAL))
    assert fields["granted_measures"] == ["no_contact", "no_violence"]
    assert deadline(case, "ruling_due")["status"] == "met"
    assert case["actions"] == ["serve"]

    api.at(t(days=2))
    case = fire(
        api,
        "court_liaison",
        case_id,
        "serve",
        served_applicant_at=iso(t(days=1, hours=1)),
        served_respondent_at=iso(t(days=1, hours=4)),
        served_police_at=iso(t(days=1, hours=2)),
        police_name="南宾派出所",
        served_committee_at=iso(t(days=1, hours=3)),
        committee_name="城南社区居民委员会",
    )
    assert case["state"] == "in_force"
    assert case["fields"]["service"]["complete_at"] == utc(t(days=1, hours=4))
    assert case["fields"]["service"]["police_name"] == "南宾派出所"
    assert case["actions"] == [
        "extend",
        "modify",
        "record_violation",
        "revoke",
        "request_respondent_review",
    ]
    assert api.case("womens_federation", case_id)["actions"] == ["record_violation"]

    api.at(t(days=80))
    case = fire(
        api,
        "court_liaison",
        case_id,
        "extend",
        applied_at=iso(t(days=79)),
        decided_at=iso(t(days=80, hours=-2)),
        expires_on="2026-09-02",
        comment="申请人申请延长。",
    )
    assert case["state"] == "in_force"
    assert case["fields"]["expires_at"] == utc(datetime(2026, 9, 3, tzinfo=LOCAL))
    assert case["events"][-1]["data"]["expires_at_before"] == utc(
        datetime(2026, 6, 3, tzinfo=LOCAL)
    )

    case = fire(
        api,
        "court_liaison",
        case_id,
        "modify",
        applied_at=iso(t(days=79)),
        decided_at=iso(t(days=80, hours=-1)),
        granted_measures=["no_violence", "no_contact", "keep_away"],
    )
    assert case["state"] == "in_force"
    assert case["fields"]["granted_measures"] == ["keep_away", "no_contact", "no_violence"]
    assert case["events"][-1]["data"]["measures_before"] == ["no_contact", "no_violence"]

    # A breach goes to the court, which enforces, and the police, who assist (Art. 32, 34).
    case = fire(
        api,
        "womens_federation",
        case_id,
        "record_violation",
        occurred_at=iso(t(days=79, hours=12)),
        description="被申请人到申请人单位门口纠缠。",
        evidence="监控录像",
    )
    assert case["state"] == "in_force"
    sent = {r["to_org"]["name"]: r for r in case["referrals"]}
    assert set(sent) == {COURT, "南宾派出所"}
    assert all(r["status"] == "sent" and r["due_at"] for r in sent.values())
    assert "(2026)渝0240民保令3号" in sent[COURT]["reason"]
    assert sorted(case["events"][-1]["data"]["referral_ids"]) == sorted(
        r["id"] for r in sent.values()
    )
    assert api.count(Referral, case_id=case_id) == 2
    # The police station now has the case in its list, and answers the referral.
    accepted = api.post(
        "police", f"/api/v1/referrals/{sent['南宾派出所']['id']}/actions/accept", {}
    )
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"

    # Expiry is the sweep's work, at the end of the last day, not before.
    from caseflow.services.protection_order import expire_due

    api.at(datetime(2026, 9, 2, 23, 59, tzinfo=LOCAL))
    with api.app.app_context():
        assert expire_due() == 0
        db.session.commit()
    assert api.snapshot(case_id)[0] == "in_force"
    api.at(datetime(2026, 9, 3, 0, 1, tzinfo=LOCAL))
    with api.app.app_context():
        assert expire_due() == 1
        db.session.commit()
    case = api.case("womens_federation", case_id)
    assert case["state"] == "ended"
    assert case["fields"]["end_reason"] == "expired"
    assert case["fields"]["ended_at"] == utc(datetime(2026, 9, 3, tzinfo=LOCAL))
    expired = case["events"][-1]
    assert expired["trigger"] == "expire" and expired["actor"] is None
    assert expired["from_state"] == "in_force" and expired["to_state"] == "ended"
    assert case["actions"] == ["start_follow_up"]
    with api.app.app_context():
        assert expire_due() == 0  # a second sweep finds nothing

    case = fire(api, "womens_federation", case_id, "start_follow_up", comment="每月电话回访。")
    assert case["state"] == "following_up"
    assert deadline(case, "visit_due")["status"] == "open"
    visit = api.post(
        "womens_federation",
        f"/api/v1/cases/{case_id}/visits",
        {
            "version": case["version"],
            "done_at": iso(datetime(2026, 9, 2, 20, 0, tzinfo=LOCAL)),
            "method": "phone",
            "outcome": "safe",
        },
    )
    assert visit.status_code == 201, visit.get_data(as_text=True)
    case = fire(
        api, "womens_federation", case_id, "request_closure", summary="保护令期满，申请人安全。"
    )
    assert case["state"] == "closure_requested"
    case = fire(api, "supervisor", case_id, "approve_closure")
    assert case["state"] == "closed" and case["closed_at"]
    assert triggers(case) == [
        "draft",
        "file",
        "court_accept",
        "issue_order",
        "serve",
        "extend",
        "modify",
        "record_violation",
        "referral_accepted",
        "expire",
        "start_follow_up",
        "visit_recorded",
        "request_closure",
        "approve_closure",
    ]
    with api.app.app_context():
        from caseflow.services.audit import verify_chain

        assert verify_chain(case_id) is None


@pytest.mark.parametrize("outcome", ["issue_order", "uphold_rejection"])
def test_protection_order_rejection_and_reconsideration(api, outcome):
    case_id = po_accepted(api)
    api.at(t(days=1))
    case = fire(
        api,
        "court_liaison",
        case_id,
        "reject",
        ruled_at=iso(t(days=1, hours=-1)),
        served_at=iso(t(days=1, hours=-1)),  # pronounced and served at once
        reason="现有证据不足以证明存在家庭暴力的现实危险。",
    )
    assert case["state"] == "rejected"
    assert case["fields"]["ruling"] == "rejected"
    assert deadline(case, "ruling_due")["status"] == "met"
    # 5 days from the ruling day (3 March), start day excluded: Sunday 8 March moves to
    # Monday 9 March (Art. 31; 民事诉讼法 Art. 85).
    window = deadline(case, "reconsideration_window")
    assert window["status"] == "open"
    assert window["due_at"] == utc(datetime(2026, 3, 10, tzinfo=LOCAL))
    assert api.case("womens_federation", case_id)["actions"] == [
        "request_reconsideration",
        "request_closure",  # or accept the rejection
    ]
    assert api.case("court_liaison", case_id)["actions"] == []

    api.at(datetime(2026, 3, 9, 20, 0, tzinfo=LOCAL))  # the window's last evening
    case = fire(
        api,
        "womens_federation",
        case_id,
        "request_reconsideration",
        requested_at=iso(datetime(2026, 3, 9, 19, 0, tzinfo=LOCAL)),
        reason="补充提交伤情鉴定意见。",
    )
    assert case["state"] == "reconsideration"
    assert deadline(case, "reconsideration_window")["status"] == "met"
    assert api.case("court_liaison", case_id)["actions"] == ["issue_order", "uphold_rejection"]
    # Once only (Art. 31).
    api.refused(
        "womens_federation",
        case_id,
        "request_reconsideration",
        409,
        "invalid_transition",
        requested_at=iso(datetime(2026, 3, 9, 19, 30, tzinfo=LOCAL)),
        reason="再次申请。",
    )

    api.at(datetime(2026, 3, 11, 10, 0, tzinfo=LOCAL))
    if outcome == "issue_order":
        # A decision cannot come before the reconsideration was asked for.
        api.refused(
            "court_liaison",
            case_id,
            "issue_order",
            422,
            "validation_failed",
            ["issued_at"],
            issued_at=iso(datetime(2026, 3, 9, 18, 0, tzinfo=LOCAL)),
            expires_on="2026-09-10",
            **ISSUE,
        )
        case = fire(
            api,
            "court_liaison",
            case_id,
            "issue_order",
            issued_at=iso(datetime(2026, 3, 11, 9, 0, tzinfo=LOCAL)),
            expires_on="2026-09-11",  # 6 months from the decision day, the last allowed
            **ISSUE,
        )
        assert case["state"] == "issued"
        assert case["fields"]["reconsideration_decided_at"] == utc(
            datetime(2026, 3, 11, 9, 0, tzinfo=LOCAL)
        )
        assert case["fields"]["expires_at"] == utc(datetime(2026, 9, 12, tzinfo=LOCAL))
        assert case["events"][-1]["data"]["via"] == "reconsideration"
        assert case["actions"] == ["serve"]
    else:
        api.refused(
            "court_liaison",
            case_id,
            "uphold_rejection",
            422,
            "validation_failed",
            ["reason"],
            decided_at=iso(datetime(2026, 3, 11, 9, 0, tzinfo=LOCAL)),
        )
        case = fire(
            api,
            "court_liaison",
            case_id,
            "uphold_rejection",
            decided_at=iso(datetime(2026, 3, 11, 9, 0, tzinfo=LOCAL)),
            reason="维持原裁定。",
        )
        assert case["state"] == "closed" and case["closed_at"]
        assert case["actions"] == []
    # However it ended, there is no second reconsideration.
    error = api.refused(
        "womens_federation",
        case_id,
        "request_reconsideration",
        409,
        "invalid_transition",
        requested_at=iso(datetime(2026, 3, 11, 9, 30, tzinfo=LOCAL)),
        reason="再次申请。",
    )
    assert error["fields"] == {}


# --- protection_order: rulings, terms, windows and service in the right order ----------


def test_a_ruling_needs_an_accepted_application(api):
    case_id = po_filed(api)
    order = {"expires_on": "2026-06-01", **ISSUE}
    # A ruling before acceptance: not possible in this state.
    api.refused(
        "court_liaison",
        case_id,
        "issue_order",
        409,
        "invalid_transition",
        issued_at=iso(t(hours=-1)),
        **order,
    )
    api.refused(
        "court_liaison",
        case_id,
        "reject",
        409,
        "invalid_transition",
        ruled_at=iso(t(hours=-1)),
        reason="x",
    )
    fire(api, "court_liaison", case_id, "court_accept", accepted_at=iso(t(hours=-6)))
    # Acceptance cannot be recorded twice, nor before the filing.
    api.refused(
        "court_liaison",
        case_id,
        "court_accept",
        409,
        "invalid_transition",
        accepted_at=iso(t(hours=-5)),
    )
    # A ruling dated before the acceptance (Art. 28 counts from acceptance).
    api.refused(
        "court_liaison",
        case_id,
        "issue_order",
        422,
        "validation_failed",
        ["issued_at"],
        issued_at=iso(t(hours=-7)),
        **order,
    )
    api.refused(
        "court_liaison",
        case_id,
        "reject",
        422,
        "validation_failed",
        ["ruled_at"],
        ruled_at=iso(t(hours=-7)),
        reason="x",
    )
    api.refused(
        "court_liaison",
        case_id,
        "issue_order",
        422,
        "validation_failed",
        ["issued_at"],
        issued_at=iso(t(hours=1)),
        **order,  # in the future
    )
    # At most 6 months from the ruling day (Art. 30): 2 March → 2 September at the latest.
    error = api.refused(
        "court_liaison",
        case_id,
        "issue_order",
        422,
        "validation_failed",
        ["expires_on"],
        issued_at=iso(t(hours=-1)),
        **order | {"expires_on": "2026-09-03"},
    )
    assert "2026-09-02" in error["fields"]["expires_on"][0]
    api.refused(
        "court_liaison",
        case_id,
        "issue_order",
        422,
        "validation_failed",
        ["expires_on"],
        issued_at=iso(t(hours=-1)),
        **order | {"expires_on": "2026-03-01"},  # before it is made
    )
    for bad in ("2026-02-30", "9999-12-31", "0001-01-01", "tomorrow", ""):
        api.refused(
            "court_liaison",
            case_id,
            "issue_order",
            422,
            "validation_failed",
            ["expires_on"],
            issued_at=iso(t(hours=-1)),
            **order | {"expires_on": bad},
        )
    api.refused(
        "court_liaison",
        case_id,
        "issue_order",
        422,
        "validation_failed",
        ["granted_measures"],
        issued_at=iso(t(hours=-1)),
        **order | {"granted_measures": []},
    )
    api.refused(
        "court_liaison",
        case_id,
        "issue_order",
        422,
        "validation_failed",
        ["granted_measures"],
        issued_at=iso(t(hours=-1)),
        **order | {"granted_measures": ["lock_up"]},
    )
    # Only the court: the applicant side cannot rule on its own application.
    api.refused(
        "womens_federation",
        case_id,
        "issue_order",
        403,
        "forbidden",
        issued_at=iso(t(hours=-1)),
        **order,
    )
    case = fire(
        api,
        "court_liaison",
        case_id,
        "issue_order",
        issued_at=iso(t(hours=-1)),
        **order | {"expires_on": "2026-09-02"},
    )
    assert case["state"] == "issued"
    assert case["fields"]["expires_at"] == utc(datetime(2026, 9, 3, tzinfo=LOCAL))


def test_service_is_recorded_after_the_order(api):
    accepted = po_accepted(api)
    # Service before the order exists: not possible in this state.
    api.refused("court_liaison", accepted, "serve", 409, "invalid_transition", **service())

    issued = po_issued(api)  # issued at T0 - 4 h
    for name in (
        "served_applicant_at",
        "served_respondent_at",
        "served_police_at",
        "served_committee_at",
    ):
        api.refused(
            "court_liaison",
            issued,
            "serve",
            422,
            "validation_failed",
            [name],
            **service(**{name: iso(t(hours=-5))}),
        )
    # All four parties are served (Art. 32).
    partial = service()
    del partial["served_committee_at"], partial["committee_name"]
    api.refused(
        "court_liaison",
        issued,
        "serve",
        422,
        "validation_failed",
        ["served_committee_at", "committee_name"],
        **partial,
    )
    case = fire(api, "court_liaison", issued, "serve", **service())
    assert case["state"] == "in_force"


def test_changes_to_an_order_before_and_after_it_lapses(api):
    case_id = po_in_force(api)  # issued at T0 - 4 h, last day 1 June 2026
    change = {"applied_at": iso(t(hours=-1)), "decided_at": iso(t(minutes=-30))}
    api.refused(
        "court_liaison",
        case_id,
        "extend",
        422,
        "validation_failed",
        ["expires_on"],
        **change,
        expires_on="2026-05-01",  # not after the current last day
    )
    api.refused(
        "court_liaison",
        case_id,
        "extend",
        422,
        "validation_failed",
        ["decided_at"],
        applied_at=iso(t(hours=-1)),
        decided_at=iso(t(hours=-2)),
        expires_on="2026-08-01",
    )
    api.refused(
        "court_liaison",
        case_id,
        "extend",
        422,
        "validation_failed",
        ["applied_at"],
        applied_at=iso(t(hours=-5)),
        decided_at=iso(t(hours=-1)),
        expires_on="2026-08-01",
    )
    api.refused(
        "court_liaison",
        case_id,
        "extend",
        422,
        "validation_failed",
        ["expires_on"],
        **change,
        expires_on="9999-12-31",  # no date after it: refused, not a server error
    )
    api.refused(
        "womens_federation",
        case_id,
        "extend",
        403,
        "forbidden",
        **change,
        expires_on="2026-08-01",
    )
    api.refused(
        "court_liaison",
        case_id,
        "modify",
        422,
        "validation_failed",
        ["granted_measures"],
        **change,
        granted_measures=[],
    )

    # The last day has passed; the sweep has not run yet. Changes are applied for before
    # the order lapses (Art. 30): refused whatever the dates say.
    api.at(datetime(2026, 6, 2, 9, 0, tzinfo=LOCAL))
    assert api.snapshot(case_id)[0] == "in_force"
    assert api.case("court_liaison", case_id)["actions"] == [
        "record_violation",
        "revoke",
        "request_respondent_review",
    ]
    late = {"applied_at": iso(t(days=50)), "decided_at": iso(t(days=50, hours=1))}
    api.refused(
        "court_liaison",
        case_id,
        "extend",
        409,
        "invalid_transition",
        **late,
        expires_on="2026-09-01",
    )
    api.refused(
        "court_liaison",
        case_id,
        "modify",
        409,
        "invalid_transition",
        **late,
        granted_measures=["no_violence"],
    )
    # The sweep ends it; then nothing but follow-up.
    from caseflow.services.protection_order import expire_due

    with api.app.app_context():
        assert expire_due() == 1
        db.session.commit()
    api.refused(
        "court_liaison",
        case_id,
        "extend",
        409,
        "invalid_transition",
        **late,
        expires_on="2026-09-01",
    )
    api.refused(
        "court_liaison",
        case_id,
        "revoke",
        409,
        "invalid_transition",
        decided_at=iso(t(days=50)),
        reason="x",
    )


def test_revoke_ends_the_order(api):
    case_id = po_in_force(api)
    api.refused(
        "court_liaison",
        case_id,
        "revoke",
        422,
        "validation_failed",
        ["decided_at"],
        decided_at=iso(t(hours=-5)),
        reason="申请人申请撤销。",
    )
    case = fire(
        api,
        "court_liaison",
        case_id,
        "revoke",
        decided_at=iso(t(minutes=-5)),
        reason="申请人申请撤销。",
    )
    assert case["state"] == "ended" and case["fields"]["end_reason"] == "revoked"
    assert case["fields"]["ended_at"] == utc(t(minutes=-5))
    from caseflow.services.protection_order import expire_due

    api.at(datetime(2026, 6, 2, 9, 0, tzinfo=LOCAL))
    with api.app.app_context():
        assert expire_due() == 0  # a revoked order does not expire again


def test_reconsideration_window(api):
    api.at(t(days=1))
    case_id = po_rejected(api)  # ruled 2 March 05:00; the window ends 8 March (a Sunday) → 9 March
    window = deadline(api.case("womens_federation", case_id), "reconsideration_window")
    assert window["due_at"] == utc(datetime(2026, 3, 10, tzinfo=LOCAL))
    request = {"reason": "不服驳回裁定。"}
    # Applied for before the ruling, or later than now: refused, nothing changes.
    api.refused(
        "womens_federation",
        case_id,
        "request_reconsideration",
        422,
        "validation_failed",
        ["requested_at"],
        requested_at=iso(t(hours=-5)),
        **request,
    )
    api.refused(
        "womens_federation",
        case_id,
        "request_reconsideration",
        422,
        "validation_failed",
        ["requested_at"],
        requested_at=iso(datetime(2026, 3, 10, 1, 0, tzinfo=LOCAL)),
        **request,
    )
    api.refused(
        "womens_federation",
        case_id,
        "request_reconsideration",
        422,
        "validation_failed",
        ["reason"],
        requested_at=iso(t(days=1, hours=-1)),
    )
    # Only the applicant side asks; the court decides.
    api.refused(
        "court_liaison",
        case_id,
        "request_reconsideration",
        403,
        "forbidden",
        requested_at=iso(t(days=1, hours=-1)),
        **request,
    )

    # The window has closed (Art. 31). Whether an application was in time is judged by when
    # it was made, not by today's clock: one made at the window's end is refused, one made
    # on its last evening and entered now is accepted.
    api.at(datetime(2026, 3, 10, 0, 30, tzinfo=LOCAL))
    assert api.case("womens_federation", case_id)["actions"] == [
        "request_reconsideration",
        "request_closure",
    ]
    error = api.refused(
        "womens_federation",
        case_id,
        "request_reconsideration",
        422,
        "validation_failed",
        ["requested_at"],
        requested_at=iso(datetime(2026, 3, 10, 0, 0, tzinfo=LOCAL)),
        **request,
    )
    assert "31" in error["fields"]["requested_at"][0]  # says why: Art. 31
    case = fire(
        api,
        "womens_federation",
        case_id,
        "request_reconsideration",
        requested_at=iso(datetime(2026, 3, 9, 23, 0, tzinfo=LOCAL)),
        **request,
    )
    assert case["state"] == "reconsideration"
    assert deadline(case, "reconsideration_window")["status"] == "met"


def test_expire_cannot_be_fired_through_the_api(api):
    case_id = po_in_force(api)
    api.at(datetime(2026, 6, 2, 9, 0, tzinfo=LOCAL))  # past the last day: the guard would pass
    for username in ("court_liaison", "womens_federation", "supervisor", "police"):
        api.refused(username, case_id, "expire", 403, "forbidden")
        assert "expire" not in api.case(username, case_id)["actions"]
    # The document's trigger list does not offer it either.
    spec = api.client.get("/api/v1/openapi.json").get_json()
    action = spec["paths"]["/api/v1/cases/{case_id}/actions/{trigger}"]["post"]
    [trigger] = [p for p in action["parameters"] if p["name"] == "trigger"]
    assert "expire" not in trigger["schema"]["enum"]
    # The initial triggers are fired by creating a case.
    api.refused("womens_federation", case_id, "draft", 409, "invalid_transition")
    dv = api.create("police", incident())["id"]
    api.refused("police", dv, "log_incident", 409, "invalid_transition")


# --- scope and privacy -----------------------------------------------------------------


IDENTITIES = (VICTIM, VICTIM_ID, VICTIM_PHONE, VICTIM_ADDRESS, ABUSER, ABUSER_ID)


def assert_masked(response):
    """No identity of the victim or the abuser, in any part of the JSON body."""
    assert response.status_code == 200, response.get_data(as_text=True)
    text = response.get_data(as_text=True)
    for value in IDENTITIES:
        assert value not in text, value
    # JSON may escape non-ASCII characters: look at the decoded body too.
    decoded = str(response.get_json())
    for value in IDENTITIES:
        assert value not in decoded, value


def test_a_police_call_seen_by_the_womens_federation_is_masked(api):
    case_id = api.create("police", incident())["id"]
    fire(
        api,
        "police",
        case_id,
        "issue_warning",
        warning_number="石公(南)告字〔2026〕003号",
        issued_at=iso(t(hours=-1)),
        facts="加害人殴打受害人。",
        abuser_id_number=ABUSER_ID,
    )
    # The federation follows DV cases in the county: it sees the case, not who is in it.
    response = api.get("womens_federation", f"/api/v1/cases/{case_id}")
    assert_masked(response)
    case = response.get_json()
    persons = {p["role"]: p for p in case["persons"]}
    assert persons["subject"]["masked"] is True
    assert persons["subject"]["phone"] == "138****5678"
    assert persons["subject"]["address"] == "***"
    assert persons["subject"]["name"] == "李**" and persons["subject"]["birth_date"] is None
    assert persons["subject"]["age"] is None and persons["subject"]["age_band"] == "18+"
    assert persons["abuser"]["masked"] is True and persons["abuser"]["relation"] == "spouse"
    assert case["subject"] == persons["subject"]
    assert case["fields"]["warning"]["number"] == "石公(南)告字〔2026〕003号"
    # No step yet (the call is only logged); the federation may record 查访 visits on DV
    # cases of its area, as it may start them (policy.VISITOR_ROLES).
    assert case["actions"] == [] and case["can_record_visit"] is True
    listed = api.get("womens_federation", "/api/v1/cases?type=dv_warning")
    assert_masked(listed)
    assert [c["id"] for c in listed.get_json()["items"]] == [case_id]
    # It may not act on the police's case either.
    api.refused(
        "womens_federation",
        case_id,
        "deliver",
        403,
        "forbidden",
        delivered_abuser_at=iso(t(minutes=-5)),
        delivered_victim_at=iso(t(minutes=-5)),
        committee_notified_at=iso(t(minutes=-5)),
        committee_name="城南社区居民委员会",
    )
    visit = {"version": case["version"], "done_at": iso(t()), "method": "home", "outcome": "safe"}
    response = api.post("womens_federation", f"/api/v1/cases/{case_id}/visits", visit)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert api.snapshot(case_id)[1] == case["version"] + 1
    # The police station that logged it sees everything.
    police = api.case("police", case_id)
    assert police["subject"]["phone"] == VICTIM_PHONE
    assert police["subject"]["address"] == VICTIM_ADDRESS
    assert police["actions"] == ["deliver"] and police["can_record_visit"] is True
    # Statistics never see a case; child directors handle no DV calls; the court sees no
    # police call that was not brought to it.
    for username in ("statistician", "child_director", "court_liaison", "legal_aid", "hotline"):
        assert_error(api.get(username, f"/api/v1/cases/{case_id}"), 404, "not_found")
        assert api.get(username, "/api/v1/cases").get_json()["total"] == 0
        api.refused(username, case_id, "deliver", 404, "not_found")


def test_an_application_seen_by_the_police_is_masked(api):
    case_id = po_in_force(api)
    # The police station handles protection orders in its area: it sees the case, masked,
    # and may report a breach (Art. 34) but not act for the court.
    response = api.get("police", f"/api/v1/cases/{case_id}")
    assert_masked(response)
    assert response.get_json()["actions"] == ["record_violation"]
    for username in ("statistician", "child_director", "legal_aid", "hotline"):
        assert_error(api.get(username, f"/api/v1/cases/{case_id}"), 404, "not_found")
    # The supervisor of the county is on the case team.
    supervisor = api.case("supervisor", case_id)
    assert supervisor["subject"]["phone"] == VICTIM_PHONE and supervisor["actions"] == []


def test_the_court_sees_applications_filed_with_it_only(api):
    drafted = po_drafted(api)
    filed = po_filed(api)
    assert_error(api.get("court_liaison", f"/api/v1/cases/{drafted}"), 404, "not_found")
    listed = api.get("court_liaison", "/api/v1/cases").get_json()
    assert [c["id"] for c in listed["items"]] == [filed]
    # Not even a court action reveals the draft.
    api.refused(
        "court_liaison", drafted, "court_accept", 404, "not_found", accepted_at=iso(t(hours=-1))
    )
    assert api.case("court_liaison", filed)["subject"]["name"] == VICTIM
    # An application to no court (or another court) stays with the applicant side.
    hotline = api.create("hotline", application(api, court=None))["id"]
    assert api.case("hotline", hotline)["actions"] == ["file"]
    assert_error(api.get("court_liaison", f"/api/v1/cases/{hotline}"), 404, "not_found")
    # The hotline sees what it drafted, and nobody else's application.
    assert_error(api.get("hotline", f"/api/v1/cases/{filed}"), 404, "not_found")


@pytest.mark.parametrize(
    ("username", "case_type", "status"),
    [
        ("police", "dv_warning", 201),
        # The hotline and the federation take DV calls too; the police station handles them.
        ("womens_federation", "dv_warning", 201),
        ("hotline", "dv_warning", 201),
        ("child_director", "dv_warning", 403),
        ("supervisor", "dv_warning", 403),
        ("statistician", "dv_warning", 403),
        ("court_liaison", "dv_warning", 403),
        ("womens_federation", "protection_order", 201),
        ("hotline", "protection_order", 201),
        ("police", "protection_order", 201),
        ("legal_aid", "protection_order", 201),  # a lawyer drafts too (workflows.md §3)
        ("court_liaison", "protection_order", 403),
        ("supervisor", "protection_order", 403),
        ("statistician", "protection_order", 403),
    ],
)
def test_who_may_create(api, username, case_type, status):
    body = incident() if case_type == "dv_warning" else application(api)
    response = api.post(username, "/api/v1/cases", body)
    if status == 201:
        assert response.status_code == 201, response.get_data(as_text=True)
        created = response.get_json()
        assert created["state"] == ("incident_logged" if case_type == "dv_warning" else "drafted")
        # Who created the case sees who is in it.
        assert created["subject"]["phone"] == VICTIM_PHONE
        assert api.case(username, created["id"])["subject"]["masked"] is False
        if case_type == "dv_warning":
            # A DV call is the police station's, whoever took it.
            assert created["owner_org"] == "南宾派出所"
            police = api.case("police", created["id"])
            assert police["actions"] == ["criticize", "issue_warning", "escalate"]
            assert police["subject"]["masked"] is False
            if username != "police":
                assert created["actions"] == []
        else:
            assert created["actions"] == ["file"]
    else:
        assert_error(response, status, "forbidden")
    assert api.count(Case) == (1 if status == 201 else 0)


# --- creation: what a client may send --------------------------------------------------


def _dv_case(**changes):
    return lambda api: incident(**changes)


def _po_case(**changes):
    return lambda api: application(api, **changes)


def _without(make, *names):
    def body(api):
        data = make(api)
        for name in names:
            del data[name]
        return data

    return body


def _police_org(api):
    return application(api, court=api.org_id("南宾派出所"))


BAD_CREATES = [
    # dv_warning
    (_dv_case(colour="blue"), "colour"),
    (_dv_case(abuser={"name": ABUSER, "relation": "spouse", "colour": 1}), "abuser.colour"),
    (_dv_case(abuser={"name": ABUSER}), "abuser.relation"),
    (_dv_case(abuser={"name": ABUSER, "relation": "boss"}), "abuser.relation"),
    (_dv_case(abuser={"relation": "spouse"}), "abuser.name"),
    (_dv_case(abuser=ABUSER), "abuser"),
    (_dv_case(abuser=[ABUSER, "spouse"]), "abuser"),
    (_dv_case(abuser={"name": [ABUSER], "relation": "spouse"}), "abuser.name"),
    (
        _dv_case(abuser={"name": ABUSER, "relation": "spouse", "id_number": "123"}),
        "abuser.id_number",
    ),
    (_dv_case(violence_forms=[]), "violence_forms"),
    (_without(_dv_case(), "violence_forms"), "violence_forms"),
    (_dv_case(violence_forms=["kicking"]), "violence_forms"),
    (_dv_case(violence_forms=[{"physical": True}]), "violence_forms"),
    (_dv_case(violence_forms={"physical": True}), "violence_forms"),
    (_dv_case(call_at="yesterday"), "call_at"),
    (_dv_case(call_at="2026-02-30T10:00"), "call_at"),
    (_dv_case(call_at=iso(t(hours=1))), "call_at"),
    (_dv_case(call_at="0001-01-01T00:00"), "call_at"),
    (_dv_case(call_at="9999-12-31T23:59:59-12:00"), "call_at"),
    (_dv_case(call_at=[iso(t(hours=-1))]), "call_at"),
    (_dv_case(call_at=None), "call_at"),
    (_without(_dv_case(), "call_at"), "call_at"),
    (_dv_case(attended_at=iso(t(hours=-4))), "attended_at"),  # before the call
    (_dv_case(attended_at=iso(t(hours=2))), "attended_at"),
    (_dv_case(injuries=["bruises"]), "injuries"),
    (_dv_case(injuries="x" * 2001), "injuries"),
    (_dv_case(injury_level="dead"), "injury_level"),
    (_dv_case(minors_present={"yes": True}), "minors_present"),
    (_dv_case(minors_present=[True]), "minors_present"),
    (_dv_case(prior_incidents=10**30), "prior_incidents"),
    (_dv_case(prior_incidents=-1), "prior_incidents"),
    (_dv_case(prior_incidents="many"), "prior_incidents"),
    (_dv_case(prior_incidents=float("inf")), "prior_incidents"),
    (_dv_case(prior_incidents=2.5), "prior_incidents"),
    (_dv_case(special_protection=["rich"]), "special_protection"),
    (_dv_case(location="x" * 201), "location"),
    (_dv_case(jurisdiction=OTHER_VILLAGE), "jurisdiction"),  # not the station's area
    (_dv_case(jurisdiction="500240001"), "jurisdiction"),  # a township, not a village
    (_dv_case(jurisdiction=[VILLAGE]), "jurisdiction"),
    (_dv_case(description=""), "description"),
    (_dv_case(description="x" * 5001), "description"),
    (_dv_case(description="含\u0000字符"), "description"),
    (_dv_case(subject=victim(phone="call me")), "subject.phone"),
    (_dv_case(subject=victim(phone=[VICTIM_PHONE])), "subject.phone"),
    (_dv_case(subject=victim(id_number="50024019850412002Y")), "subject.id_number"),
    (_dv_case(subject=victim(birth_date="1985-04-13")), "subject.birth_date"),  # ≠ ID number
    (_dv_case(subject=victim(birth_date="2999-01-01", id_number=None)), "subject.birth_date"),
    (_dv_case(subject=victim(sex="X")), "subject.sex"),
    (_dv_case(subject=victim(address="x" * 201)), "subject.address"),
    (_dv_case(subject=victim(name="")), "subject.name"),
    (_dv_case(subject=None), "subject.name"),
    (_dv_case(subject=VICTIM), "subject"),
    # protection_order
    (_po_case(colour="blue"), "colour"),
    (_po_case(applicant_role="neighbour"), "applicant_role"),
    (_without(_po_case(), "applicant_role"), "applicant_role"),
    (_po_case(applicant_role="close_relative"), "proxy_reason"),  # why not the victim herself?
    (_po_case(applicant_role="police", proxy_reason="busy"), "proxy_reason"),
    (_po_case(applicant={"name": "王母", "phone": ["1"]}), "applicant.phone"),
    (_po_case(applicant={"name": "王母", "age": 60}), "applicant.age"),
    (_po_case(respondent={"name": ABUSER, "relation": "boss"}), "respondent.relation"),
    (_po_case(respondent={"name": ABUSER, "colour": "x"}), "respondent.colour"),
    (_po_case(respondent=ABUSER), "respondent"),
    (_po_case(respondent={"name": ABUSER, "id_number": "123"}), "respondent.id_number"),
    (_po_case(measures=["lock_up"]), "measures"),
    (_po_case(measures=[["no_violence"]]), "measures"),
    (_po_case(measures_other="x" * 2001), "measures_other"),
    (_po_case(evidence=["rumour"]), "evidence"),
    (_po_case(evidence={"medical": True}), "evidence"),
    (_po_case(court=10**30), "court"),
    (_po_case(court=-1), "court"),
    (_po_case(court="the county court"), "court"),
    (_po_case(court=1.5), "court"),
    (_po_case(court=[1]), "court"),
    (_po_case(court={"id": 1}), "court"),
    (_police_org, "court"),  # an organisation, but not a court
    (_po_case(court_basis="nearest"), "court_basis"),
    (_po_case(source_case=10**30), "source_case"),
    (_po_case(source_case=2**31), "source_case"),
    (_po_case(source_case=999999), "source_case"),
    (_po_case(source_case="DV-2026-000001"), "source_case"),
    (_po_case(special_protection="rich"), "special_protection"),
    (_po_case(description="x" * 5001), "description"),
    (_po_case(subject=victim(birth_date="1985-02-30")), "subject.birth_date"),
]


@pytest.mark.parametrize(("make", "field"), BAD_CREATES)
def test_create_refuses_bad_fields(api, make, field):
    body = make(api)
    username = "police" if body["type"] == "dv_warning" else "womens_federation"
    response = api.post(username, "/api/v1/cases", body)
    error = assert_error(response, 422, "validation_failed", [field])
    assert all(isinstance(m, str) and m for ms in error["fields"].values() for m in ms)
    assert api.count(Case) == 0


def test_create_trims_and_accepts_the_documented_fields(api):
    created = api.create(
        "police",
        incident(
            subject=victim(name=f"  {VICTIM} ", phone="138-1234-5678", id_number=VICTIM_ID.lower()),
            abuser={"name": f" {ABUSER}", "relation": "former_partner", "sex": "M"},
            violence_forms=["stalking", "stalking", "economic"],
            injury_level="serious",
            minors_witnessed=True,
            prior_incidents=3,
            special_protection=["pregnant"],
            location=" 城南社区五组 ",
            urgent=True,
        ),
    )
    assert created["subject"]["name"] == VICTIM
    assert created["subject"]["phone"] == VICTIM_PHONE
    assert created["subject"]["id_number"] == VICTIM_ID
    assert created["fields"]["violence_forms"] == ["economic", "stalking"]
    assert created["fields"]["relation"] == "former_partner"
    assert created["fields"]["prior_incidents"] == 3
    assert created["fields"]["location"] == "城南社区五组"
    assert created["fields"]["minors_witnessed"] is True
    # Serious injury and special protection raise the priority (Art. 5).
    assert created["urgent"] is True and created["risk_level"] == "high"
    assert created["special_protection"] == ["pregnant"]


def test_an_application_started_from_a_police_call(api):
    source = api.create("police", incident())["id"]
    before = api.snapshot(source)
    created = api.create(
        "police",
        application(api, applicant_role="police", proxy_reason="coerced", source_case=source),
    )
    assert created["fields"]["source_case_id"] == source
    assert created["fields"]["applicant_role"] == "police"
    applicant = next(p for p in created["persons"] if p["role"] == "applicant")
    assert applicant["organisation_name"] == "南宾派出所"
    # The call records that an application was started from it, with a new version.
    state, version, events = api.snapshot(source)
    assert (state, version, events) == (before[0], before[1] + 1, before[2] + 1)
    started = api.case("police", source)["events"][-1]
    assert started["trigger"] == "order_started" and started["data"]["case_id"] == created["id"]
    # A victim under coercion (Art. 23 ¶2) is not asked for consent: the police file.
    assert created["fields"]["consent_required"] is False
    case = fire(api, "police", created["id"], "file")
    assert case["state"] == "filed" and case["fields"]["victim_wishes_confirmed"] is False
    # A call the user cannot see cannot be the source: the same answer as an unknown one.
    response = api.post("hotline", "/api/v1/cases", application(api, source_case=source))
    assert_error(response, 422, "validation_failed", ["source_case"])
    mandatory = api.create(
        "child_director",
        {
            "type": "mandatory_report",
            "jurisdiction": VILLAGE,
            "reporter_org_type": "village_committee",
            "discovered_at": iso(t(hours=-1)),
            "description": "发现儿童受伤。",
            "subject": {"name": "冉小雨", "sex": "F"},
        },
    )["id"]
    response = api.post("police", "/api/v1/cases", application(api, source_case=mandatory))
    assert_error(response, 422, "validation_failed", ["source_case"])


def test_urgency_is_the_courts_decision_at_acceptance(api):
    # The applicant asks for urgency; the court does not find it urgent: 72 hours (Art. 28).
    case_id = po_filed(api, urgent=True)
    assert api.case("court_liaison", case_id)["fields"]["urgency_requested"] is True
    case = fire(api, "court_liaison", case_id, "court_accept", accepted_at=iso(t(hours=-6)))
    assert case["urgent"] is False
    assert case["fields"]["urgency_requested"] is True  # the request is kept
    assert deadline(case, "ruling_due")["due_at"] == utc(t(hours=-6 + 1 + 72))
    assert case["events"][-1]["data"]["urgency_requested"] is True
    assert case["events"][-1]["data"]["urgent"] is False
    # The court finds an asked-for urgency: 24 hours.
    asked = po_filed(api, urgent=True)
    case = fire(
        api, "court_liaison", asked, "court_accept", accepted_at=iso(t(hours=-6)), urgent=True
    )
    assert case["urgent"] is True
    assert deadline(case, "ruling_due")["due_at"] == utc(t(hours=-6 + 1 + 24))
    # The court may find a case urgent that nobody asked to be.
    other = po_filed(api)
    case = fire(
        api, "court_liaison", other, "court_accept", accepted_at=iso(t(hours=-6)), urgent=True
    )
    assert case["urgent"] is True
    assert deadline(case, "ruling_due")["due_at"] == utc(t(hours=-6 + 1 + 24))
    # Acceptance cannot come before the filing.
    third = po_filed(api)
    api.refused(
        "court_liaison",
        third,
        "court_accept",
        422,
        "validation_failed",
        ["accepted_at"],
        accepted_at=iso(t(hours=-9)),
    )


# --- nothing a client sends gives a server error, and a refusal changes nothing ---------


def _dv_logged(api):
    return api.create("police", incident())["id"]


def _dv_warned(api):
    case_id = _dv_logged(api)
    fire(api, "police", case_id, "issue_warning", **_VALID["issue_warning"](api, case_id))
    return case_id


def _dv_delivered(api):
    case_id = _dv_warned(api)
    fire(api, "police", case_id, "deliver", **_VALID["deliver"](api, case_id))
    return case_id


def _dv_following(api):
    case_id = _dv_logged(api)
    fire(api, "police", case_id, "criticize", victim_informed=True)
    return case_id


def _dv_penalty_case(api):
    """A call escalated to a 治安 case (D9: its decision is due in 30 days)."""
    case_id = _dv_logged(api)
    fire(api, "police", case_id, "escalate", **_VALID["escalate"](api, case_id))
    return case_id


def _dv_closure(api):
    case_id = _dv_following(api)
    fire(api, "police", case_id, "request_closure", summary="结案")
    return case_id


def _dv_closed(api):
    case_id = _dv_closure(api)
    fire(api, "supervisor", case_id, "approve_closure")
    return case_id


def _po_reconsidering(api):
    case_id = po_rejected(api)
    fire(
        api,
        "womens_federation",
        case_id,
        "request_reconsideration",
        **_VALID["request_reconsideration"](api, case_id),
    )
    return case_id


def _po_rejected_unserved(api):
    case_id = po_accepted(api)
    fire(api, "court_liaison", case_id, "reject", ruled_at=iso(t(hours=-4)), reason="证据不足。")
    return case_id


def _po_reviewing(api):
    case_id = po_in_force(api)
    fire(
        api,
        "court_liaison",
        case_id,
        "request_respondent_review",
        requested_at=iso(t(hours=-1)),
        reason="被申请人不服",
    )
    return case_id


def _po_ended(api):
    case_id = po_in_force(api)
    fire(api, "court_liaison", case_id, "revoke", **_VALID["revoke"](api, case_id))
    return case_id


def _po_following(api):
    case_id = _po_ended(api)
    fire(api, "womens_federation", case_id, "start_follow_up")
    return case_id


def _po_closure(api):
    case_id = _po_following(api)
    fire(api, "womens_federation", case_id, "request_closure", summary="结案")
    return case_id


def _po_closed(api):
    case_id = _po_closure(api)
    fire(api, "supervisor", case_id, "approve_closure")
    return case_id


def _times(*names, hours=-1):
    return lambda api, case_id: {name: iso(t(hours=hours)) for name in names}


_VALID = {
    "criticize": lambda api, case_id: {"victim_informed": True, "comment": "批评教育"},
    "issue_warning": lambda api, case_id: {
        "warning_number": f"石公(南)告字〔2026〕{case_id:03d}号",
        "issued_at": iso(t(hours=-2)),
        "facts": "加害人殴打受害人。",
        "abuser_id_number": ABUSER_ID,
    },
    "escalate": lambda api, case_id: {
        "outcome": "admin_penalty",
        "decided_at": iso(t(hours=-1)),
        "detail": "行政拘留五日",
    },
    "deliver": lambda api, case_id: (
        _times("delivered_abuser_at", "delivered_victim_at", "committee_notified_at")(api, case_id)
        | {"committee_name": "城南社区居民委员会"}
    ),
    "start_follow_up": lambda api, case_id: {"first_visit_due": iso(t(days=5)), "comment": "x"},
    "record_repeat": lambda api, case_id: {
        "occurred_at": iso(t(hours=-1)),
        "description": "再次殴打",
        "outcome": "criminal_case",
    },
    "decide_penalty": lambda api, case_id: {
        "decided_at": iso(t(hours=1)),
        "decision": "石公(南)行罚决字〔2026〕1号：行政拘留五日",
    },
    "extend_penalty_decision": lambda api, case_id: {
        "approved_by": "石柱县公安局",
        "reason": "案情复杂",
    },
    "request_closure": lambda api, case_id: {"summary": "结案"},
    "approve_closure": lambda api, case_id: {"comment": "同意"},
    "reject_closure": lambda api, case_id: {"reason": "继续跟进"},
    "reopen": lambda api, case_id: {"reason": "再次报警"},
    "file": lambda api, case_id: {"filed_at": iso(t(hours=-8)), "victim_wishes_confirmed": True},
    "court_accept": lambda api, case_id: {"accepted_at": iso(t(hours=-6)), "urgent": True},
    "issue_order": lambda api, case_id: {
        "issued_at": iso(t(hours=2)),
        "expires_on": "2026-08-01",
        **ISSUE,
    },
    "reject": lambda api, case_id: {
        "ruled_at": iso(t(hours=-5)),
        "served_at": iso(t(hours=-5)),
        "reason": "证据不足",
    },
    "serve_rejection": lambda api, case_id: {"served_at": iso(t(hours=-3))},
    "request_respondent_review": lambda api, case_id: {
        "requested_at": iso(t(hours=1)),
        "reason": "被申请人不服",
    },
    "decide_respondent_review": lambda api, case_id: {
        "decided_at": iso(t(hours=2)),
        "outcome": "changed",
        "granted_measures": ["no_violence"],
        "reason": "部分变更",
    },
    "revoke_on_review": lambda api, case_id: {"decided_at": iso(t(hours=2)), "reason": "撤销"},
    "request_reconsideration": lambda api, case_id: {
        "requested_at": iso(t(hours=1)),
        "reason": "不服",
    },
    "uphold_rejection": lambda api, case_id: {"decided_at": iso(t(hours=2)), "reason": "维持"},
    "serve": lambda api, case_id: service(),
    "extend": lambda api, case_id: {
        "applied_at": iso(t(hours=1)),
        "decided_at": iso(t(hours=2)),
        "expires_on": "2026-08-01",
    },
    "modify": lambda api, case_id: {
        "applied_at": iso(t(hours=1)),
        "decided_at": iso(t(hours=2)),
        "granted_measures": ["no_violence", "move_out", "other"],
        "measures_other": "禁止携带刀具",
    },
    "record_violation": lambda api, case_id: {
        "occurred_at": iso(t(hours=1)),
        "description": "纠缠申请人",
        "evidence": "录像",
    },
    "revoke": lambda api, case_id: {"decided_at": iso(t(hours=1)), "reason": "申请人申请撤销"},
}

# (type, trigger) → who fires it, and how to get a case where it can fire.
_FUZZ_TARGETS = {
    ("dv_warning", "criticize"): ("police", _dv_logged),
    ("dv_warning", "issue_warning"): ("police", _dv_logged),
    ("dv_warning", "escalate"): ("police", _dv_logged),
    ("dv_warning", "deliver"): ("police", _dv_warned),
    ("dv_warning", "start_follow_up"): ("police", _dv_delivered),
    ("dv_warning", "record_repeat"): ("police", _dv_following),
    ("dv_warning", "decide_penalty"): ("police", _dv_penalty_case),
    ("dv_warning", "extend_penalty_decision"): ("police", _dv_penalty_case),
    ("dv_warning", "request_closure"): ("police", _dv_following),
    ("dv_warning", "approve_closure"): ("supervisor", _dv_closure),
    ("dv_warning", "reject_closure"): ("supervisor", _dv_closure),
    ("dv_warning", "reopen"): ("supervisor", _dv_closed),
    ("protection_order", "file"): ("womens_federation", po_drafted),
    ("protection_order", "court_accept"): ("court_liaison", po_filed),
    ("protection_order", "issue_order"): ("court_liaison", po_accepted),
    ("protection_order", "reject"): ("court_liaison", po_accepted),
    ("protection_order", "request_reconsideration"): ("womens_federation", po_rejected),
    ("protection_order", "uphold_rejection"): ("court_liaison", _po_reconsidering),
    ("protection_order", "serve"): ("court_liaison", po_issued),
    ("protection_order", "extend"): ("court_liaison", po_in_force),
    ("protection_order", "modify"): ("court_liaison", po_in_force),
    ("protection_order", "record_violation"): ("womens_federation", po_in_force),
    ("protection_order", "revoke"): ("court_liaison", po_in_force),
    ("protection_order", "serve_rejection"): ("court_liaison", _po_rejected_unserved),
    ("protection_order", "request_respondent_review"): ("court_liaison", po_in_force),
    ("protection_order", "decide_respondent_review"): ("court_liaison", _po_reviewing),
    ("protection_order", "revoke_on_review"): ("court_liaison", _po_reviewing),
    ("protection_order", "start_follow_up"): ("womens_federation", _po_ended),
    ("protection_order", "request_closure"): ("womens_federation", _po_following),
    ("protection_order", "approve_closure"): ("supervisor", _po_closure),
    ("protection_order", "reject_closure"): ("supervisor", _po_closure),
    ("protection_order", "reopen"): ("supervisor", _po_closed),
}


def test_every_action_form_is_fuzzed():
    from caseflow.forms import ACTION_FORMS

    dv_forms = {key for key in ACTION_FORMS if key[0] in ("dv_warning", "protection_order")}
    assert set(_FUZZ_TARGETS) == dv_forms


def _edge_values():
    from hypothesis import strategies as st

    from tests.integration.test_api import _json_values

    return st.one_of(
        _json_values(),
        st.sampled_from(
            [
                "9999-12-31",
                "0001-01-01",
                "2026-02-30",
                "2026-09-02",
                "9999-12-31T23:59:59-12:00",
                "0001-01-01T00:00",
                "2026-03-02T08:00:00+08:00",
                "2026-03-01T09:00",
                "2026-03-03T09:00",
                2**31,
                2**63,
                10**30,
                -(2**31),
                0,
                1,
                "other",
                "no_violence",
                "admin_penalty",
                "warning",
                "statement",
                ["no_violence", "other"],
                ["statement"],
                {"name": ABUSER, "relation": "spouse"},
                {"name": ["x"]},
                "y",
                "false",
            ]
        ),
    )


def test_no_action_input_gives_a_server_error(api):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from caseflow.openapi import ACTION_FIELDS

    api.at(t(days=1))
    names = sorted({f.rstrip("*") for fields in ACTION_FIELDS.values() for f in fields})
    cases: dict[tuple, int] = {}

    @settings(
        max_examples=250,
        deadline=None,
        database=None,  # no .hypothesis/ folder in the project
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        target=st.sampled_from(sorted(_FUZZ_TARGETS)),
        changes=st.dictionaries(
            st.sampled_from([*names, "version", "colour"]), _edge_values(), max_size=4
        ),
        dropped=st.sets(st.sampled_from(names), max_size=2),
    )
    def check(target, changes, dropped):
        username, walk = _FUZZ_TARGETS[target]
        trigger = target[1]
        if target not in cases:
            cases[target] = walk(api)
        case_id = cases[target]
        before = api.snapshot(case_id)
        body = {"version": before[1], **_VALID[trigger](api, case_id)}
        for name in dropped:
            body.pop(name, None)
        body.update(changes)
        response = api.post(username, f"/api/v1/cases/{case_id}/actions/{trigger}", body)
        assert response.status_code < 500, (target, body, response.get_data(as_text=True))
        assert response.is_json
        data = response.get_json()
        if response.status_code == 200:
            assert data["id"] == case_id and data["version"] > before[1]
            cases.pop(target)  # the case moved on; the next example starts a fresh one
            return
        assert set(data) == {"error"}
        assert set(data["error"]) == {"code", "message", "fields"}
        assert all(
            isinstance(m, str) for messages in data["error"]["fields"].values() for m in messages
        )
        assert api.snapshot(case_id) == before, (target, body, data)

    check()


def test_no_create_input_gives_a_server_error(api):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    names = sorted(
        {*incident(), *application(api), "location", "injury_level", "minors_witnessed"}
        | {"prior_incidents", "special_protection", "proxy_reason", "applicant"}
        | {"oral_application", "court_basis", "measures_other", "source_case"}
        | {"victim_wishes_confirmed", "colour"}
    )
    nested = ["name", "sex", "birth_date", "id_number", "phone", "address", "relation"]

    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        case_type=st.sampled_from(["dv_warning", "protection_order"]),
        changes=st.dictionaries(st.sampled_from(names), _edge_values(), max_size=4),
        person=st.sampled_from(["subject", "abuser", "respondent", "applicant"]),
        person_changes=st.dictionaries(st.sampled_from(nested), _edge_values(), max_size=3),
    )
    def check(case_type, changes, person, person_changes):
        body = incident() if case_type == "dv_warning" else application(api)
        username = "police" if case_type == "dv_warning" else "womens_federation"
        body.update(changes)
        body["type"] = case_type
        if isinstance(body.get(person), dict) or person not in body:
            body[person] = {**(body.get(person) or {}), **person_changes}
        before = api.count(Case)
        response = api.post(username, "/api/v1/cases", body)
        assert response.status_code < 500, (body, response.get_data(as_text=True))
        assert response.is_json
        if response.status_code == 201:
            assert api.count(Case) == before + 1
        else:
            assert set(response.get_json()["error"]) == {"code", "message", "fields"}
            assert api.count(Case) == before

    check()


# --- the OpenAPI document says what the forms take ----------------------------------------

CREATE_TYPES = ("mandatory_report", "dv_warning", "protection_order", "legal_aid")

# Required by the form, but filled in by the API when not sent.
DEFAULTED = {("issue_warning", "prohibition")}


def _form_fields(form_class) -> dict:
    """The unbound fields of a form class, its bases' included (as from_json sees them)."""
    from wtforms import Field

    fields = {}
    for klass in reversed(form_class.__mro__):
        for name, unbound in vars(klass).items():
            if hasattr(unbound, "field_class") and issubclass(unbound.field_class, Field):
                fields[name] = unbound
    fields.pop("csrf_token", None)
    return fields


def _validators(unbound) -> list:
    if "validators" in unbound.kwargs:
        return list(unbound.kwargs["validators"] or [])
    return list(unbound.args[1]) if len(unbound.args) > 1 else []


def _subform(unbound):
    from wtforms import FormField

    return unbound.args[0] if issubclass(unbound.field_class, FormField) else None


def _required(unbound) -> bool:
    from wtforms.validators import DataRequired, InputRequired

    sub = _subform(unbound)
    if sub is not None:
        return any(_required(f) for f in _form_fields(sub).values())
    return any(isinstance(v, DataRequired | InputRequired) for v in _validators(unbound))


def _static_choices(unbound) -> set | None:
    """The codes a select field accepts, if fixed in the class (not set up per request)."""
    values = unbound.kwargs.get("choices")
    if not values:
        return None
    return {str(choice.value) for choice in values} - {""}


def _documented_codes(schema: dict) -> set:
    codes = set()
    for option in [schema, *schema.get("oneOf", []), *schema.get("anyOf", [])]:
        for part in (option, option.get("items", {})):
            codes |= {str(code) for code in part.get("enum", []) if code not in ("", None)}
    return codes


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _ref_name(schema: dict) -> str:
    if "oneOf" in schema and "$ref" not in schema:  # an optional object: it or null
        schema = schema["oneOf"][0]
    return schema["$ref"].rsplit("/", 1)[1]


def _check_body(schemas: dict, schema: dict, form_class, where: str) -> None:
    fields = _form_fields(form_class)
    extra = {"type"} if where in CREATE_TYPES else set()
    # The persons chosen from the proposals (services/persons.py) are no field of the form.
    links = {"person_links"} if where in CREATE_TYPES else set()
    assert set(schema["properties"]) == set(fields) | extra | links, where
    required = {name for name, unbound in fields.items() if _required(unbound)}
    assert set(schema.get("required", [])) == required | extra, where
    assert schema["additionalProperties"] is False, where
    for name, unbound in fields.items():
        documented = schema["properties"][name]
        sub = _subform(unbound)
        if sub is not None:
            _check_body(schemas, schemas[_ref_name(documented)], sub, f"{where}.{name}")
        elif (codes := _static_choices(unbound)) is not None:
            assert _documented_codes(documented) == codes, f"{where}.{name}"


@pytest.mark.parametrize("case_type", CREATE_TYPES)
def test_openapi_create_bodies_are_the_forms(spec, case_type):
    from caseflow.forms import CREATE_FORMS

    schemas = spec["components"]["schemas"]
    create = spec["paths"]["/api/v1/cases"]["post"]["requestBody"]["content"]
    body = create["application/json"]["schema"]
    mapping = body["discriminator"]["mapping"]
    assert set(CREATE_TYPES) <= set(mapping) and set(CREATE_TYPES) <= set(CREATE_FORMS)
    name = mapping[case_type].rsplit("/", 1)[1]
    assert {"$ref": mapping[case_type]} in body["oneOf"]
    assert schemas[name]["properties"]["type"]["enum"] == [case_type]
    _check_body(schemas, schemas[name], CREATE_FORMS[case_type], case_type)


def test_openapi_action_bodies_are_the_forms(spec):
    from caseflow.forms import ACTION_FORMS
    from caseflow.openapi import ACTION_FIELDS, ACTION_NOTES, TRIGGERS
    from caseflow.workflows import WORKFLOWS

    body = spec["components"]["schemas"]["ActionBody"]
    properties = body["properties"]
    covered = {key: form for key, form in ACTION_FORMS.items() if key[0] in CREATE_TYPES}
    for (case_type, trigger), form_class in covered.items():
        key = f"{case_type}.{trigger}"
        documented = ACTION_FIELDS[key]
        fields = _form_fields(form_class)
        del fields["version"]
        assert {f.rstrip("*") for f in documented} == set(fields), key
        required = {
            name
            for name, unbound in fields.items()
            if _required(unbound) and (trigger, name) not in DEFAULTED
        }
        assert {f[:-1] for f in documented if f.endswith("*")} == required, key
        for name, unbound in fields.items():
            assert name in properties, name
            codes = _static_choices(unbound)
            if codes is not None:
                assert codes <= _documented_codes(properties[name]), (key, name)
            sub = _subform(unbound)
            if sub is not None:
                schema = spec["components"]["schemas"][_ref_name(properties[name])]
                assert set(schema["properties"]) == set(_form_fields(sub)), name
        assert f"{key}: " in body["description"]
    # Triggers shared by types (start_follow_up, request_closure, ...) share a body.
    for trigger in {t for _type, t in covered}:
        bodies = {tuple(ACTION_FIELDS[f"{ct}.{trigger}"]) for ct, t in covered if t == trigger}
        assert len(bodies) == 1, trigger
    assert set(ACTION_NOTES) <= set(ACTION_FIELDS)
    assert set(properties) == {"version"} | {
        f.rstrip("*") for fields in ACTION_FIELDS.values() for f in fields
    }
    action = spec["paths"]["/api/v1/cases/{case_id}/actions/{trigger}"]["post"]
    [trigger] = [p for p in action["parameters"] if p["name"] == "trigger"]
    assert trigger["schema"]["enum"] == TRIGGERS
    # Every trigger a user fires on these types has a body; the initial ones and the
    # scheduler's `expire` have none.
    for case_type in CREATE_TYPES:
        workflow = WORKFLOWS[case_type]
        fired = {s.trigger for s in workflow.steps if s.roles} - {workflow.initial_trigger}
        assert fired == {t for ct, t in covered if ct == case_type}, case_type
        assert fired <= set(TRIGGERS)


def test_openapi_vocabularies(spec):
    from caseflow.vocab import DEADLINE_KINDS
    from caseflow.workflows import ALL_STATES, WORKFLOWS

    schemas = spec["components"]["schemas"]
    summary = schemas["CaseSummary"]["properties"]
    assert summary["type"]["enum"] == list(WORKFLOWS)
    assert set(summary["state"]["enum"]) == set(ALL_STATES)
    assert {"warning_issued", "in_force", "reconsideration"} <= set(ALL_STATES)
    opened = {k for t in CREATE_TYPES for step in WORKFLOWS[t].steps for k in step.opens}
    assert opened | {"referral_due"} <= set(schemas["Deadline"]["properties"]["kind"]["enum"])
    assert set(DEADLINE_KINDS) == set(schemas["Deadline"]["properties"]["kind"]["enum"])


def test_openapi_describes_the_fields_of_each_type(api, spec):
    schemas = spec["components"]["schemas"]
    detail = schemas["CaseDetail"]["allOf"][1]["properties"]["fields"]
    assert {_ref_name(option) for option in detail["oneOf"]} == {
        "MandatoryReportFields",
        "DvWarningFields",
        "ProtectionOrderFields",
        "LegalAidFields",
    }
    dv = _dv_warned(api)
    aid = api.create(
        "police",
        {
            "type": "legal_aid",
            "jurisdiction": VILLAGE,
            "matter": "protection_order",
            "description": "申请人身安全保护令需要代理。",
            "means_test_exempt_reason": "domestic_violence",
            "subject": {"name": VICTIM, "sex": "F"},
        },
    )["id"]
    po = po_in_force(api)
    mr = api.create(
        "child_director",
        {
            "type": "mandatory_report",
            "jurisdiction": VILLAGE,
            "reporter_org_type": "village_committee",
            "discovered_at": iso(t(hours=-1)),
            "description": "发现儿童受伤。",
            "subject": {"name": "冉小雨", "sex": "F"},
        },
    )["id"]
    for username, case_id, name, nested in [
        ("police", dv, "DvWarningFields", "warning"),
        ("womens_federation", po, "ProtectionOrderFields", "service"),
        ("police", mr, "MandatoryReportFields", None),
        ("police", aid, "LegalAidFields", None),
    ]:
        fields = api.case(username, case_id)["fields"]
        schema = schemas[name]
        assert set(fields) == set(schema["properties"]), name
        assert set(schema["required"]) <= set(fields)
        # The required keys tell the three apart (oneOf matches exactly one).
        kinds = ("MandatoryReportFields", "DvWarningFields", "ProtectionOrderFields")
        kinds += ("LegalAidFields",)
        assert [k for k in kinds if set(schemas[k]["required"]) <= set(fields)] == [name]
        if nested:
            assert set(fields[nested]) == set(schema["properties"][nested]["properties"])
    person = api.case("police", dv)["persons"][0]
    assert set(person) == set(schemas["Person"]["properties"])


# --- what each role is offered ----------------------------------------------------------

HIDDEN = None  # the case does not exist for this user (404)


@pytest.mark.parametrize(
    ("walk", "offered"),
    [
        (
            _dv_logged,
            {
                "police": ["criticize", "issue_warning", "escalate"],
                "womens_federation": [],
                "supervisor": [],
                "court_liaison": HIDDEN,
                "hotline": HIDDEN,
                "statistician": HIDDEN,
            },
        ),
        (
            _dv_delivered,
            {
                "police": ["start_follow_up"],
                "womens_federation": ["start_follow_up"],  # 查访 with the police (Art. 17)
                "supervisor": [],
            },
        ),
        (_dv_closure, {"police": [], "supervisor": ["approve_closure", "reject_closure"]}),
        (
            po_drafted,
            {
                "womens_federation": ["file"],
                "police": [],  # in its area: sees it, may not file another unit's draft
                "court_liaison": HIDDEN,
                "hotline": HIDDEN,
                "legal_aid": HIDDEN,
                "statistician": HIDDEN,
            },
        ),
        (po_filed, {"womens_federation": [], "court_liaison": ["court_accept"]}),
        (po_accepted, {"womens_federation": [], "court_liaison": ["issue_order", "reject"]}),
        (
            po_rejected,
            {
                "womens_federation": ["request_reconsideration", "request_closure"],
                "court_liaison": [],
                "police": [],
            },
        ),
        (_po_reconsidering, {"court_liaison": ["issue_order", "uphold_rejection"]}),
        (po_issued, {"court_liaison": ["serve"], "womens_federation": []}),
        (
            po_in_force,
            {
                "court_liaison": [
                    "extend",
                    "modify",
                    "record_violation",
                    "revoke",
                    "request_respondent_review",
                ],
                "womens_federation": ["record_violation"],
                "police": ["record_violation"],
                "supervisor": [],
                "hotline": HIDDEN,
                "statistician": HIDDEN,
            },
        ),
        (_po_ended, {"womens_federation": ["start_follow_up"], "court_liaison": []}),
        (
            _po_closure,
            {"womens_federation": [], "supervisor": ["approve_closure", "reject_closure"]},
        ),
        (_po_closed, {"supervisor": ["reopen"], "court_liaison": []}),
    ],
)
def test_actions_offered_to_each_role(api, walk, offered):
    api.at(t(days=1))
    case_id = walk(api)
    for username, actions in offered.items():
        response = api.get(username, f"/api/v1/cases/{case_id}")
        if actions is HIDDEN:
            assert_error(response, 404, "not_found")
            continue
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_json()["actions"] == actions, username


def test_lists_filter_the_new_types_and_states(api):
    api.at(t(days=1))
    dv = _dv_warned(api)
    po = po_in_force(api)
    drafted = po_drafted(api)

    def ids(username, query):
        response = api.get(username, f"/api/v1/cases?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return sorted(c["id"] for c in response.get_json()["items"])

    assert ids("police", "type=dv_warning") == [dv]
    assert ids("police", "state=warning_issued") == [dv]
    assert ids("police", "type=protection_order") == sorted([po, drafted])
    assert ids("womens_federation", "type=protection_order&state=in_force") == [po]
    assert ids("womens_federation", "state=drafted") == [drafted]
    assert ids("court_liaison", "type=protection_order") == [po]
    assert ids("court_liaison", "state=drafted") == []
    assert ids("supervisor", f"jurisdiction={VILLAGE}") == sorted([dv, po, drafted])
    assert_error(
        api.get("police", "/api/v1/cases?state=served"), 422, "validation_failed", ["state"]
    )


def test_a_rejection_not_contested_is_closed(api):
    api.at(t(days=1))
    case_id = po_rejected(api)
    case = fire(
        api, "womens_federation", case_id, "request_closure", summary="申请人不再申请复议。"
    )
    assert case["state"] == "closure_requested"
    # Sent back, it is rejected again, and the window is still open.
    case = fire(api, "supervisor", case_id, "reject_closure", reason="请确认申请人意愿。")
    assert case["state"] == "rejected"
    assert deadline(case, "reconsideration_window")["status"] == "open"
    fire(api, "womens_federation", case_id, "request_closure", summary="申请人确认不复议。")
    case = fire(api, "supervisor", case_id, "approve_closure")
    assert case["state"] == "closed" and case["closed_at"] == utc(t(days=1))
    api.refused(
        "womens_federation",
        case_id,
        "request_reconsideration",
        409,
        "invalid_transition",
        requested_at=iso(t(hours=12)),
        reason="x",
    )
