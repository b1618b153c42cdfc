"""Benchmark: the full case-derived indicator table for one year and one county, against
one hand-written SQL statement computing the same figures over the same rows.

Usage (databases filled by `flask --app wsgi generate-cases --n N`):
    .venv/bin/python scripts/bench/bench_indicators.py \
        postgresql+psycopg://postgres@127.0.0.1:5432/bench100k \
        postgresql+psycopg://postgres@127.0.0.1:5432/bench1m --year 2025 --county 500240

Prints, per database: the number of cases, the best of --runs timings of caseflow's
computation (every case-derived indicator plus PO-05's median) and of the hand-written
statement, their ratio, and whether the two agree. PostgreSQL only (the hand-written SQL
is PostgreSQL's dialect). Goal: under 2 s at 1,000,000 cases and no slower than the
hand-written SQL (ratio ≤ 1).

The hand-written statement reads the deadlines of the year's cases only (those reported,
warned, ruled or decided in the year): an earlier version aggregated the deadlines of
every case of every year, which made the reference slower and the ratio look better.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, select, text  # noqa: E402

HAND_WRITTEN = """
WITH place AS (SELECT id FROM jurisdictions WHERE path LIKE :path || '%'),
c AS (SELECT id, type FROM cases
      WHERE jurisdiction_id IN (SELECT id FROM place) AND NOT sealed AND NOT is_test),
yc AS (SELECT m.case_id FROM mandatory_reports m
       WHERE m.reported_at >= :start AND m.reported_at < :end
       UNION SELECT d.case_id FROM dv_incidents d
       WHERE d.warning_issued_at >= :start AND d.warning_issued_at < :end
       UNION SELECT p.case_id FROM protection_orders p
       WHERE p.ruled_at >= :start AND p.ruled_at < :end
       UNION SELECT l.case_id FROM legal_aid_cases l
       WHERE l.decided_at >= :start AND l.decided_at < :end),
met AS (SELECT case_id, kind, bool_or(status = 'met') AND NOT bool_or(status = 'missed') AS ok
        FROM deadlines WHERE kind IN ('report_late', 'accept_due', 'feedback_due',
             'deliver_due', 'ruling_due', 'decision_due')
             AND case_id IN (SELECT case_id FROM yc JOIN c ON c.id = yc.case_id)
        GROUP BY case_id, kind),
mr AS (SELECT m.case_id,
              EXISTS (SELECT 1 FROM events e WHERE e.case_id = m.case_id
                      AND e.trigger = 'accept') AS accepted
       FROM mandatory_reports m JOIN c ON c.id = m.case_id
       WHERE m.reported_at >= :start AND m.reported_at < :end)
SELECT 'MR-01', count(*)::float, NULL FROM mr
UNION ALL SELECT 'MR-02', count(*) FILTER (WHERE ok), count(*) FROM mr
    LEFT JOIN met ON met.case_id = mr.case_id AND met.kind = 'report_late'
UNION ALL SELECT 'MR-03', count(*) FILTER (WHERE accepted), count(*) FROM mr
UNION ALL SELECT 'MR-03T', count(*) FILTER (WHERE accepted AND ok), count(*) FILTER (WHERE accepted)
    FROM mr LEFT JOIN met ON met.case_id = mr.case_id AND met.kind = 'accept_due'
UNION ALL SELECT 'MR-05', count(*) FILTER (WHERE accepted AND ok), count(*) FILTER (WHERE accepted)
    FROM mr LEFT JOIN met ON met.case_id = mr.case_id AND met.kind = 'feedback_due'
UNION ALL SELECT 'MR-04', count(*) FILTER (WHERE e.trigger = 'verify'), count(*)
    FROM events e JOIN c ON c.id = e.case_id AND c.type = 'mandatory_report'
    WHERE e.trigger IN ('verify', 'mark_unfounded') AND e.at >= :start AND e.at < :end
UNION ALL SELECT 'MR-06', count(*) FILTER (WHERE r.status = 'completed'), count(*)
    FROM referrals r JOIN c ON c.id = r.case_id AND c.type = 'mandatory_report'
    WHERE r.status <> 'withdrawn' AND r.sent_at >= :start AND r.sent_at < :end
UNION ALL SELECT 'DV-01', count(*), NULL FROM dv_incidents d JOIN c ON c.id = d.case_id
    WHERE d.call_at >= :start AND d.call_at < :end
UNION ALL SELECT 'DV-04', count(*) FILTER (WHERE ok), count(*)
    FROM dv_incidents d JOIN c ON c.id = d.case_id
    LEFT JOIN met ON met.case_id = d.case_id AND met.kind = 'deliver_due'
    WHERE d.warning_issued_at >= :start AND d.warning_issued_at < :end
UNION ALL SELECT 'DV-05', count(*) FILTER (WHERE d.status = 'met' AND c.type = 'dv_warning'),
                 count(*) FILTER (WHERE c.type = 'dv_warning')
    FROM deadlines d JOIN c ON c.id = d.case_id
    WHERE d.kind IN ('visit_due', 'first_visit_due') AND d.status IN ('met', 'missed')
      AND d.due_at >= :start AND d.due_at < :end
UNION ALL SELECT 'FU-01', count(DISTINCT d.case_id) FILTER (WHERE d.status = 'missed'), NULL
    FROM deadlines d JOIN c ON c.id = d.case_id
    WHERE d.kind IN ('visit_due', 'first_visit_due') AND d.status IN ('met', 'missed')
      AND d.due_at >= :start AND d.due_at < :end
UNION ALL SELECT 'PO-01', count(*), NULL FROM protection_orders p JOIN c ON c.id = p.case_id
    WHERE p.filed_at >= :start AND p.filed_at < :end
UNION ALL SELECT 'PO-02', count(*), NULL FROM protection_orders p JOIN c ON c.id = p.case_id
    WHERE p.issued_at >= :start AND p.issued_at < :end
UNION ALL SELECT 'PO-04', count(*) FILTER (WHERE ok), count(*)
    FROM protection_orders p JOIN c ON c.id = p.case_id
    LEFT JOIN met ON met.case_id = p.case_id AND met.kind = 'ruling_due'
    WHERE p.ruled_at >= :start AND p.ruled_at < :end
UNION ALL SELECT 'PO-05', percentile_cont(0.5) WITHIN GROUP (
                 ORDER BY extract(epoch FROM p.ruled_at - p.accepted_at) / 3600),
                 avg(extract(epoch FROM p.ruled_at - p.accepted_at) / 3600)
    FROM protection_orders p JOIN c ON c.id = p.case_id
    WHERE p.ruled_at >= :start AND p.ruled_at < :end AND p.accepted_at IS NOT NULL
UNION ALL SELECT 'PO-06', count(*), NULL FROM events e JOIN c ON c.id = e.case_id
    WHERE e.trigger = 'record_violation' AND e.at >= :start AND e.at < :end
UNION ALL SELECT 'LA-02', count(*) FILTER (WHERE ok), count(*)
    FROM legal_aid_cases l JOIN c ON c.id = l.case_id
    LEFT JOIN met ON met.case_id = l.case_id AND met.kind = 'decision_due'
    WHERE l.decided_at >= :start AND l.decided_at < :end
UNION ALL SELECT 'HL-01', count(*), NULL FROM hotline_calls h
    JOIN organisations o ON o.id = h.org_id
    WHERE coalesce(h.jurisdiction_id, o.jurisdiction_id) IN (SELECT id FROM place)
      AND h.received_at >= :start AND h.received_at < :end
"""

# Numerators the two computations must agree on (by code).
CHECKED = (
    "MR-01 MR-02 MR-03 MR-03T MR-05 MR-04 MR-06 DV-01 DV-04 DV-05 FU-01 PO-01 PO-02 PO-04 "
    "PO-06 LA-02 HL-01"
).split()


def best_of(runs: int, fn):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def bench(url: str, year: int, county: str, runs: int) -> None:
    from caseflow import create_app
    from caseflow.config import Config
    from caseflow.extensions import db
    from caseflow.indicators import compute
    from caseflow.indicators import periods as P
    from caseflow.models import Case, Jurisdiction
    from caseflow.workflows import WORKFLOWS

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(BenchConfig)
    with app.app_context():
        place = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == county))
        if place is None:
            print(f"{url}: no jurisdiction {county}")
            return
        cases = db.session.scalar(select(func.count()).select_from(Case))
        scope = compute.CountScope(place, frozenset(WORKFLOWS))
        period = P.years(year, year)

        def ours():
            figures = compute.compute(scope, period)
            return figures, compute.median_hours(scope, period[0])

        params = {"path": place.path, "start": period[0].start.replace(tzinfo=None)}
        params["end"] = period[0].end.replace(tzinfo=None)

        def hand():
            return db.session.execute(text(HAND_WRITTEN), params).all()

        ours()  # warm the caches the same way for both
        hand()
        t_ours, (figures, median) = best_of(runs, ours)
        t_hand, rows = best_of(runs, hand)
        by_code = {code: (num, den) for code, num, den in rows}
        disagree = [
            code
            for code in CHECKED
            if abs((figures[code][(0, None)].numerator or 0) - (by_code[code][0] or 0)) > 1e-6
        ]
        hand_median = by_code["PO-05"][0]
        if (median or 0) - (hand_median or 0) > 1e-6:
            disagree.append("PO-05 median")
        print(
            f"{cases:>9,} cases  year {year}  county {county}: caseflow {t_ours * 1000:8.1f} ms"
            f"  hand-written SQL {t_hand * 1000:8.1f} ms  ratio {t_ours / t_hand:5.2f}"
            f"  {'figures agree' if not disagree else 'DISAGREE: ' + ', '.join(disagree)}"
        )
        print(
            "   e.g. MR-01 {:.0f}, DV-01 {:.0f}, PO-05 mean {:.1f} h / median {:.1f} h".format(
                figures["MR-01"][(0, None)].value,
                figures["DV-01"][(0, None)].value,
                figures["PO-05"][(0, None)].value or 0,
                median or 0,
            )
        )
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+", help="PostgreSQL URLs of generated databases")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--county", default="500240")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for url in args.urls:
        bench(url, args.year, args.county, args.runs)


if __name__ == "__main__":
    main()
