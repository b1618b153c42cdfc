"""What proves the timeline: daily checkpoints of each case's chain head and the record of
every verification run (services/audit_checks.py)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime


class AuditCheckpoint(db.Model):
    """A case's chain head (last seq and its hash) as it stood at `at`, keyed with the
    audit key: deleting the newest events of a case leaves a checkpoint that names an
    event no longer there. Append-only: the database refuses UPDATE and DELETE."""

    __tablename__ = "audit_checkpoints"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_audit_checkpoints_case_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int]
    head_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(String(16))
    mac: Mapped[str] = mapped_column(String(64))


class AuditVerification(db.Model):
    """One run of `flask audit verify` (by hand or by the nightly job) and what it found."""

    __tablename__ = "audit_verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    trigger: Mapped[str] = mapped_column(String(16))  # nightly / command
    case_id: Mapped[int | None] = mapped_column(Integer)  # None: every case
    cases: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)
    checkpoints: Mapped[int] = mapped_column(Integer, default=0)
    breaks: Mapped[int] = mapped_column(Integer, default=0)
    # The breaks found, first MAX_DETAILS of them: [{case_id, number, seq, reason}].
    details: Mapped[list] = mapped_column(JSON, default=list)
