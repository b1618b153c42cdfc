"""One person across cases (services/persons.py).

`person_records`: a person as a record of its own. Each party row of a case (`persons`,
with its role there) is linked to at most one record by a `person_links` row, made only
when a user chose it (link to a proposed record, or a new one). The link keeps the
normalised keys the party was matched by (services/person_keys.py), so that proposals
search only parties of cases within the user's identity scope.

`person_merges`: a supervisor's merge of one record into another, with its reason and the
links it moved, so that undoing it restores both records and their links exactly.
`screening_visits`: the periodic screening visits of a high-risk household (a DV case's
family), every interval of the rule pack's `household_screening_due`.
"""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ..vocab import SCREENING_OUTCOMES
from ._util import in_list
from .case import Case, Person
from .user import User


class PersonRecord(db.Model):
    __tablename__ = "person_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Set while this record is merged into another (undone: None again).
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("person_records.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    links: Mapped[list["PersonLink"]] = relationship(
        back_populates="record", order_by="PersonLink.person_id"
    )


class PersonLink(db.Model):
    __tablename__ = "person_links"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("person_records.id"), index=True)
    # Normalised keys of the party (services/person_keys.py), searched by proposals.
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    name_key: Mapped[str | None] = mapped_column(String(100), index=True)
    name_pinyin: Mapped[str | None] = mapped_column(String(300), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    linked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    record: Mapped[PersonRecord] = relationship(back_populates="links")
    person: Mapped[Person] = relationship(backref=db.backref("link", uselist=False, cascade="all"))


class PersonMerge(db.Model):
    __tablename__ = "person_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("person_records.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("person_records.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    moved: Mapped[list] = mapped_column(JSON, default=list)  # person ids moved over
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    merged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undo_reason: Mapped[str | None] = mapped_column(Text)

    survivor: Mapped[PersonRecord] = relationship(foreign_keys=[survivor_id])
    merged: Mapped[PersonRecord] = relationship(foreign_keys=[merged_id])
    merged_by: Mapped[User] = relationship(foreign_keys=[merged_by_id])


class ScreeningVisit(db.Model):
    __tablename__ = "screening_visits"
    __table_args__ = (CheckConstraint(in_list("outcome", SCREENING_OUTCOMES), name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    done_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()
    by_user: Mapped[User] = relationship()
