"""Who sees which case, and whose identity (workflows.md "Roles and scope").

A user sees the cases in their organisation's jurisdiction subtree for the case types
their role handles, plus cases they created, own, or that are referred to their unit.
Out-of-scope cases do not exist for them: not opened, not listed, not counted. Child
identity stays inside the case team; reporter identity with the handling unit and the
reporter.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseflow import policy, timeutil
from caseflow.extensions import db
from caseflow.models import Jurisdiction, Organisation
from caseflow.services import cases, referrals
from caseflow.services.queries import CaseFilters, case_list
from caseflow.vocab import ROLES
from tests.conftest import user

CHENGNAN = "500240001001"  # 城南社区, 南宾街道 — child_director's village
HONGJING = "500240001002"  # 红井社区, 南宾街道
YUNTI = "500240101002"  # 云梯村, 西沱镇 — child_director_2's village
CHILD = "冉小雨"
CHILD_ID = "500240201503080024"
REPORTER = "谭春梅"
REPORTER_PHONE = "13800000001"


def place(code: str) -> Jurisdiction:
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


def org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def report(username: str, code: str, child: str = CHILD, **extra):
    data = {
        "jurisdiction_id": place(code).id,
        "intake_org_id": None,
        "reporter_org_type": "village_committee",
        "discovered_at": timeutil.now() - timedelta(hours=2),
        "situation_codes": [],
        "ongoing_danger": False,
        "guardian_is_suspect": False,
        "child_safety": "unknown",
        "urgent": False,
        "description": "入户走访时发现儿童身上有多处淤青。",
        "subject": {
            "name": child,
            "sex": "F",
            "birth_date": None,
            "id_number": CHILD_ID,
            "phone": "13900000000",
            "address": "城南社区3号",
            "school": "南宾小学",
        },
        "reporter": {"name": REPORTER, "phone": REPORTER_PHONE},
        **extra,
    }
    return cases.create_case(user(username), "mandatory_report", data)


def visible_ids(username: str) -> set[int]:
    items, total = case_list(user(username), CaseFilters(), page=1, per_page=100)
    assert total == len(items)
    return {c.id for c in items}


def count(username: str) -> int:
    return case_list(user(username), CaseFilters(), page=1, per_page=1)[1]


def sees(username: str, case) -> bool:
    """Open, can_view and list must agree; the answer is the same through all three."""
    who = user(username)
    opened = policy.visible_case(who, case.id) is not None
    assert opened == policy.can_view(who, case)
    assert opened == (case.id in visible_ids(username))
    return opened


@pytest.fixture
def three(ctx):
    """A report in each of: 城南社区 (by child_director), 红井社区 (by child_supervisor),
    云梯村 (by child_director_2, the other township)."""
    return {
        "chengnan": report("child_director", CHENGNAN),
        "hongjing": report("child_supervisor", HONGJING, child="谭小军"),
        "yunti": report("child_director_2", YUNTI, child="马小花"),
    }


def test_the_intake_unit_is_the_township_police_station(three):
    assert three["chengnan"].owner_org.name == "南宾派出所"
    assert three["hongjing"].owner_org.name == "南宾派出所"
    assert three["yunti"].owner_org.name == "西沱派出所"


def test_a_child_director_of_another_township_cannot_see_count_or_open(three):
    other = user("child_director_2")
    case = three["chengnan"]
    assert policy.visible_case(other, case.id) is None
    assert not policy.can_view(other, case)
    assert visible_ids("child_director_2") == {three["yunti"].id}
    assert count("child_director_2") == 1
    # Not even by searching for the child's name or the case number.
    for q in (CHILD, case.number):
        items, total = case_list(other, CaseFilters(q=q), page=1, per_page=10)
        assert (items, total) == ([], 0)
    items, total = case_list(other, CaseFilters(jurisdiction=CHENGNAN), page=1, per_page=10)
    assert (items, total) == ([], 0)


def test_a_child_director_sees_reports_they_filed_and_child_cases_of_their_village(three):
    assert visible_ids("child_director") == {three["chengnan"].id}
    # A case filed by someone else in their own village: visible; in the next village: not.
    by_supervisor = report("child_supervisor", CHENGNAN, child="秦小龙")
    assert sees("child_director", by_supervisor)
    assert not sees("child_director", three["hongjing"])


def test_a_report_filed_stays_visible_to_its_reporter_after_a_transfer(three):
    case = three["chengnan"]
    county_police = org("石柱县公安局")
    cases.fire(
        user("police"),
        case,
        "transfer",
        {"to_org": county_police.id, "reason": "涉嫌刑事案件，移送县局。"},
        case.version,
    )
    assert case.owner_org_id == county_police.id
    assert sees("child_director", case)
    # The township station no longer owns it, but the place is still in its township.
    assert sees("police", case)


def test_a_reporter_whose_role_handles_no_case_type_sees_just_what_they_filed(three):
    # The hotline opens cases anywhere in the county but handles none by jurisdiction.
    assert count("hotline") == 0
    filed = report("hotline", YUNTI, child="刘小虎", reporter_org_type="other")
    assert visible_ids("hotline") == {filed.id}
    subject, reporter = views("hotline", filed)
    assert subject["masked"] is False and reporter["masked"] is False


def test_the_child_supervisor_sees_all_child_cases_of_the_township(three):
    assert visible_ids("child_supervisor") == {three["chengnan"].id, three["hongjing"].id}


def test_police_see_the_cases_of_their_township(three):
    assert visible_ids("police") == {three["chengnan"].id, three["hongjing"].id}
    assert count("police") == 2
    assert policy.visible_case(user("police"), three["yunti"].id) is None


def test_county_units_see_the_whole_county(three):
    everything = {c.id for c in three.values()}
    assert visible_ids("civil_affairs") == everything
    assert visible_ids("supervisor") == everything


@pytest.mark.parametrize("username", ["statistician", "admin"])
def test_statistician_and_admin_see_no_case(three, username):
    assert count(username) == 0
    for case in three.values():
        assert policy.visible_case(user(username), case.id) is None
        assert not policy.can_see_identity(user(username), case)
        assert not policy.can_see_reporter(user(username), case)


@pytest.mark.parametrize("username", ["court_liaison", "legal_aid", "hotline", "womens_federation"])
def test_roles_that_do_not_handle_child_cases_see_none_of_them(three, username):
    assert count(username) == 0


def test_a_referred_unit_sees_the_case_once_referred(three):
    case = three["chengnan"]
    assert not sees("legal_aid", case)
    assert not sees("womens_federation", case)
    (referral,) = referrals.add(
        case, user("police"), [org("石柱县法律援助中心")], "申请法律援助。", None, case.version
    )
    assert referral.status == "sent"
    assert sees("legal_aid", case)
    assert visible_ids("legal_aid") == {case.id}
    assert not sees("womens_federation", case)  # another unit: still nothing


# --- identities -----------------------------------------------------------------------------


def views(username: str, case):
    who = user(username)
    return policy.person_view(who, case, case.subject), policy.person_view(
        who, case, case.person("reporter")
    )


def test_the_case_team_sees_the_child_and_the_reporting_unit_the_reporter(three):
    case = three["chengnan"]
    for username in ("child_director", "police", "child_supervisor", "supervisor"):
        subject, _reporter = views(username, case)
        assert subject["masked"] is False, username
        assert subject["name"] == CHILD
        assert subject["id_number"] == CHILD_ID
    for username in ("child_director", "police"):  # the reporter and the handling unit
        _subject, reporter = views(username, case)
        assert reporter["masked"] is False, username
        assert (reporter["name"], reporter["phone"]) == (REPORTER, REPORTER_PHONE)


@pytest.mark.parametrize("username", ["child_supervisor", "supervisor", "civil_affairs"])
def test_the_reporter_is_hidden_from_everyone_else(three, username):
    _subject, reporter = views(username, three["chengnan"])
    assert reporter["masked"] is True
    assert reporter["name"] != REPORTER and reporter["name"].startswith(REPORTER[0])
    assert reporter["phone"] != REPORTER_PHONE
    assert reporter["organisation_name"] != "城南社区居民委员会"


def test_civil_affairs_sees_a_masked_child_until_it_accepts_a_referral(three):
    case = three["chengnan"]
    civil = user("civil_affairs")
    assert policy.visible_case(civil, case.id) is not None  # in scope (county, child cases)
    subject, _ = views("civil_affairs", case)
    assert subject["masked"] is True
    assert subject["name"] == "冉**"
    assert subject["id_number"] == "50************0024"
    assert subject["phone"] == "139****0000"
    assert subject["birth_date"] is None
    assert CHILD not in str(subject) and CHILD_ID not in str(subject)

    (referral,) = referrals.add(
        case, user("police"), [org("石柱县民政局")], "申请临时监护评估。", None, case.version
    )
    assert views("civil_affairs", case)[0]["masked"] is True  # sent is not yet accepted
    referrals.answer(referral, civil, "accept", "")
    subject, reporter = views("civil_affairs", case)
    assert subject["masked"] is False
    assert subject["name"] == CHILD
    assert reporter["masked"] is True  # joining the team does not reveal the reporter


def test_a_declined_referral_does_not_reveal_the_child(three):
    case = three["chengnan"]
    (referral,) = referrals.add(
        case, user("police"), [org("石柱县民政局")], "申请临时监护评估。", None, case.version
    )
    referrals.answer(referral, user("civil_affairs"), "decline", "不属于本部门职责。")
    assert views("civil_affairs", case)[0]["masked"] is True


def test_no_one_outside_the_team_sees_the_identities_of_a_case(three):
    case = three["yunti"]
    insiders = {"child_director_2", "supervisor"}  # the reporter; the county supervisor
    for username in [*ROLES, "child_director_2"]:
        allowed = policy.can_see_identity(user(username), case)
        assert allowed == (username in insiders), username
