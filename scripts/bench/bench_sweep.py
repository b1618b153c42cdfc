"""Benchmark: `flask sweep` on a generated database, against one statement selecting the
deadlines the sweep acts on (the missed ones of open cases and those due within a day).

Usage (a database filled by `flask --app wsgi generate-cases --n N`; the first sweep writes
its notifications unless --rollback):
    .venv/bin/python scripts/bench/bench_sweep.py \
        postgresql+psycopg://postgres@127.0.0.1:5432/caseflow_sweep1m [--rollback] [--legacy]

Prints the reference, the first sweep (everything new), a second sweep (nothing new),
each with statements, the ratio to the reference and the process's peak memory. With
--legacy also the sweep as it was (one row at a time, tests/integration/legacy_sweep.py),
rolled back. Goal: under 5 s, and under 1 s when nothing is new.
"""

import argparse
import time

from _common import app_for, counting_statements, peak_rss_mib, ratio

REFERENCE = """
SELECT count(*), count(DISTINCT c.number) FROM deadlines d JOIN cases c ON c.id = d.case_id
WHERE (d.status = 'missed' AND d.closed_at IS NULL AND c.state <> 'closed')
   OR (d.status = 'open' AND d.due_at >= :now AND d.due_at <= :soon)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--rollback", action="store_true", help="leave the database as it was")
    parser.add_argument("--legacy", action="store_true", help="also time the per-row sweep")
    args = parser.parse_args()

    from sqlalchemy import func, select, text

    from caseflow import timeutil
    from caseflow.extensions import db
    from caseflow.models import Case, Deadline, Notification
    from caseflow.services import sweeps

    app = app_for(args.url)
    with app.app_context(), app.test_request_context():
        cases = db.session.scalar(select(func.count()).select_from(Case))
        by_status = dict(
            db.session.execute(
                select(Deadline.status, func.count()).group_by(Deadline.status)
            ).all()
        )
        notified = db.session.scalar(select(func.count()).select_from(Notification))
        print(
            f"{cases:,} cases; deadlines {by_status}; {notified:,} notifications before",
            flush=True,
        )
        now = timeutil.now()
        params = {
            "now": now.replace(tzinfo=None),
            "soon": (now + sweeps.REMINDER_WINDOW).replace(tzinfo=None),
        }
        started = time.perf_counter()
        rows, _numbers = db.session.execute(text(REFERENCE), params).one()
        reference = time.perf_counter() - started
        db.session.rollback()
        print(f"reference  {reference:8.2f} s  ({rows:,} deadlines in one statement)")

        if args.legacy:
            import tests.integration.legacy_sweep as legacy

            with counting_statements(db.engine) as count:
                started = time.perf_counter()
                result = legacy.run()
                db.session.flush()
                elapsed = time.perf_counter() - started
            db.session.rollback()
            print(
                f"per-row    {elapsed:8.2f} s  {count[0]:>8,} statements  "
                f"{ratio(elapsed, reference)}  {result.notified}  (rolled back)"
            )

        for name in ("first", "again"):
            with counting_statements(db.engine) as count:
                started = time.perf_counter()
                result = sweeps.run()
                if args.rollback:
                    db.session.flush()
                    db.session.rollback()
                else:
                    db.session.commit()
                elapsed = time.perf_counter() - started
            print(
                f"sweep {name:<5}{elapsed:8.2f} s  {count[0]:>8,} statements  "
                f"{ratio(elapsed, reference)}  missed {result.missed:,}, expired "
                f"{result.expired:,}, {result.notified}  peak {peak_rss_mib():.0f} MiB",
                flush=True,
            )
        db.engine.dispose()


if __name__ == "__main__":
    main()
