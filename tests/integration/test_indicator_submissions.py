"""Figures reported by responsible units: refused when wrong (nothing saved), kept as
revisions, accepted or returned by a statistician other than the reporter."""

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.indicators import submissions
from caseflow.models import IndicatorSubmission, Jurisdiction
from caseflow.services.errors import Forbidden, InvalidTransitionError, ValidationFailed
from tests.conftest import user


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(IndicatorSubmission))


def body(**overrides):
    data = {"code": "W-LAW-01", "year": 2025, "jurisdiction": "500240"}
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"numerator": 3, "denominator": 0}, "denominator"),
        ({"value": -1}, "value"),
        ({"value": 100.5}, "value"),
        ({"numerator": 30, "denominator": 20}, "numerator"),
        ({"value": 40, "year": 2031}, "year"),
        ({"value": 40, "year": 2019}, "year"),
        ({"value": 40, "year": "twenty"}, "year"),
        ({"value": 40, "code": "X-99"}, "code"),
        ({"value": 40, "code": "MR-01"}, "code"),  # computed from cases
        ({"value": 40, "jurisdiction": "999999"}, "jurisdiction"),
        ({"value": "forty"}, "value"),
        ({"value": True}, "value"),
        ({"value": float("nan")}, "value"),
        ({"value": 40, "numerator": 1, "denominator": 2}, "value"),
        ({}, "value"),
        ({"numerator": 3}, "denominator"),
    ],
)
def test_bad_figures_are_refused_and_nothing_is_saved(ctx, overrides, field):
    before = count()
    with pytest.raises(ValidationFailed) as refused:
        submissions.submit(user("data_procuratorate"), body(**overrides))
    assert field in refused.value.fields
    assert count() == before


def test_a_count_is_a_whole_number_and_unknown_fields_are_refused(ctx):
    with pytest.raises(ValidationFailed) as refused:
        submissions.submit(user("data_reporter"), body(code="W-LAW-04", value=2.5))
    assert "value" in refused.value.fields
    with pytest.raises(ValidationFailed):
        submissions.submit(user("data_procuratorate"), body(value=40, colour="red"))


def test_only_the_responsible_unit_reports(ctx):
    with pytest.raises(Forbidden):
        submissions.submit(user("data_court"), body(value=40))  # prosecutors are not the court's
    with pytest.raises(Forbidden):
        submissions.submit(user("statistician"), body(value=40))
    assert count() == 0


def test_ratio_entry_value_and_revisions_keep_history(ctx):
    reporter, statistician = user("data_procuratorate"), user("statistician")
    first = submissions.submit(reporter, body(numerator=12, denominator=26))
    assert first.value == pytest.approx(1200 / 26) and first.revision == 1
    submissions.review(statistician, first.id, accept=True)
    second = submissions.submit(reporter, body(numerator=13, denominator=26))
    third = submissions.submit(reporter, body(numerator=14, denominator=26, note="更正"))
    assert (second.status, third.status, third.revision) == ("replaced", "submitted", 3)
    place = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "500240"))
    # Until the correction is accepted, the figure in use is the accepted one.
    in_use = submissions.accepted_values(["W-LAW-01"], place, 2025, 2025)
    assert in_use[("W-LAW-01", 2025)].id == first.id
    submissions.review(statistician, third.id, accept=True)
    in_use = submissions.accepted_values(["W-LAW-01"], place, 2025, 2025)
    assert in_use[("W-LAW-01", 2025)].value == pytest.approx(1400 / 26)
    assert [row.revision for row in submissions.history("W-LAW-01", 2025, place)] == [3, 2, 1]


def test_review_rules(ctx):
    reporter, statistician = user("data_procuratorate"), user("statistician")
    row = submissions.submit(reporter, body(value=40))
    with pytest.raises(Forbidden):
        submissions.review(reporter, row.id, accept=True)
    with pytest.raises(ValidationFailed):
        submissions.review(statistician, row.id, accept=False, note="  ")
    submissions.review(statistician, row.id, accept=False, note="与人事台账不符")
    assert row.status == "returned" and row.review_note == "与人事台账不符"
    with pytest.raises(InvalidTransitionError):
        submissions.review(statistician, row.id, accept=True)
