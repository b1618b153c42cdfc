"""An optional read replica for the indicator pages, the indicator API and the workbook.

With CASEFLOW_REPLICA_DATABASE_URL set, a second engine is made for it. Inside
`reading()` (or a view decorated with `@reads`), the session sends SELECT statements to
the replica; everything else — a flush, an UPDATE, a raw statement — still goes to the
primary database, so a write can never land on the replica. Without the setting,
`reading()` changes nothing.
"""

import contextlib
import functools
from contextvars import ContextVar

from flask import Flask, current_app, has_app_context
from flask_sqlalchemy.session import Session
from sqlalchemy import create_engine
from sqlalchemy.sql.selectable import Select

EXTENSION = "caseflow_replica"
_reading: ContextVar[bool] = ContextVar("caseflow_replica_reading", default=False)


def init_app(app: Flask) -> None:
    url = app.config.get("REPLICA_DATABASE_URL")
    if url:
        app.extensions[EXTENSION] = create_engine(
            url, **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
        )


def engine():
    return current_app.extensions.get(EXTENSION) if has_app_context() else None


@contextlib.contextmanager
def reading():
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reads(view):
    """A view whose queries may be answered by the replica."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with reading():
            return view(*args, **kwargs)

    return wrapped


class RoutingSession(Session):
    """The app's session class: SELECTs inside `reading()` go to the replica."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and _reading.get() and not self._flushing and isinstance(clause, Select):
            replica = engine()
            if replica is not None:
                return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
