"""What the benchmarks share: an app on a given database, best-of timing, statement counts."""

import resource
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def app_for(url: str):
    from caseflow import create_app
    from caseflow.config import Config

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(BenchConfig)


def best_of(runs: int, fn):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def counting_statements(engine):
    """Counts the SQL statements sent while the block runs: yields a one-item list."""
    from sqlalchemy import event

    count = [0]

    def before(*_args, **_kwargs):
        count[0] += 1

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", before)


def ratio(figure: float, reference: float) -> str:
    return f"{figure / reference:6.2f}×" if reference else "   n/a"
