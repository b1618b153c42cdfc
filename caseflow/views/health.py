"""Probes for the load balancer and the supervisor: `/healthz` (the process answers; no
database) and `/readyz` (the database answers, its schema is at the migrations' head, and
a scheduler renewed its heartbeat recently). JSON; 503 with the reason and a message in
Chinese and English when not ready. Neither shows anything of a case.
"""

from functools import lru_cache

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import text

from .. import heartbeat
from ..config import ROOT
from ..extensions import db

bp = Blueprint("health", __name__)

ENDPOINTS = ("health.healthz", "health.readyz")


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    """The migrations' head(s), read once from the scripts shipped with this code."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _messages(reason: str, **values) -> dict:
    """The reason in both languages (a probe has no session to choose one)."""
    out = {}
    for key, locale in (("message", "zh_Hans_CN"), ("message_en", "en")):
        with force_locale(locale):
            out[key] = _text(reason, **values)
    return out


def _text(reason: str, **values) -> str:
    if reason == "database_unreachable":
        return _("The database cannot be reached.")
    if reason == "migrations_pending":
        return _(
            "The database schema is at %(current)s, the code expects %(head)s: run flask db "
            "upgrade.",
            **values,
        )
    if reason == "scheduler_missing":
        return _("No scheduler process has ever run against this database.")
    if reason == "scheduler_stale":
        return _(
            "The scheduler's last heartbeat was %(seconds)d seconds ago: is the scheduler "
            "process running?",
            **values,
        )
    return _("Ready.")


def _answer(status: int, reason: str, checks: dict, **values):
    body = {"status": "ready" if status == 200 else "unavailable", "checks": checks}
    if status != 200:
        body["reason"] = reason
    body |= _messages(reason, **values)
    response = jsonify(body)
    response.status_code = status
    return response


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    checks = {"database": False, "migrations": False, "scheduler": False}
    try:
        db.session.execute(text("SELECT 1"))
        current = set(db.session.scalars(text("SELECT version_num FROM alembic_version")).all())
    except Exception:  # noqa: BLE001 - whatever the driver says, the database is not there
        db.session.rollback()
        current_app.logger.warning("readyz: the database cannot be reached", exc_info=True)
        return _answer(503, "database_unreachable", checks)
    checks["database"] = True
    heads = head_revisions()
    if current != heads:
        db.session.rollback()
        return _answer(
            503,
            "migrations_pending",
            checks,
            current=", ".join(sorted(current)) or "-",
            head=", ".join(sorted(heads)),
        )
    checks["migrations"] = True
    row = heartbeat.last()
    db.session.rollback()
    if row is None:
        return _answer(503, "scheduler_missing", checks)
    if not heartbeat.recent(row):
        return _answer(
            503, "scheduler_stale", checks, seconds=int(heartbeat.age(row).total_seconds())
        )
    checks["scheduler"] = True
    return _answer(200, "ready", checks)
