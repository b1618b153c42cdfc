"""Benchmark: the annual monitoring workbook (年度监测报表, indicators/workbook.py) of a
county's two plans for a year, against the reference of the same run: the case-derived
indicator table of that year computed once (compute.compute, every code, no breakdown).

Usage (a database filled by `flask --app wsgi generate-cases --n N`):
    .venv/bin/python scripts/bench/bench_workbook.py \\
        postgresql+psycopg://postgres@127.0.0.1:5432/caseflow_sweep1m --year 2025

Prints the workbook's time, statements, size and the process's peak memory, the
reference's time and the ratio. Goal: under 15 s at 1,000,000 cases, memory flat.
"""

import argparse
import time

from _common import app_for, counting_statements, peak_rss_mib, ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--county", default="500240")
    parser.add_argument("--user", default="statistician")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from caseflow import policy
    from caseflow.extensions import db
    from caseflow.indicators import compute, workbook
    from caseflow.indicators import periods as P
    from caseflow.models import Case, Jurisdiction, Plan, User
    from caseflow.workflows import WORKFLOWS

    app = app_for(args.url)
    with app.app_context(), app.test_request_context():
        cases = db.session.scalar(select(func.count()).select_from(Case))
        place = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == args.county))
        reader = db.session.scalar(select(User).where(User.username == args.user))
        scope = policy.count_scope(reader, place) if reader is not None else None
        if scope is None:  # a generated database without the demo's users: every type
            scope = compute.CountScope(place, frozenset(WORKFLOWS))
        plans = (
            db.session.scalars(
                select(Plan).where(Plan.jurisdiction_id == place.id).order_by(Plan.id)
            ).all()
            or db.session.scalars(select(Plan).order_by(Plan.id)).all()
        )
        started = time.perf_counter()
        compute.compute(scope, P.years(args.year, args.year))
        reference = time.perf_counter() - started
        with counting_statements(db.engine) as count:
            started = time.perf_counter()
            content = workbook.build(plans, args.year, scope, hide_small=True)
            elapsed = time.perf_counter() - started
        print(
            f"{cases:,} cases, {len(plans)} plans, {args.year}: workbook {elapsed:7.2f} s, "
            f"{count[0]:,} statements, {len(content) / 1024:.0f} KiB, peak {peak_rss_mib():.0f} "
            f"MiB; reference (the year's indicator table) {reference:6.2f} s; "
            f"ratio {ratio(elapsed, reference)}"
        )
        db.engine.dispose()


if __name__ == "__main__":
    main()
