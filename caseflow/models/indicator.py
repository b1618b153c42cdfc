"""Plans with their targets, figures submitted by responsible units, and export jobs
(shared/domain/indicators.md §A–§C).

The catalogue of indicators itself is code (caseflow/indicators/catalogue.py): it names
the SQL that computes each one. What a county decides — its plan, the targets written in
its 专栏一 table, the band of a 保持合理比例 target — and what its units report are rows.
"""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ..vocab import (
    EXPORT_STATUSES,
    PLAN_KINDS,
    SUBMISSION_STATUSES,
    TARGET_ATTRIBUTES,
    TARGET_DIRECTIONS,
)
from ._util import in_list
from .geo import Jurisdiction
from .user import User


class Plan(db.Model):
    """A development plan of a jurisdiction (e.g. 石柱县妇女发展规划（2021—2030年）)."""

    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint(in_list("kind", PLAN_KINDS), name="kind"),
        CheckConstraint("start_year <= end_year", name="years"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    start_year: Mapped[int]
    end_year: Mapped[int]
    # The year the plan measures "提高 / 降低 / 得到控制" against (the plans describe 2020).
    baseline_year: Mapped[int]
    # Early warning: this many years in a row moving away from the target, or one change
    # away from it larger than swing_percent, puts an indicator at risk.
    trend_years: Mapped[int] = mapped_column(default=3)
    swing_percent: Mapped[float] = mapped_column(Float, default=20.0)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    targets: Mapped[list["PlanTarget"]] = relationship(
        back_populates="plan", order_by="PlanTarget.position", cascade="all"
    )

    def covers(self, year: int) -> bool:
        return self.baseline_year <= year <= self.end_year


class PlanTarget(db.Model):
    """One row of a plan's indicator table: 类别 / 序号 / 指标名称 / 2030年规划值 / 指标属性 /
    责任单位, with the target read as a direction and a value."""

    __tablename__ = "plan_targets"
    __table_args__ = (
        UniqueConstraint("plan_id", "indicator_code", name="plan_indicator"),
        CheckConstraint(in_list("direction", TARGET_DIRECTIONS), name="direction"),
        CheckConstraint(in_list("attribute", TARGET_ATTRIBUTES), name="attribute"),
        CheckConstraint(
            "band_low IS NULL OR band_high IS NULL OR band_low <= band_high", name="band"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    indicator_code: Mapped[str] = mapped_column(String(16))
    position: Mapped[int]  # order of the rows on the page and in the workbook
    section: Mapped[str] = mapped_column(String(50))  # 类别, as printed ("妇女与法律")
    row_number: Mapped[int | None]  # 序号 in the plan's table; None for measures' indicators
    target_text: Mapped[str] = mapped_column(String(50))  # as written: "保持合理比例", "≥93"
    direction: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    band_low: Mapped[float | None] = mapped_column(Float)
    band_high: Mapped[float | None] = mapped_column(Float)
    attribute: Mapped[str] = mapped_column(String(16))
    responsible: Mapped[str] = mapped_column(String(200))  # 责任单位, as written
    # Band changes by the plan owner: [{"at", "by", "from": [lo, hi], "to": [lo, hi]}].
    history: Mapped[list] = mapped_column(JSON, default=list)

    plan: Mapped[Plan] = relationship(back_populates="targets")


class IndicatorSubmission(db.Model):
    """A figure the system cannot see in cases, reported by the responsible unit for a
    year and a jurisdiction and reviewed by a statistician.

    Rows are never changed in value: a correction is a new revision, and the previous
    pending one is marked `replaced`. The figure in use is the last accepted revision.
    """

    __tablename__ = "indicator_submissions"
    __table_args__ = (
        UniqueConstraint("code", "year", "jurisdiction_id", "revision", name="revision"),
        CheckConstraint(in_list("status", SUBMISSION_STATUSES), name="status"),
        CheckConstraint("denominator IS NULL OR denominator > 0", name="denominator"),
        Index("ix_indicator_submissions_key", "code", "year", "jurisdiction_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16))
    year: Mapped[int]
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    revision: Mapped[int]
    value: Mapped[float] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])


class ExportJob(db.Model):
    """An annual monitoring workbook being built in the background; the page polls it."""

    __tablename__ = "export_jobs"
    __table_args__ = (CheckConstraint(in_list("status", EXPORT_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    done_steps: Mapped[int] = mapped_column(default=0)
    total_steps: Mapped[int] = mapped_column(default=1)
    error: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The scheduler process that builds the job (indicators/exports.py): its instance, the
    # last renewal of its lease, and how many times the job was taken (a scheduler that
    # died while building leaves a lease that runs out; the next one takes the job again).
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")

    user: Mapped[User] = relationship()
