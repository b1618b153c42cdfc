"""Search by case number, by a party's name, ID number and phone (page and API), for the
county supervisor, one request at a time.

    .venv/bin/python scripts/bench/bench_search.py postgresql+psycopg://…/caseflow_bench1m
"""

from urllib.parse import quote

from _bench import COUNTY_USER, arguments, bare_reference, measure_pages, report_single
from sqlalchemy import create_engine, text

if __name__ == "__main__":
    args = arguments(__doc__)
    user = COUNTY_USER.format(county=args.county)
    engine = create_engine(args.database_url)
    with engine.connect() as conn:
        number = conn.execute(text("SELECT number FROM cases ORDER BY id DESC LIMIT 1")).scalar()
        name = conn.execute(
            text("SELECT name FROM persons WHERE role = 'subject' ORDER BY id DESC LIMIT 1")
        ).scalar()
    engine.dispose()
    texts = [number, number[-7:], name, "500240201001011234", "13912345678"]
    pages = measure_pages(args, user, [f"/cases?q={quote(t)}" for t in texts])
    api = measure_pages(args, user, [f"/api/v1/cases?q={quote(t)}" for t in texts[:3]], api=True)
    reference = bare_reference(args, 1, args.requests)
    report_single("search by number / name / ID / phone (county user)", {**pages, **api}, reference)
