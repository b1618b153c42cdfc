"""The demo district the README's run command loads: every case walked through the real
services, so a change that breaks a step breaks here before it breaks the demo."""

from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.demo import DV_CASES, HISTORY_YEARS, PO_CASES, TARGETS, seed
from caseflow.extensions import db
from caseflow.indicators import periods, table
from caseflow.models import Case, HotlineCall, Jurisdiction, Plan, User
from caseflow.policy import count_scope
from caseflow.services.audit import verify_chain
from tests.conftest import purge


def test_the_full_demo_loads_with_honest_timelines(clean):
    with clean.app_context():
        purge()
        assert seed(with_cases=True) is True
        db.session.commit()
        assert seed(with_cases=True) is False  # a second load changes nothing

        states = db.session.execute(select(Case.type, Case.state, Case.created_at)).all()
        this_year = timeutil.to_local(timeutil.now()).year
        by_type = {}
        for case_type, state, created_at in states:
            if timeutil.to_local(created_at).year == this_year:
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
        # Earlier years: two reports and a warning case closed, an order run to its end.
        years = {}
        for case_type, state, created_at in states:
            year = timeutil.to_local(created_at).year
            if year != this_year:
                years.setdefault(year, []).append((case_type, state))
        assert sorted(years) == list(HISTORY_YEARS)
        assert min(HISTORY_YEARS) == 2020
        for year, cases in years.items():
            assert sorted(cases) == [
                ("dv_warning", "closed"),
                ("mandatory_report", "closed"),
                ("mandatory_report", "closed"),
                ("protection_order", "ended"),
            ], year
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


def test_the_default_year_of_the_indicator_pages_has_case_figures(clean):
    """The pages open on the last complete year: the demo's earlier cases give it figures."""
    with clean.app_context():
        purge()
        seed(with_cases=True)
        db.session.commit()
        year = periods.last_complete_year()
        assert year in HISTORY_YEARS
        county = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "500240"))
        statistician = db.session.scalar(select(User).where(User.username == "statistician"))
        scope = count_scope(statistician, county)
        figures = {}
        for plan in db.session.scalars(select(Plan).where(Plan.jurisdiction_id == county.id)):
            for row in table.plan_rows(plan, year, scope, hide_small=False):
                figures[row.code] = row.display
        for code in ("MR-01", "DV-01", "DV-02", "PO-01", "PO-02"):
            assert figures[code] not in ("—", "0"), (code, figures[code])
