"""The synthetic data generator (`flask generate-cases`): what it writes must look like
what the services write — valid states, intact event chains, deadlines consistent with
the times — because the indicators are checked and load-tested on it."""

from datetime import UTC, datetime

from sqlalchemy import func, select, text

from caseflow.extensions import db
from caseflow.models import (
    Case,
    Deadline,
    Event,
    HotlineCall,
    Jurisdiction,
    MandatoryReport,
    Organisation,
    Person,
    ProtectionOrder,
    Referral,
    User,
    Visit,
)
from caseflow.services.audit import verify_chain
from caseflow.synthetic import Generator, Options
from caseflow.vocab import DEADLINE_KINDS, EVENT_LABELS
from caseflow.workflows import WORKFLOWS

AS_OF = datetime(2026, 6, 30, tzinfo=UTC)
ARGS = [
    "generate-cases",
    "--n",
    "300",
    "--townships",
    "2",
    "--villages",
    "2",
    "--batch",
    "100",
    "--seed",
    "7",
    "--years",
    "2024-2026",
    "--as-of",
    "2026-06-30",
]


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _age(born, on):
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def test_generated_cases_follow_their_workflows(clean):
    runner = clean.test_cli_runner()
    outcome = runner.invoke(args=ARGS)
    assert outcome.exit_code == 0, outcome.output
    assert "已生成 300 个案例" in outcome.output
    assert "generated 300 cases" in outcome.output

    with clean.app_context():
        assert _count(Case) == 300
        by_type = dict(
            db.session.execute(select(Case.type, func.count()).group_by(Case.type)).all()
        )
        # 40 / 30 / 10 / 20 %, loosely: 300 draws.
        assert 90 <= by_type["mandatory_report"] <= 150
        assert 60 <= by_type["dv_warning"] <= 120
        assert 12 <= by_type["protection_order"] <= 50
        assert 35 <= by_type["legal_aid"] <= 90
        assert _count(Case, Case.sealed.is_(True)) >= 1
        assert _count(Case, Case.is_test.is_(True)) >= 1

        # Valid states, several per type, closed ones among them.
        states = {}
        for case_type, state in db.session.execute(select(Case.type, Case.state)):
            assert state in WORKFLOWS[case_type].states, (case_type, state)
            states.setdefault(case_type, set()).add(state)
        for case_type, seen in states.items():
            assert "closed" in seen, case_type
            assert len(seen) >= 4, (case_type, seen)

        # Exactly one subject per case; the other people each type needs.
        per_case = db.session.execute(
            select(Person.case_id, func.count())
            .where(Person.role == "subject")
            .group_by(Person.case_id)
        ).all()
        assert len(per_case) == 300 and {n for _, n in per_case} == {1}
        for case_type, role in (
            ("mandatory_report", "reporter"),
            ("dv_warning", "abuser"),
            ("protection_order", "respondent"),
        ):
            without = db.session.scalar(
                select(func.count())
                .select_from(Case)
                .where(
                    Case.type == case_type,
                    ~select(Person.id)
                    .where(Person.case_id == Case.id, Person.role == role)
                    .exists(),
                )
            )
            assert without == 0, (case_type, role)
        assert _count(Person, Person.id_number.is_not(None)) == 0

        # Children in every band for the reports; adults and minors elsewhere.
        bands = set()
        for born, created, case_type in db.session.execute(
            select(Person.birth_date, Case.created_at, Case.type)
            .join(Case, Person.case_id == Case.id)
            .where(Person.role == "subject")
        ):
            age = _age(born, created.date())
            if case_type == "mandatory_report":
                assert 0 <= age <= 17
            bands.add(0 if age <= 5 else 6 if age <= 13 else 14 if age <= 17 else 18)
        assert bands == {0, 6, 14, 18}

        # Every chain verifies; every timeline starts with the initial trigger, runs
        # seq 1..k in time order, names real triggers and ends in the case's state.
        cases = db.session.scalars(select(Case)).all()
        for case in cases:
            assert verify_chain(case.id) is None, case.number
            events = db.session.scalars(
                select(Event).where(Event.case_id == case.id).order_by(Event.seq)
            ).all()
            workflow = WORKFLOWS[case.type]
            assert [e.seq for e in events] == list(range(1, len(events) + 1))
            assert events[0].trigger == workflow.initial_trigger
            assert events[0].from_state is None
            assert all(a.at <= b.at for a, b in zip(events, events[1:], strict=False))
            assert events[-1].to_state == case.state
            for e in events:
                assert e.trigger in workflow.triggers or e.trigger in EVENT_LABELS, e.trigger
            assert events[-1].at <= AS_OF
            assert (case.state == "closed") == (case.closed_at is not None), case.number

        # Deadlines: the kinds the steps open, statuses consistent with the times.
        kinds = set(db.session.scalars(select(Deadline.kind).distinct()))
        assert kinds <= set(DEADLINE_KINDS)
        assert {
            "report_late",
            "accept_due",
            "verify_due",
            "feedback_due",
            "visit_due",
            "deliver_due",
            "first_visit_due",
            "ruling_due",
            "decision_due",
            "assign_due",
            "referral_due",
        } <= kinds
        total = _count(Deadline)
        missed = _count(Deadline, Deadline.status == "missed")
        assert 0.05 * total <= missed <= 0.25 * total
        for d in db.session.scalars(select(Deadline)):
            if d.status == "open":
                assert d.closed_at is None and d.due_at >= AS_OF
            elif d.status == "met":
                assert d.closed_at <= d.due_at
            elif d.status == "missed":
                assert d.done_late == (d.closed_at is not None)
                assert d.closed_at is None or d.closed_at > d.due_at
                assert d.closed_at is not None or d.due_at < AS_OF
        assert _count(Deadline, Deadline.status == "missed", Deadline.done_late.is_(True)) > 0
        referral_deadlines = _count(Deadline, Deadline.referral_id.is_not(None))
        assert referral_deadlines == _count(Referral) > 0

        # Type rows: times in order.
        for report in db.session.scalars(select(MandatoryReport)):
            assert report.discovered_at < report.reported_at
            assert all(1 <= code <= 9 for code in report.situation_codes)
        verified = db.session.scalars(
            select(MandatoryReport)
            .join(Case, MandatoryReport.case_id == Case.id)
            .where(Case.state.in_(("verified", "referred", "following_up")))
        ).all()
        assert verified and all(r.confirmed_situations and r.verifier_id for r in verified)
        ruled = db.session.scalars(
            select(ProtectionOrder).where(ProtectionOrder.ruled_at.is_not(None))
        ).all()
        assert ruled and all(o.accepted_at <= o.ruled_at for o in ruled)
        assert {o.ruling for o in ruled} <= {"issued", "rejected"}

        assert _count(Visit) > 0
        assert set(db.session.scalars(select(Referral.status).distinct())) >= {
            "completed",
            "accepted",
        }
        assert _count(HotlineCall) == 30
        assert _count(HotlineCall, HotlineCall.jurisdiction_id.is_not(None)) > 0

        setup = (_count(Jurisdiction), _count(Organisation), _count(User))

    # A second run reuses the places, units and users and adds 300 more cases.
    outcome = runner.invoke(args=ARGS)
    assert outcome.exit_code == 0, outcome.output
    with clean.app_context():
        assert _count(Case) == 600
        assert db.session.scalar(select(func.count(func.distinct(Case.number)))) == 600
        assert _count(Case, Case.number.like("%-SYN0002-%")) == 300
        assert (_count(Jurisdiction), _count(Organisation), _count(User)) == setup
        assert _count(HotlineCall) == 60
        if db.engine.dialect.name == "postgresql":
            # The id sequences were moved past the generated ids.
            for table in ("cases", "events", "deadlines", "persons", "hotline_calls"):
                top = db.session.scalar(text(f"SELECT MAX(id) FROM {table}"))
                following = db.session.scalar(
                    text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))")
                )
                assert following > top, table


def test_same_seed_same_data(clean):
    with clean.app_context():
        opts = Options(n=60, townships=1, villages=2, seed=3, batch=30, as_of=AS_OF)
        generator = Generator(opts, echo=lambda _line: None)
        generator.prepare()
        first = [e["hash"] for e in generator.batch(1)[Event]]
        again = [e["hash"] for e in generator.batch(1)[Event]]
        assert first and first == again
        cases = [(c["type"], c["created_at"]) for c in generator.batch(1)[Case]]
        other = Generator(Options(n=60, townships=1, villages=2, seed=4, batch=30, as_of=AS_OF))
        other.prepare()
        assert [(c["type"], c["created_at"]) for c in other.batch(1)[Case]] != cases
        db.session.rollback()
