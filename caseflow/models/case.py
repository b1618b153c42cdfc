"""The case aggregate and its common parts: persons, events, deadlines, referrals, visits.

A case is changed only by the service layer (caseflow/services). Every change bumps
`version` (optimistic lock) and writes an immutable Event in the same transaction.
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ..vocab import (
    DEADLINE_STATUSES,
    PERSON_ROLES,
    REFERRAL_STATUSES,
    RISK_LEVELS,
    VISIT_METHODS,
    VISIT_OUTCOMES,
)
from ..workflows import ALL_STATES, WORKFLOWS
from ._util import in_list
from .geo import Jurisdiction, Organisation
from .user import User

# Expression indexes made on PostgreSQL only by migration 0017 (pg_trgm search): not in the
# models, so schema comparisons leave them alone (include_object below).
POSTGRES_ONLY_INDEXES = frozenset(
    {
        "ix_persons_name_trgm",
        "ix_persons_phone_trgm",
        "ix_cases_number_trgm",
        "ix_persons_id_number_upper",
    }
)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter for comparing the models with a database."""
    return not (type_ == "index" and reflected and name in POSTGRES_ONLY_INDEXES)


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(in_list("type", WORKFLOWS), name="type"),
        CheckConstraint(in_list("state", ALL_STATES), name="state"),
        CheckConstraint(in_list("risk_level", RISK_LEVELS), name="risk_level"),
        Index("ix_cases_type_state", "type", "state"),
        # The list's order (urgent first, newest first): read backwards, no sort.
        Index("ix_cases_list_order", "urgent", "created_at", "id"),
        # The same order within a type and within a state (the list's commonest filters).
        Index("ix_cases_type_list_order", "type", "urgent", "created_at", "id"),
        Index("ix_cases_state_list_order", "state", "urgent", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(default=1)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    owner_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    urgent: Mapped[bool] = mapped_column(default=False)
    risk_level: Mapped[str] = mapped_column(String(16), default="medium")
    special_protection: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    sealed: Mapped[bool] = mapped_column(default=False)
    is_test: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The earliest due time of the case's deadlines nobody has met yet (open or missed),
    # kept by deadlines.ledger on every flush that opens, meets, waives or moves one: the
    # case is overdue while it is in the past (the "overdue" filter reads one index).
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    __mapper_args__ = {"version_id_col": version}

    jurisdiction: Mapped[Jurisdiction] = relationship()
    owner_org: Mapped[Organisation | None] = relationship()
    owner_user: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    persons: Mapped[list["Person"]] = relationship(
        back_populates="case", order_by="Person.id", cascade="all"
    )
    events: Mapped[list["Event"]] = relationship(
        back_populates="case", order_by="Event.seq", cascade="all"
    )
    deadlines: Mapped[list["Deadline"]] = relationship(
        back_populates="case", order_by="Deadline.due_at", cascade="all"
    )
    referrals: Mapped[list["Referral"]] = relationship(
        back_populates="case", order_by="Referral.id", cascade="all"
    )
    visits: Mapped[list["Visit"]] = relationship(
        back_populates="case", order_by="Visit.done_at", cascade="all"
    )

    @property
    def workflow(self):
        return WORKFLOWS[self.type]

    @property
    def is_open(self) -> bool:
        return self.state not in self.workflow.final_states

    def person(self, role: str) -> "Person | None":
        return next((p for p in self.persons if p.role == role), None)

    @property
    def subject(self) -> "Person | None":
        return self.person("subject")

    def open_deadlines(self, kind: str | None = None) -> list["Deadline"]:
        return [
            d for d in self.deadlines if d.status == "open" and (kind is None or d.kind == kind)
        ]

    def last_event(self, trigger: str) -> "Event | None":
        return next((e for e in reversed(self.events) if e.trigger == trigger), None)


class Person(db.Model):
    """A person in a case. Name, ID number, phone, address and school are identity fields."""

    __tablename__ = "persons"
    __table_args__ = (CheckConstraint(in_list("role", PERSON_ROLES), name="role"),)

    IDENTITY_FIELDS = ("name", "id_number", "phone", "address", "school")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(100))
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[date | None] = mapped_column(Date)
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    school: Mapped[str | None] = mapped_column(String(100))
    relation: Mapped[str | None] = mapped_column(String(50))
    organisation_name: Mapped[str | None] = mapped_column(String(200))

    case: Mapped[Case] = relationship(back_populates="persons")

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Event(db.Model):
    """One immutable line of a case's timeline.

    Each event carries the hash of the one before it on the same case, so an edited or
    deleted row breaks the chain (services.audit.verify_chain finds where). The database
    refuses UPDATE and DELETE on this table (triggers, migration 0010).
    """

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("case_id", "seq", name="case_seq"),
        # Indicators count events of one trigger in a period (PO-06, MR-04), and ask
        # whether a case went through a step (MR-03: accepted) from the index alone.
        Index("ix_events_trigger_at", "trigger", "at"),
        Index("ix_events_case_trigger", "case_id", "trigger"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    trigger: Mapped[str] = mapped_column(String(32), index=True)
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # Which audit key made `hash` (services/audit.py); "sha256" for the plain hashes of
    # events written before keyed hashing.
    key_id: Mapped[str] = mapped_column(String(16), server_default="sha256")

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


ESCALATE_PENDING = (
    "status = 'missed' AND closed_at IS NULL AND (escalated_at IS NULL OR escalated_up_at IS NULL)"
)


class SweepLock(db.Model):
    """The sweep's lock row on SQLite (PostgreSQL uses an advisory lock): a sweep writes
    it first, which holds the database's one write lock until the sweep commits."""

    __tablename__ = "sweep_lock"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Deadline(db.Model):
    """A legal or configured time limit, opened and met by transitions, missed by the sweep."""

    __tablename__ = "deadlines"
    __table_args__ = (
        CheckConstraint(in_list("status", DEADLINE_STATUSES), name="status"),
        Index("ix_deadlines_status_due", "status", "due_at"),
        # Indicators count deadlines of a kind falling due in a period (DV-05, FU-01), and
        # ask whether a case met a deadline of a kind in time from the index alone.
        Index("ix_deadlines_kind_due", "kind", "due_at"),
        Index("ix_deadlines_case_kind_status", "case_id", "kind", "status"),
        # The sweep reads only missed deadlines whose people are not yet told.
        Index(
            "ix_deadlines_to_escalate",
            "due_at",
            postgresql_where=text(ESCALATE_PENDING),
            sqlite_where=text(ESCALATE_PENDING),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    basis: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a deadline was met after its due time (status stays "missed").
    done_late: Mapped[bool] = mapped_column(default=False)
    calendar_note: Mapped[str | None] = mapped_column(String(200))  # legacy rows only
    # How a counted deadline was computed, so a change of the calendar can count it again:
    # the act's time it counts from and its length in days (None: hours, months or a date
    # someone chose, which no calendar moves).
    counted_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    period_days: Mapped[int | None] = mapped_column()
    # Its end fell in (or rolled through) a year without an official calendar.
    provisional: Mapped[bool] = mapped_column(default=False)
    waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    waiver_reason: Mapped[str | None] = mapped_column(Text)
    # When the sweep told the case's handlers (escalated_at) and the supervisors of its
    # place (escalated_up_at) that this deadline was missed.
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="deadlines")
    referral: Mapped["Referral | None"] = relationship(back_populates="deadline")
    waived_by: Mapped[User | None] = relationship(foreign_keys=[waived_by_id])


class Referral(db.Model):
    __tablename__ = "referrals"
    __table_args__ = (CheckConstraint(in_list("status", REFERRAL_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    to_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    from_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="sent")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    answer: Mapped[str | None] = mapped_column(Text)  # decline reason or outcome

    case: Mapped[Case] = relationship(back_populates="referrals")
    to_org: Mapped[Organisation] = relationship(foreign_keys=[to_org_id])
    from_org: Mapped[Organisation | None] = relationship(foreign_keys=[from_org_id])
    deadline: Mapped[Deadline | None] = relationship(back_populates="referral")

    @property
    def is_open(self) -> bool:
        return self.status in ("sent", "accepted")


class Visit(db.Model):
    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint(in_list("method", VISIT_METHODS), name="method"),
        CheckConstraint(in_list("outcome", VISIT_OUTCOMES), name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime)
    by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")
    next_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="visits")
    by_user: Mapped[User] = relationship()


class CaseCounter(db.Model):
    """The last number given per prefix and year (MR-2026 → 123 gives MR-2026-000123)."""

    __tablename__ = "case_counters"

    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


class AccessLog(db.Model):
    """Who read which case, when, through which door (vocab.ACCESS_CHANNELS; checked by
    services.access_log, not by a CHECK: the table is append-only and never rebuilt)."""

    __tablename__ = "access_log"
    __table_args__ = (
        # The viewer: a case's readers, a user's reads, newest first.
        Index("ix_access_log_case_at", "case_id", "at"),
        Index("ix_access_log_user_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    what: Mapped[str] = mapped_column(String(64), default="view")
