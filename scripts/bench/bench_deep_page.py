"""A deep page of the list for the county supervisor, one request at a time: `page=20000`
typed into the address (read by offset) and reached by the page links (read by key from
the cursor of the page before).

    .venv/bin/python scripts/bench/bench_deep_page.py postgresql+psycopg://…/caseflow_bench1m
"""

import json

from _bench import (
    COUNTY_USER,
    Client,
    arguments,
    bare_reference,
    report_single,
    run,
    serve,
    set_passwords,
)

if __name__ == "__main__":
    args = arguments(__doc__)
    user = COUNTY_USER.format(county=args.county)
    set_passwords(args.database_url, [user])
    results = {}
    with serve("wsgi:application", args.port, args.workers, args.database_url) as host:
        api = Client(host).token(user)
        status, body = api.request("GET", "/api/v1/cases?page=19999")
        cursor = json.loads(body)["cursor"]
        deep = f"page=20000&cursor={cursor}"
        page = Client(host).login(user)
        for label, client, path in (
            ("/cases?page=20000 (offset)", page, "/cases?page=20000"),
            ("/cases?page=20000 from page 19999's link", page, f"/cases?{deep}"),
            (
                "/cases?page=20002 from page 19999's link",
                page,
                f"/cases?page=20002&cursor={cursor}",
            ),
            ("/api/v1/cases?page=20000 (offset)", api, "/api/v1/cases?page=20000"),
            ("/api/v1/cases?page=20000 with cursor", api, f"/api/v1/cases?{deep}"),
        ):
            client.request("GET", path)
            results[label] = run(
                [client], lambda c, i, p=path: c.request("GET", p)[0], args.requests
            )
    reference = bare_reference(args, 1, args.requests)
    report_single("deep page (county user)", results, reference)
