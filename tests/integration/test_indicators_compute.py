"""Every case-derived indicator (indicators.md §B) on a small data set built row by row,
with the expected figures worked out by hand in the comments. Runs on both engines.

The year under test is 2025 in local time (Asia/Shanghai): a report made at 23:00 on
31 December counts in 2025, one made at 00:30 on 1 January in 2026.
"""

import itertools
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from caseflow import policy
from caseflow.extensions import db
from caseflow.indicators import compute, table
from caseflow.indicators import periods as P
from caseflow.models import (
    Case,
    Deadline,
    DvIncident,
    Event,
    HotlineCall,
    Jurisdiction,
    LegalAid,
    MandatoryReport,
    Organisation,
    Person,
    ProtectionOrder,
    Referral,
)
from caseflow.timeutil import aware
from tests.conftest import user

CHENGNAN = "500240001001"  # 南宾街道
YUNTI = "500240101002"  # 西沱镇
_numbers = itertools.count(1)


def L(y, m, d, h=10, minute=0) -> datetime:
    """A local wall-clock time in the county."""
    return aware(datetime(y, m, d, h, minute))


def place(code: str) -> Jurisdiction:
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


def org(type_: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.type == type_))


def add_case(case_type, where=CHENGNAN, sex="F", born=None, at=None, **flags) -> Case:
    at = at or L(2025, 1, 1)
    case = Case(
        number=f"T-{next(_numbers):06d}",
        type=case_type,
        state={
            "mandatory_report": "submitted",
            "dv_warning": "incident_logged",
            "protection_order": "filed",
            "legal_aid": "applied",
        }[case_type],
        jurisdiction=place(where),
        created_by_id=user("police").id,
        created_at=at,
        updated_at=at,
        sealed=flags.get("sealed", False),
        is_test=flags.get("is_test", False),
    )
    db.session.add(case)
    db.session.flush()
    db.session.add(
        Person(
            case_id=case.id,
            role="subject",
            name="某某",
            sex=sex,
            birth_date=born,
            id_number=flags.get("id_number"),
        )
    )
    return case


def event(case: Case, trigger: str, at: datetime) -> None:
    seq = (
        db.session.scalar(select(db.func.max(Event.seq)).where(Event.case_id == case.id)) or 0
    ) + 1
    db.session.add(
        Event(
            case_id=case.id,
            seq=seq,
            at=at,
            trigger=trigger,
            to_state=case.state,
            comment="",
            data={},
            prev_hash="0" * 64,
            hash="0" * 64,
        )
    )


def deadline(case: Case, kind: str, due: datetime, status: str) -> None:
    db.session.add(
        Deadline(
            case_id=case.id,
            kind=kind,
            opened_at=due - timedelta(days=1),
            due_at=due,
            status=status,
            done_late=status == "missed",
            basis="",
        )
    )


def report(where=CHENGNAN, sex="F", born=date(2015, 6, 1), at=None, reporter="school", **kw):
    case = add_case("mandatory_report", where, sex, born, at, **kw)
    db.session.add(
        MandatoryReport(
            case_id=case.id,
            reporter_org_type=reporter,
            discovered_at=at - timedelta(hours=2),
            reported_at=at,
            situation_codes=kw.get("situations", []),
            confirmed_situations=kw.get("confirmed", []),
        )
    )
    return case


@pytest.fixture
def data(ctx):
    # --- mandatory reports ------------------------------------------------------------
    r1 = report(at=L(2025, 3, 10), situations=[4], confirmed=[4])
    deadline(r1, "report_late", L(2025, 3, 11), "met")
    event(r1, "accept", L(2025, 3, 11))
    deadline(r1, "accept_due", L(2025, 3, 11), "met")
    deadline(r1, "feedback_due", L(2025, 3, 20), "met")
    event(r1, "verify", L(2025, 3, 20))
    deadline(r1, "visit_due", L(2025, 6, 1), "missed")  # FU-01
    r2 = report(sex="M", born=date(2010, 1, 1), at=L(2025, 5, 5), reporter="hospital")
    deadline(r2, "report_late", L(2025, 5, 4), "missed")
    event(r2, "accept", L(2025, 5, 8))
    deadline(r2, "accept_due", L(2025, 5, 6), "missed")
    deadline(r2, "feedback_due", L(2025, 5, 15), "missed")
    event(r2, "mark_unfounded", L(2025, 5, 20))
    # 23:00 on 31 December, local: still 2025 (15:00 UTC).
    r3 = report(where=YUNTI, born=date(2021, 2, 1), at=L(2025, 12, 31, 23), situations=[6])
    deadline(r3, "report_late", L(2026, 1, 1), "met")
    # 00:30 on 1 January, local, is 16:30 UTC on 31 December: 2026, not 2025.
    report(where=YUNTI, at=L(2026, 1, 1, 0, 30))
    report(at=L(2025, 4, 1), sealed=True)
    report(at=L(2025, 4, 2), is_test=True)
    # Reported in 2024, verified in 2025: counts for MR-04 and C-SAFE-03 in 2025 only.
    r7 = report(at=L(2024, 6, 1), confirmed=[2])
    event(r7, "verify", L(2025, 1, 10))
    civil, station = org("civil_affairs"), org("police_station")
    sender = user("police")
    for case, to, status, sent in (
        (r1, civil, "completed", L(2025, 3, 25)),
        (r2, station, "declined", L(2025, 6, 1)),
        (r1, station, "withdrawn", L(2025, 3, 26)),  # withdrawn referrals are not counted
    ):
        db.session.add(
            Referral(
                case_id=case.id,
                to_org_id=to.id,
                reason="转介",
                status=status,
                sent_at=sent,
                sent_by_id=sender.id,
            )
        )

    # --- domestic violence --------------------------------------------------------------
    def dv(call_at, warned=None, **kw):
        case = add_case("dv_warning", born=date(1990, 1, 1), at=call_at, **kw)
        db.session.add(
            DvIncident(
                case_id=case.id, call_at=call_at, relation="spouse", warning_issued_at=warned
            )
        )
        return case

    dv1 = dv(L(2025, 2, 1), warned=L(2025, 2, 2))
    deadline(dv1, "deliver_due", L(2025, 2, 3), "met")
    deadline(dv1, "first_visit_due", L(2025, 2, 10), "met")
    dv2 = dv(L(2025, 3, 1), warned=L(2025, 3, 2))
    deadline(dv2, "deliver_due", L(2025, 3, 3), "missed")
    deadline(dv2, "visit_due", L(2025, 4, 1), "missed")
    dv3 = dv(L(2025, 4, 1))
    deadline(dv3, "visit_due", L(2025, 5, 1), "waived")  # excused: not counted
    deadline(dv3, "visit_due", L(2026, 2, 1), "open")  # falls due in 2026
    # Called in on 31 December 2024 (local), warned on 1 January 2025.
    dv4 = dv(L(2024, 12, 31, 23, 30), warned=L(2025, 1, 1, 9))
    deadline(dv4, "deliver_due", L(2025, 1, 2), "met")

    # --- protection orders --------------------------------------------------------------
    def po(filed, accepted, ruling, ruled, issued=None):
        case = add_case("protection_order", born=date(1988, 5, 5), at=filed)
        db.session.add(
            ProtectionOrder(
                case_id=case.id,
                applicant_role="victim",
                filed_at=filed,
                accepted_at=accepted,
                ruling=ruling,
                ruled_at=ruled,
                issued_at=issued,
            )
        )
        return case

    po1 = po(L(2025, 1, 5), L(2025, 1, 5), "issued", L(2025, 1, 7), L(2025, 1, 7))  # 48 h
    deadline(po1, "ruling_due", L(2025, 1, 8), "met")
    po2 = po(L(2025, 2, 1), L(2025, 2, 1, 8), "rejected", L(2025, 2, 5, 8))  # 96 h
    deadline(po2, "ruling_due", L(2025, 2, 4, 8), "missed")
    po3 = po(
        L(2024, 12, 20), L(2024, 12, 20, 12), "issued", L(2024, 12, 21, 12), L(2024, 12, 21, 12)
    )
    event(po3, "record_violation", L(2025, 3, 3))
    event(po3, "record_violation", L(2026, 1, 3))
    # Rejected after 12 h, issued on reconsideration: a 2025 issue, the first ruling a rejection.
    po4 = po(L(2025, 11, 1, 9), L(2025, 11, 1, 9), "rejected", L(2025, 11, 1, 21), L(2025, 11, 10))
    deadline(po4, "ruling_due", L(2025, 11, 4, 9), "met")

    # --- legal aid ----------------------------------------------------------------------
    def aid(sex, born, decision, decided, on_time, id_number=None):
        case = add_case("legal_aid", sex=sex, born=born, at=decided, id_number=id_number)
        db.session.add(
            LegalAid(case_id=case.id, matter="divorce", decision=decision, decided_at=decided)
        )
        deadline(case, "decision_due", decided, "met" if on_time else "missed")

    # 18 on the day of the decision (born 10 March 2007, decided 10 March 2025): a woman.
    aid("F", date(2007, 3, 10), "granted", L(2025, 3, 10), True, id_number="X1")
    # One day younger: still 17, a minor.
    aid("F", date(2007, 3, 11), "granted", L(2025, 3, 10), False)
    aid("M", date(1980, 1, 1), "denied", L(2025, 6, 1), True)
    # The same woman granted again later in the year counts once.
    aid("F", date(2007, 3, 10), "granted", L(2025, 8, 1), True, id_number="X1")

    # --- hotline ------------------------------------------------------------------------
    agent = user("hotline")
    for i, (received, category, where) in enumerate(
        (
            (L(2025, 1, 2), "domestic_violence", place(CHENGNAN).id),
            (L(2025, 7, 2), "legal_consultation", None),  # no place: the centre's county
            (L(2025, 9, 9), "domestic_violence", place(YUNTI).id),
            (L(2024, 9, 9), "domestic_violence", None),
        )
    ):
        db.session.add(
            HotlineCall(
                number=f"HL-T-{i}",
                client_token=f"token-{i}",
                org_id=agent.organisation_id,
                agent_id=agent.id,
                line="12338",
                received_at=received,
                category=category,
                urgency="normal",
                summary="咨询",
                action_taken="advice",
                jurisdiction_id=where,
                subject_sex="F",
                created_at=received,
            )
        )
    db.session.flush()


def county_scope():
    return policy.count_scope(user("statistician"))


def year_figures(scope=None, by=None):
    return compute.compute(scope or county_scope(), P.years(2025, 2025), by=by)


def values(figures, code):
    return {key: f.value for (_i, key), f in figures[code].items()}


def total(code, scope=None):
    return year_figures(scope)[code][(0, None)]


EXPECTED_2025 = {
    # MR-01: r1, r2, r3 (r4 is 2026 local time; sealed and test reports never count).
    "MR-01": (3, 3, None),
    # MR-02: made in time r1 and r3 of 3.
    "MR-02": (200 / 3, 2, 3),
    # MR-03: accepted r1 and r2 of 3.
    "MR-03": (200 / 3, 2, 3),
    # MR-03T: r1 accepted in time, r2 late: 1 of 2 accepted.
    "MR-03T": (50.0, 1, 2),
    # MR-04: 2025 verifications: r1 true, r2 unfounded, r7 (reported 2024) true.
    "MR-04": (200 / 3, 2, 3),
    # MR-05: feedback in time for r1 of the 2 accepted.
    "MR-05": (50.0, 1, 2),
    # MR-06: r1 → civil affairs completed, r2 → police station declined; withdrawn excluded.
    "MR-06": (50.0, 1, 2),
    # C-SAFE-03 (numerator): verified with violence: r1 (situation 4), r7 (situation 2).
    "C-SAFE-03": (2, 2, None),
    # DV-01: calls dv1, dv2, dv3 (dv4 was 31 December 2024).
    "DV-01": (3, 3, None),
    # DV-02: warnings dv1, dv2, dv4.
    "DV-02": (3, 3, None),
    "DV-03": (100.0, 3, 3),
    # DV-04: delivered in time dv1, dv4 of 3 warnings.
    "DV-04": (200 / 3, 2, 3),
    # DV-05: DV visits due in 2025: dv1 met, dv2 missed (dv3's waived one is excused).
    "DV-05": (50.0, 1, 2),
    # FU-01: cases with a missed visit due in 2025: dv2 and r1.
    "FU-01": (2, 2, None),
    # PO-01: filed po1, po2, po4.
    "PO-01": (3, 3, None),
    # PO-02: issued in 2025: po1 and po4 (on reconsideration).
    "PO-02": (2, 2, None),
    # PO-03: rulings po1 issued, po2 and po4 rejected.
    "PO-03": (100 / 3, 1, 3),
    # PO-04: po1 and po4 in time, po2 late.
    "PO-04": (200 / 3, 2, 3),
    # PO-05: (48 + 96 + 12) / 3 hours.
    "PO-05": (52.0, 156.0, 3),
    # PO-06: one violation in 2025 (the other is 2026).
    "PO-06": (1, 1, None),
    # LA-01: the woman of 18 counted once though granted twice.
    "LA-01": (1, 1, None),
    # LA-01C: the girl of 17.
    "LA-01C": (1, 1, None),
    # LA-02: 3 of 4 decisions in time.
    "LA-02": (75.0, 3, 4),
    # HL-01: 3 calls in 2025, one without a place (counted at the centre's county).
    "HL-01": (3, 3, None),
}


@pytest.mark.parametrize("code", sorted(EXPECTED_2025))
def test_each_indicator_for_2025(data, code):
    value, numerator, denominator = EXPECTED_2025[code]
    figure = total(code)
    assert figure.value == pytest.approx(value)
    assert figure.numerator == pytest.approx(numerator)
    if denominator is None:
        assert figure.denominator is None
    else:
        assert figure.denominator == pytest.approx(denominator)


def test_the_catalogue_computes_every_case_indicator(data):
    from caseflow.indicators.catalogue import CATALOGUE

    case_codes = {code for code, i in CATALOGUE.items() if i.source == "cases"}
    assert case_codes <= set(EXPECTED_2025)
    assert case_codes <= set(year_figures())


def test_po05_median_hours(data):
    # Hours 12, 48, 96: the middle one.
    assert compute.median_hours(county_scope(), P.years(2025, 2025)[0]) == pytest.approx(48.0)


def test_breakdown_by_sex_and_age_band_at_the_event(data):
    figures = year_figures(by="sex")
    assert values(figures, "MR-01") == {"F": 2, "M": 1}
    ages = values(year_figures(by="age"), "MR-01")
    # r1 is 9 on 10 March 2025, r2 15, r3 4.
    assert ages == {"6-13": 1, "14-17": 1, "0-5": 1}
    # The legal-aid subjects: 18 on the day (a woman), 17 (a minor), 45 (a man).
    assert values(year_figures(by="age"), "LA-01C") == {"18+": 0, "14-17": 1}


def test_breakdown_by_quarter_and_month_in_local_time(data):
    quarters = compute.compute(county_scope(), P.quarters(2025), codes=["MR-01", "DV-01"])
    by_q = {i: f.value for (i, _k), f in quarters["MR-01"].items()}
    assert by_q == {0: 1, 1: 1, 3: 1}  # March, May, 31 December 23:00
    months = compute.compute(county_scope(), P.months(2025), codes=["DV-01"])
    assert {i: f.value for (i, _k), f in months["DV-01"].items()} == {1: 1, 2: 1, 3: 1}


def test_breakdown_by_township_and_village(data):
    townships = values(year_figures(by="township"), "MR-01")
    named = {db.session.get(Jurisdiction, k).name: v for k, v in townships.items()}
    assert named == {"南宾街道": 2, "西沱镇": 1}
    villages = values(year_figures(by="village"), "HL-01")
    named = {db.session.get(Jurisdiction, k).name: v for k, v in villages.items()}
    # The call without a place belongs to the county, not to a village.
    assert named == {"城南社区": 1, "云梯村": 1}


def test_breakdown_by_case_type_reporter_situation_and_receiving_unit(data):
    assert values(year_figures(by="case_type"), "FU-01") == {
        "dv_warning": 1,
        "mandatory_report": 1,
    }
    assert values(year_figures(by="reporter_type"), "MR-01") == {"school": 2, "hospital": 1}
    situations = values(year_figures(by="situation"), "MR-01")
    assert situations[4] == 1 and situations[6] == 1 and situations[1] == 0
    units = values(year_figures(by="receiving_unit"), "MR-06")
    assert units == {"civil_affairs": 100.0, "police_station": 0.0}
    assert values(year_figures(by="category"), "HL-01") == {
        "domestic_violence": 2,
        "legal_consultation": 1,
    }


def test_a_township_supervisor_counts_mandatory_reports_of_the_township_only(data):
    scope = policy.count_scope(user("child_supervisor"))
    assert scope.case_types == frozenset({"mandatory_report"})
    figures = year_figures(scope)
    assert figures["MR-01"][(0, None)].value == 2  # r1, r2 in 南宾街道
    assert "DV-01" not in figures and "HL-01" not in figures
    # The county is outside the township supervisor's area.
    assert policy.count_scope(user("child_supervisor"), place("500240")) is None
    assert policy.count_scope(user("police")) is None


def test_village_figures_under_five_are_hidden_from_the_statistician(data):
    statistician, supervisor = user("statistician"), user("supervisor")
    for who, hidden in ((statistician, True), (supervisor, False)):
        rows = table.breakdown(
            "MR-01", policy.count_scope(who), 2025, "village", policy.suppresses_small_numbers(who)
        )
        chengnan = next(r for r in rows if r["label"] == "城南社区")
        empty = next(r for r in rows if r["label"] == "红井社区")
        assert chengnan["display"] == ("*" if hidden else "2")
        assert chengnan["value"] == (None if hidden else 2)
        # A village without a case next to a hidden one is hidden too: its "0" would say
        # where the cases are.
        assert empty["display"] == ("*" if hidden else "0")


def test_years_before_the_first_case_have_no_data(data):
    series = table.series_for(["MR-01", "DV-01"], county_scope(), 2020, 2025)
    # The first case recorded here dates from 2024.
    assert series["MR-01"][2023].value is None
    assert series["MR-01"][2024].value == 1
    assert series["MR-01"][2025].value == 3
