"""The case list, page 1 and with each filter (type, state, place, urgency, dates), page
and API, for the county supervisor (who sees every case), one request at a time.

    .venv/bin/python scripts/bench/bench_lists.py postgresql+psycopg://…/caseflow_bench1m
"""

from _bench import COUNTY_USER, arguments, bare_reference, measure_pages, report_single

FILTERS = [
    "",
    "type=dv_warning",
    "state=following_up",
    "jurisdiction={county}001",
    "jurisdiction={county}007003",
    "urgent=1",
    "from=2025-01-01&to=2025-03-31",
    "type=mandatory_report&state=closed&urgent=0",
]

if __name__ == "__main__":
    args = arguments(__doc__)
    user = COUNTY_USER.format(county=args.county)
    queries = [f.format(county=args.county) for f in FILTERS]
    pages = measure_pages(args, user, [f"/cases?{q}" for q in queries])
    api_queries = [
        q.replace("from=", "created_from=").replace("to=", "created_to=") for q in queries
    ]
    api = measure_pages(args, user, [f"/api/v1/cases?{q}" for q in api_queries], api=True)
    reference = bare_reference(args, 1, args.requests)
    report_single("lists page 1 / filters (county user)", {**pages, **api}, reference)
