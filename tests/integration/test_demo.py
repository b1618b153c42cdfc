"""The demo district the README's run command loads: every case walked through the real
services, so a change that breaks a step breaks here before it breaks the demo."""

from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.demo import DV_CASES, PO_CASES, TARGETS, seed
from caseflow.extensions import db
from caseflow.models import Case, HotlineCall
from caseflow.services.audit import verify_chain
from tests.conftest import purge


def test_the_full_demo_loads_with_honest_timelines(clean):
    with clean.app_context():
        purge()
        assert seed(with_cases=True) is True
        db.session.commit()
        assert seed(with_cases=True) is False  # a second load changes nothing

        states = db.session.execute(select(Case.type, Case.state)).all()
        by_type = {}
        for case_type, state in states:
            by_type.setdefault(case_type, []).append(state)
        assert sorted(by_type["mandatory_report"]) == sorted(TARGETS)
        # One more DV call comes from the hotline and goes to the police station, and a
        # second call about the abuser of the escalated case (a repeat abuser).
        assert sorted(by_type["dv_warning"]) == sorted(
            ["incident_logged", "incident_logged", *(s for *_, s in DV_CASES)]
        )
        assert sorted(by_type["legal_aid"]) == ["applied", "in_service"]
        # One application is started from the escalated warning case, still a draft.
        assert sorted(by_type["protection_order"]) == sorted(
            ["drafted", *(spec[3] for spec in PO_CASES)]
        )
        for case in db.session.scalars(select(Case)):
            assert verify_chain(case.id) is None, case.number
        # Walking the demo at past times leaves the clock as it found it.
        assert timeutil._clock_override is None
        in_force = db.session.scalar(select(Case).where(Case.state == "in_force"))
        assert in_force.protection_order.expires_at > timeutil.now()
        escalated = db.session.scalar(select(Case).where(Case.state == "escalated"))
        assert escalated.last_event("order_started") is not None
        assert db.session.scalar(select(func.count()).select_from(Case)) == len(states)
        assert db.session.scalar(select(func.count()).select_from(HotlineCall)) == 3


def test_the_demo_shows_a_person_across_cases_and_a_repeat_abuser(clean):
    from caseflow.models import PersonLink, User
    from caseflow.services import persons

    with clean.test_request_context():
        purge()
        seed(with_cases=True)
        db.session.commit()
        records = db.session.execute(
            select(PersonLink.record_id, func.count()).group_by(PersonLink.record_id)
        ).all()
        assert len(records) == 2 and all(n >= 2 for _r, n in records)
        police = db.session.scalar(select(User).where(User.username == "police"))
        flagged = persons.flagged_parties(police, db.session.scalars(select(Case.id)).all())
        assert len(flagged) == 3  # the two calls and the order: 吴志刚 in each
        households = persons.high_risk_households(police)
        assert any("repeat_abuser" in h.reasons for h in households)
