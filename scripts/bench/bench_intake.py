"""`POST /api/v1/cases` (a mandatory report by a village child director) from 8 connections
at once, against a bare endpoint doing one INSERT and a commit on the same database under
the same 8 connections, side by side. Goal: at least 0.25x (aim 0.5x) its requests per
second. Every request creates a real (synthetic) case in the benchmark database.

    .venv/bin/python scripts/bench/bench_intake.py postgresql+psycopg://…/caseflow_bench1m
"""

from datetime import UTC, datetime, timedelta

from _bench import (
    INTAKE_USER,
    Client,
    arguments,
    line,
    run,
    serve,
    set_passwords,
)
from sqlalchemy import create_engine, text

# The bare endpoint's table (scripts/bench/bare_app.py), made before its server starts.
BARE_TABLE = (
    "CREATE TABLE IF NOT EXISTS bench_bare_insert "
    "(id serial PRIMARY KEY, at timestamp NOT NULL DEFAULT now(), payload text)"
)


def report(county: str, i: int) -> dict:
    return {
        "type": "mandatory_report",
        "jurisdiction": f"{county}001001",
        "reporter_org_type": "village_committee",
        "discovered_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
        "situation_codes": [4],
        "guardian_is_suspect": True,
        "description": "测试数据：基准测试的报告。",
        "subject": {"name": f"测试基准{i}", "sex": "F", "birth_date": "2015-03-08"},
    }


if __name__ == "__main__":
    args = arguments(__doc__, requests=200, connections=8)
    user = INTAKE_USER.format(county=args.county)
    set_passwords(args.database_url, [user])
    engine = create_engine(args.database_url)
    with engine.begin() as conn:
        conn.execute(text(BARE_TABLE))
    engine.dispose()
    with serve("wsgi:application", args.port, args.workers, args.database_url) as host:
        clients = [Client(host).token(user) for _ in range(args.connections)]

        def post(client, i):
            return client.request("POST", "/api/v1/cases", body=report(args.county, i))[0]

        run(clients, post, args.connections)  # warm every worker
        intake = run(clients, post, args.requests)
    with serve("scripts.bench.bare_app:app", args.port + 1, args.workers, args.database_url) as h:
        clients = [Client(h) for _ in range(args.connections)]
        run(clients, lambda c, i: c.request("POST", "/insert1")[0], args.connections)
        bare = run(clients, lambda c, i: c.request("POST", "/insert1")[0], args.requests)
    print(line(f"reference: bare one-INSERT, {args.connections} connections", bare))
    print(line(f"POST /api/v1/cases, {args.connections} connections", intake))
    ratio = intake["rps"] / bare["rps"] if bare["rps"] else 0.0
    verdict = "ok" if ratio >= 0.25 else "BELOW GOAL"
    print(
        f"intake: {intake['rps']:.1f} req/s vs bare INSERT {bare['rps']:.1f} req/s: "
        f"ratio {ratio:.3f} (goal >= 0.25, aim 0.5: {verdict}); p50 {intake['p50']:.0f} ms"
    )
