"""The case list at scale: statements per page bounded, keyset pagination behind page
numbers, estimated totals said to be estimated, search collecting candidates before the
scope, the overdue column kept by the deadline ledger (both engines)."""

import contextlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import Case, Deadline, Person
from caseflow.services import queries
from caseflow.services.queries import CaseFilters, case_list
from caseflow.synthetic import Generator, Options
from tests.conftest import api_token, login, user

AS_OF = datetime(2026, 6, 30, tzinfo=UTC)


def _generate(n: int = 60) -> None:
    """n synthetic cases in the demo county (written in one batch, in this process)."""
    generator = Generator(
        Options(n=n, townships=1, villages=2, seed=5, batch=n, as_of=AS_OF), echo=lambda _: None
    )
    generator.prepare()
    generator._write(generator.batch(0), {})
    generator._fix_sequences()


@pytest.fixture
def many(clean):
    with clean.app_context():
        _generate()
        ids = set(db.session.scalars(select(Case.id)))
    return ids


@contextlib.contextmanager
def counted_statements():
    statements = []

    def count(_conn, _cursor, statement, _params, _context, _many):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_api_list_costs_the_same_statements_for_1_and_25_rows(clean, many):
    client = clean.test_client()
    headers = api_token(client, "supervisor")
    counts = {}
    for per_page in (1, 25):
        with clean.app_context():
            with counted_statements() as statements:
                answer = client.get(f"/api/v1/cases?per_page={per_page}", headers=headers)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert len(answer.get_json()["items"]) == per_page
        counts[per_page] = len(statements)
    assert counts[1] == counts[25], counts


def test_the_list_page_costs_the_same_statements_for_1_and_25_rows(clean, many):
    client = clean.test_client()
    login(client, "supervisor")
    counts = {}
    before = clean.config["PER_PAGE"]
    try:
        for per_page in (1, 25):
            clean.config["PER_PAGE"] = per_page
            with clean.app_context():
                with counted_statements() as statements:
                    page = client.get("/cases?page=2")
            assert page.status_code == 200
            assert len(re.findall(r'href="/cases/\d+"', page.get_data(as_text=True))) == per_page
            counts[per_page] = len(statements)
    finally:
        clean.config["PER_PAGE"] = before
    assert counts[1] == counts[25], counts


def test_following_the_cursor_shows_every_case_once_while_cases_are_added(clean, many):
    client = clean.test_client()
    headers = api_token(client, "supervisor")
    reporter = api_token(client, "child_director")
    seen, cursor, page = [], None, 1
    while True:
        url = f"/api/v1/cases?per_page=7&page={page}" + (f"&cursor={cursor}" if cursor else "")
        answer = client.get(url, headers=headers).get_json()
        seen += [item["id"] for item in answer["items"]]
        if not answer["more"]:
            break
        # A new case comes in between two pages: it sorts above the pages already read.
        made = client.post("/api/v1/cases", json=_report(), headers=reporter)
        assert made.status_code == 201, made.get_data(as_text=True)
        cursor, page = answer["cursor"], page + 1
        assert page < 30
    original = [i for i in seen if i in many]
    assert sorted(original) == sorted(many)  # every case that was there, exactly once
    assert len(seen) == len(set(seen))


def test_a_page_further_on_and_a_page_back_by_cursor_are_the_offset_pages(ctx, many):
    supervisor = user("supervisor")
    by_offset = {p: case_list(supervisor, CaseFilters(), p, 5).items for p in range(1, 8)}
    third = case_list(supervisor, CaseFilters(), 3, 5)
    assert case_list(supervisor, CaseFilters(), 6, 5, cursor=third.cursor).items == by_offset[6]
    assert case_list(supervisor, CaseFilters(), 2, 5, cursor=third.cursor).items == by_offset[2]
    # A cursor that is not one of ours is ignored: the page is read by offset.
    assert case_list(supervisor, CaseFilters(), 4, 5, cursor="x~1.2.3").items == by_offset[4]


def test_a_total_beyond_the_cap_is_marked_estimated(clean, many, monkeypatch):
    client = clean.test_client()
    headers = api_token(client, "supervisor")
    exact = client.get("/api/v1/cases?per_page=5", headers=headers).get_json()
    assert exact["total"] == len(many) and exact["total_estimated"] is False
    monkeypatch.setattr(queries, "COUNT_CAP", 10)
    answer = client.get("/api/v1/cases?per_page=5", headers=headers).get_json()
    login(client, "supervisor")
    page = client.get("/cases").get_data(as_text=True)
    with clean.app_context():
        postgres = db.engine.dialect.name == "postgresql"
    if postgres:  # the planner's estimate, said to be one
        assert answer["total_estimated"] is True and answer["total"] > 10
        assert 'data-estimated="1"' in page
    else:  # SQLite counts
        assert answer["total_estimated"] is False and answer["total"] == len(many)
        assert 'data-estimated="1"' not in page


@pytest.mark.parametrize("cap", [5000, 0])
def test_search_by_name_id_and_phone_stays_within_identity_scope(ctx, many, monkeypatch, cap):
    """With the candidates collected first (cap 5000) and in one statement (cap 0)."""
    monkeypatch.setattr(queries, "CANDIDATE_CAP", cap)
    subject = db.session.scalars(
        select(Person).where(Person.role == "subject").order_by(Person.id)
    ).first()
    subject.id_number = "500240201001011234"
    subject.phone = "13912345678"
    db.session.commit()
    case = db.session.get(Case, subject.case_id)
    for text in (subject.name, "500240201001011234", "139 1234 5678", case.number.lower()):
        found = case_list(user("supervisor"), CaseFilters(q=text), 1, 50).items
        assert case.id in [c.id for c in found], text
    # The hotline sees no case, and a statistician searches no identity.
    assert case_list(user("hotline"), CaseFilters(q=subject.name), 1, 50).items == []
    assert case_list(user("statistician"), CaseFilters(q="13912345678"), 1, 50).items == []


def test_next_due_is_kept_by_the_ledger_and_drives_the_overdue_filter(clean):
    client = clean.test_client()
    reporter = api_token(client, "child_director")
    made = client.post("/api/v1/cases", json=_report(), headers=reporter)
    assert made.status_code == 201
    case_id = made.get_json()["id"]
    with clean.app_context():
        case = db.session.get(Case, case_id)
        due = min(d.due_at for d in case.deadlines if d.closed_at is None)
        assert case.next_due_at == due
        supervisor = user("supervisor")
        overdue = CaseFilters(overdue=True)
        assert case_list(supervisor, overdue, 1, 25).items == []
        timeutil.set_clock(due + timedelta(minutes=1))
        assert [c.id for c in case_list(supervisor, overdue, 1, 25).items] == [case_id]
        # Meeting the deadlines clears the column.
        for deadline in db.session.scalars(select(Deadline).where(Deadline.case_id == case_id)):
            deadline.status, deadline.closed_at = "met", due
        db.session.commit()
        assert db.session.get(Case, case_id).next_due_at is None
        assert case_list(supervisor, overdue, 1, 25).items == []
        timeutil.set_clock(None)


def _report() -> dict:
    from tests.integration.test_api import report

    return report()


def test_the_page_window_is_short_whatever_the_number_of_pages():
    assert queries.page_window(1, 1, False) == [1]
    assert queries.page_window(1, 40000, True) == [1, 2, 3, None, 40000]
    assert queries.page_window(20000, 40000, True) == [
        1,
        None,
        19998,
        19999,
        20000,
        20001,
        20002,
        None,
        40000,
    ]
    # An estimated total shows no last page: the next one only.
    assert queries.page_window(7, 7, True) == [1, None, 5, 6, 7, 8]


def test_the_generator_refuses_a_database_with_real_cases(clean):
    client = clean.test_client()
    made = client.post("/api/v1/cases", json=_report(), headers=api_token(client, "child_director"))
    assert made.status_code == 201
    outcome = clean.test_cli_runner().invoke(
        args=["generate-cases", "--n", "5", "--townships", "1"]
    )
    assert outcome.exit_code != 0
    assert "非合成案例" in outcome.output and "nothing was written" in outcome.output
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 1
