"""The reference endpoints of the benchmarks: a bare Flask app on the same database.

GET /read25  reads 25 rows through an index (the newest cases by id), as JSON.
POST /insert1 inserts one row into bench_bare_insert (made by bench_intake.py) and commits.

The engine has the application's settings (pool, JIT off per connection); nothing else.
"""

import os

from flask import Flask, jsonify
from sqlalchemy import create_engine, text

url = os.environ["CASEFLOW_DATABASE_URL"]
engine = create_engine(
    url,
    pool_pre_ping=True,
    connect_args={"options": "-c jit=off"} if url.startswith("postgresql") else {},
)
app = Flask(__name__)


@app.get("/read25")
def read25():
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, number, type, state, created_at FROM cases ORDER BY id DESC LIMIT 25")
        ).all()
    return jsonify([[r.id, r.number, r.type, r.state, r.created_at.isoformat()] for r in rows])


@app.post("/insert1")
def insert1():
    with engine.begin() as conn:
        new_id = conn.execute(
            text("INSERT INTO bench_bare_insert (payload) VALUES (:p) RETURNING id"),
            {"p": "bench"},
        ).scalar_one()
    return jsonify({"id": new_id}), 201
