"""Evidence attached to a case: the file itself lives in the storage directory, named by its
SHA-256; the row keeps what it is, who added it, and its withdrawal (never a deletion)."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ..vocab import ATTACHMENT_KINDS
from ._util import in_list
from .case import Case
from .user import User


class Attachment(db.Model):
    __tablename__ = "attachments"
    __table_args__ = (CheckConstraint(in_list("kind", ATTACHMENT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    # The day the act happened (the photo was taken, the letter served), not the upload.
    acted_on: Mapped[date | None] = mapped_column(Date)
    # The name the file had on the uploader's device: free text, shown to the case team only.
    filename: Mapped[str] = mapped_column(String(200))
    # Decided from the bytes (services.attachments.sniff), never from the name.
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    thumbnail_sha256: Mapped[str | None] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship()
    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
