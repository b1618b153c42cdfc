"""`/cases` under 50 connections at once (page 1, filters, search, a village user), against
a bare endpoint reading 25 indexed rows from the same database under the same 50
connections, side by side. Goal: at least 0.25x the bare endpoint's requests per second.

    .venv/bin/python scripts/bench/bench_throughput.py postgresql+psycopg://…/caseflow_bench1m
"""

from _bench import (
    COUNTY_USER,
    VILLAGE_USER,
    Client,
    arguments,
    bare_reference,
    line,
    run,
    serve,
    set_passwords,
)

PATHS = [
    "/cases",
    "/cases?type=dv_warning",
    "/cases?overdue=1",
    "/cases?state=closed",
    "/cases?page=3",
]

if __name__ == "__main__":
    args = arguments(__doc__, requests=500, connections=50)
    county = COUNTY_USER.format(county=args.county)
    village = VILLAGE_USER.format(county=args.county)
    set_passwords(args.database_url, [county, village])
    with serve("wsgi:application", args.port, args.workers, args.database_url) as host:
        clients = [
            Client(host).login(village if i % 5 == 4 else county) for i in range(args.connections)
        ]
        run(clients, lambda c, i: c.request("GET", PATHS[i % len(PATHS)])[0], args.connections)
        lists = run(clients, lambda c, i: c.request("GET", PATHS[i % len(PATHS)])[0], args.requests)
    reference = bare_reference(args, args.connections, args.requests)
    print(line(f"reference: bare read, {args.connections} connections", reference))
    print(line(f"/cases (mixed), {args.connections} connections", lists))
    ratio = lists["rps"] / reference["rps"] if reference["rps"] else 0.0
    verdict = "ok" if ratio >= 0.25 else "BELOW GOAL"
    print(
        f"throughput: {lists['rps']:.1f} req/s vs bare {reference['rps']:.1f} req/s: "
        f"ratio {ratio:.2f} (goal >= 0.25: {verdict}); p95 {lists['p95']:.0f} ms"
    )
