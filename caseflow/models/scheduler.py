"""The active scheduler process's heartbeat (scheduler.py); /readyz reads it."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime


class SchedulerHeartbeat(db.Model):
    """One row per kind of background process ("scheduler"): which instance holds the
    lock, since when, and when it last said it was alive."""

    __tablename__ = "scheduler_heartbeats"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    instance: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)
