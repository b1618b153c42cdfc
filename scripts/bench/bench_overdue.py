"""`/cases?overdue=1` (page and API), alone and with a type, for the county supervisor, one
request at a time.

    .venv/bin/python scripts/bench/bench_overdue.py postgresql+psycopg://…/caseflow_bench1m
"""

from _bench import COUNTY_USER, arguments, bare_reference, measure_pages, report_single

if __name__ == "__main__":
    args = arguments(__doc__)
    user = COUNTY_USER.format(county=args.county)
    pages = measure_pages(args, user, ["/cases?overdue=1", "/cases?overdue=1&type=legal_aid"])
    api = measure_pages(args, user, ["/api/v1/cases?overdue=true"], api=True)
    reference = bare_reference(args, 1, args.requests)
    report_single("overdue (county user)", {**pages, **api}, reference)
