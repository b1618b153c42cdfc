"""Search finds cases by any party's name, ID number or phone, within the identity scope
(services.party_search): the reporter only for the handling unit and the reporter."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import Jurisdiction
from caseflow.services import cases
from caseflow.services.queries import CaseFilters, case_list
from tests.conftest import user

CHENGNAN = "500240001001"


def person(**given) -> dict:
    fields = ("name", "sex", "birth_date", "id_number", "phone", "address")
    return {k: None for k in fields} | given


@pytest.fixture
def dv(ctx):
    place = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == CHENGNAN))
    at = timeutil.now() - timedelta(hours=3)
    case = cases.create_case(
        user("police"),
        "dv_warning",
        {
            "jurisdiction_id": place.id,
            "call_at": at,
            "attended_at": at,
            "location": "城南社区",
            "subject": person(name="李秀英", sex="F", phone="13800000002"),
            "abuser": person(
                name="王建国", sex="M", relation="spouse", id_number="50024019800101001X",
                phone="13911112222",
            ),
            "violence_forms": ["physical"],
            "injury_level": "minor",
            "injuries": "",
            "minors_present": False,
            "minors_witnessed": False,
            "prior_incidents": 0,
            "special_protection": [],
            "urgent": False,
            "description": "邻居报警。",
        },
    )  # fmt: skip
    db.session.commit()
    return case


def found(username, q) -> list[int]:
    items, total = case_list(user(username), CaseFilters(q=q), page=1, per_page=50)
    assert total == len(items)
    return [c.id for c in items]


@pytest.mark.parametrize(
    "q", ["王建国", "建国", "50024019800101001x", "139 1111 2222", "+8613911112222", "李秀英"]
)
def test_the_handling_unit_finds_a_case_by_any_party(dv, q):
    assert found("police", q) == [dv.id]


def test_out_of_identity_scope_a_party_finds_nothing_and_counts_nothing(dv):
    # The women's federation sees DV cases of the county, not their identities.
    assert found("womens_federation", "") == [dv.id]
    assert found("womens_federation", "王建国") == []
    assert found("womens_federation", "13911112222") == []
    assert found("womens_federation", dv.number) == [dv.id]  # the number is no identity
    assert found("statistician", "王建国") == []


def test_the_reporter_is_searched_only_by_the_handling_unit(ctx):
    from tests.integration.test_attachments import report

    case = report()  # reporter 谭春梅, handled by 南宾派出所
    assert found("police", "谭春梅") == [case.id]
    assert found("child_director", "谭春梅") == [case.id]  # she filed it
    assert found("child_supervisor", "谭春梅") == []  # case team, not the handling unit
    assert found("child_supervisor", "冉小雨") == [case.id]


def test_a_linked_person_record_finds_the_persons_other_cases(dv):
    from caseflow.services import persons

    other = cases.create_case(
        user("police"),
        "dv_warning",
        {
            "jurisdiction_id": dv.jurisdiction_id,
            "call_at": timeutil.now() - timedelta(hours=2),
            "attended_at": None,
            "location": "城南社区",
            "subject": person(name="张兰", sex="F"),
            "abuser": person(name="王建国", sex="M", relation="partner"),  # no phone typed
            "violence_forms": ["physical"],
            "injury_level": "minor",
            "injuries": "",
            "minors_present": False,
            "minors_witnessed": False,
            "prior_incidents": 0,
            "special_protection": [],
            "urgent": False,
            "description": "再次报警。",
        },
    )  # fmt: skip
    db.session.commit()
    assert found("police", "13911112222") == [dv.id]
    police = user("police")
    record = persons.link(police, dv, dv.person("abuser"), None).record_id
    persons.link(police, other, other.person("abuser"), record)
    db.session.commit()
    assert sorted(found("police", "13911112222")) == sorted([dv.id, other.id])
    assert sorted(found("police", "50024019800101001X")) == sorted([dv.id, other.id])
    assert found("police", "张兰") == [other.id]  # the victims are not the same person
    assert found("womens_federation", "13911112222") == []
