"""The active scheduler's heartbeat row (scheduler_heartbeats): written by the scheduler
every SCHEDULER_HEARTBEAT_SECONDS, read by /readyz and the export page."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from . import timeutil
from .extensions import db
from .models import SchedulerHeartbeat

NAME = "scheduler"


def beat(instance: str, started_at: datetime) -> None:
    """Say the scheduler `instance` is alive; commits."""
    now = timeutil.now()
    changed = db.session.execute(
        update(SchedulerHeartbeat)
        .where(SchedulerHeartbeat.name == NAME)
        .values(instance=instance, started_at=started_at, beat_at=now)
    ).rowcount
    if not changed:
        db.session.add(
            SchedulerHeartbeat(name=NAME, instance=instance, started_at=started_at, beat_at=now)
        )
    db.session.commit()


def last() -> SchedulerHeartbeat | None:
    return db.session.scalar(select(SchedulerHeartbeat).where(SchedulerHeartbeat.name == NAME))


def age(row: SchedulerHeartbeat | None) -> timedelta | None:
    return None if row is None else timeutil.now() - row.beat_at


def recent(row: SchedulerHeartbeat | None = None) -> bool:
    """Whether a scheduler said it was alive within READY_HEARTBEAT_SECONDS."""
    row = row or last()
    limit = timedelta(seconds=current_app.config["READY_HEARTBEAT_SECONDS"])
    return row is not None and age(row) <= limit
