"""Case numbers under concurrent intake (PostgreSQL): taken apart from the request's
transaction, unique and readable, whatever the interleaving."""

import re
import threading

from caseflow.extensions import db
from caseflow.services import cases as case_service
from tests.conftest import postgres_only


def test_numbers_are_unique_under_concurrent_intake(clean):
    with clean.app_context():
        postgres_only()
    numbers, errors, start = [], [], threading.Barrier(8)

    def intake():
        try:
            with clean.app_context():
                start.wait(timeout=30)
                for _ in range(5):
                    # The request's transaction stays open: the counter row is not held.
                    numbers.append(case_service.next_number("mandatory_report"))
                    db.session.rollback()
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=intake) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert len(numbers) == 40 and len(set(numbers)) == 40
    assert all(re.fullmatch(r"MR-\d{4}-\d{6}", n) for n in numbers)


def test_a_number_taken_in_an_open_transaction_does_not_block_the_next(clean):
    with clean.app_context():
        postgres_only()
        first = case_service.next_number("dv_warning")
        # Still inside the first request's transaction, another request gets the next one.
        done = []

        def other():
            with clean.app_context():
                done.append(case_service.next_number("dv_warning"))

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(timeout=20)
        assert done and done[0] != first
        assert int(done[0][-6:]) == int(first[-6:]) + 1
        db.session.rollback()
