"""A village child director's list: page 1, overdue, a deep page by offset, search by name
(page and API), one request at a time.

    .venv/bin/python scripts/bench/bench_village.py postgresql+psycopg://…/caseflow_bench1m
"""

from _bench import VILLAGE_USER, arguments, bare_reference, measure_pages, report_single

if __name__ == "__main__":
    args = arguments(__doc__)
    user = VILLAGE_USER.format(county=args.county)
    paths = ["/cases", "/cases?overdue=1", "/cases?page=40", "/cases?q=%E6%B5%8B%E8%AF%95"]
    pages = measure_pages(args, user, paths)
    api = measure_pages(args, user, ["/api/v1/cases", "/api/v1/cases?overdue=true"], api=True)
    reference = bare_reference(args, 1, args.requests)
    report_single("village child director", {**pages, **api}, reference)
