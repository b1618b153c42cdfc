"""Smaller rules of the DV types: the respondent's relation on the person, the women's
federation's 查访 on a police case, and ids no database can hold."""

from datetime import timedelta

import pytest

from caseflow import policy, timeutil
from caseflow.services import cases, visits
from caseflow.services.errors import ValidationFailed
from tests.conftest import user
from tests.integration.test_dv_deadlines import (
    application,
    deliver,
    draft,
    issue_warning,
    local,
    log_call,
)


def test_the_respondent_person_carries_the_relation(ctx):
    case = draft(local(2026, 11, 2, 9, 0))
    respondent = case.person("respondent")
    assert respondent.relation == "spouse"
    assert case.protection_order.relation == "spouse"


def test_a_respondent_added_at_filing_carries_the_relation(ctx):
    case = draft(local(2026, 11, 2, 9, 0), respondent={"name": None, "relation": None})
    assert case.person("respondent") is None
    timeutil.set_clock(local(2026, 11, 2, 10, 0))
    cases.fire(
        user("womens_federation"),
        case,
        "file",
        {"filed_at": None, "respondent": {"name": "吴志刚", "relation": "partner"}},
        case.version,
    )
    assert case.person("respondent").relation == "partner"


def test_the_womens_federation_records_the_visits_it_starts(ctx):
    called = local(2026, 11, 2, 9, 0)
    case = log_call(called)
    issue_warning(case, called + timedelta(hours=1))
    deliver(case, *(called + timedelta(hours=2),) * 3)
    federation = user("womens_federation")
    timeutil.set_clock(called + timedelta(hours=3))
    cases.fire(federation, case, "start_follow_up", {}, case.version)
    assert policy.can_record_visit(federation, case)
    timeutil.set_clock(called + timedelta(days=2))
    visits.record(
        case, federation, called + timedelta(days=1), "home", "safe", "", None, case.version
    )
    first = [d for d in case.deadlines if d.kind == "first_visit_due"]
    assert [d.status for d in first] == ["met"]


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**30])
def test_a_source_case_id_no_database_can_hold_is_unknown(ctx, huge):
    timeutil.set_clock(local(2026, 11, 2, 9, 0))
    with pytest.raises(ValidationFailed) as refused:
        cases.create_case(
            user("womens_federation"), "protection_order", application(source_case_id=huge)
        )
    assert "source_case" in refused.value.fields
    assert policy.visible_case(user("police"), huge) is None
