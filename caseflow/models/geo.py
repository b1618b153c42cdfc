"""Jurisdictions (区县 → 乡镇/街道 → 村/社区) and organisations."""

from datetime import date

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, String, Table, Text
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..vocab import JURISDICTION_LEVELS, ORG_TYPES
from ._util import in_list


class Jurisdiction(db.Model):
    """A node of the administrative tree.

    `path` is the materialised path of codes ("500240/500240001/500240001002/"), so a
    subtree is one indexed prefix match: scope queries never walk the tree in Python.
    """

    __tablename__ = "jurisdictions"
    __table_args__ = (CheckConstraint(in_list("level", JURISDICTION_LEVELS), name="level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    path: Mapped[str] = mapped_column(String(400), index=True)
    # A township's 未成年人保护工作站 (未保法 Art. 81) and the day it opened: the registry
    # behind indicator C-LAW-03 (workstation coverage of townships).
    workstation_since: Mapped[date | None] = mapped_column(Date)
    # An inactive place is kept (its cases and codes stay) but offered for nothing new.
    active: Mapped[bool] = mapped_column(default=True, server_default=sa_true())

    parent: Mapped["Jurisdiction | None"] = relationship(remote_side=[id])

    @classmethod
    def make(cls, code: str, name: str, level: str, parent: "Jurisdiction | None" = None):
        path = (parent.path if parent else "") + code + "/"
        return cls(code=code, name=name, level=level, parent=parent, path=path)

    def contains(self, other: "Jurisdiction") -> bool:
        return other.path.startswith(self.path)

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " ".join(reversed(names))


# The places a unit serves (the service directory): a referral picker puts the units
# serving the case's place first.
organisation_places = Table(
    "organisation_places",
    db.metadata,
    Column("organisation_id", ForeignKey("organisations.id"), primary_key=True),
    Column("jurisdiction_id", ForeignKey("jurisdictions.id"), primary_key=True, index=True),
)


class Organisation(db.Model):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint(in_list("type", ORG_TYPES), name="type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    phone: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    # Whether cases may be referred to the unit (the statistics bureau may not).
    referable: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    services: Mapped[str | None] = mapped_column(Text)  # what it offers, in words
    hours: Mapped[str | None] = mapped_column(String(200))  # opening hours, in words

    jurisdiction: Mapped[Jurisdiction] = relationship()
    parent: Mapped["Organisation | None"] = relationship(remote_side=[id])
    serves: Mapped[list[Jurisdiction]] = relationship(
        secondary=organisation_places, order_by=Jurisdiction.path
    )
