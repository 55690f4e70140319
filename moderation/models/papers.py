"""A case's papers beyond the dispute record: documents, the referrer's additions, and what
belongs to one agenda item (the chair's private notes, the item's guests)."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.models.base import Base
from moderation.models.disputes import Dispute
from moderation.models.enums import LabelledEnum
from moderation.models.panels import AgendaItem
from moderation.models.people import User
from moderation.models.types import UTCDateTime, utcnow


class DocumentType(LabelledEnum):
    REFERRAL_FORM = "referral_form"
    CONTACT_RECORD = "contact_record"
    CHRONOLOGY = "chronology"
    OTHER = "other"


DocumentType.LABELS = {
    DocumentType.REFERRAL_FORM: "The referral form as sent",
    DocumentType.CONTACT_RECORD: "CSC's contact record",
    DocumentType.CHRONOLOGY: "A chronology",
    DocumentType.OTHER: "Another document",
}


class DisputeAddition(Base):
    """New information the referrer (or their manager) adds at an escalation or while the
    dispute waits for panel: dated on the timeline, marked new in the papers."""

    __tablename__ = "dispute_addition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id", ondelete="CASCADE"),
                                            index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(Text)
    # The stage it was added at; None when added while the dispute waited for panel.
    stage_position: Mapped[int | None] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    dispute: Mapped[Dispute] = relationship()
    author: Mapped[User] = relationship()


class DisputeDocument(Base):
    """A document attached to a dispute, kept in the database (the one shared store, so backups,
    access and retention cover it). Its content is loaded only when downloaded."""

    __tablename__ = "dispute_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id", ondelete="CASCADE"),
                                            index=True)
    addition_id: Mapped[int | None] = mapped_column(
        ForeignKey("dispute_addition.id", ondelete="SET NULL"))
    document_type: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(200))  # cleaned
    file_kind: Mapped[str] = mapped_column(String(10))  # what its content is: pdf, docx, ...
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    dispute: Mapped[Dispute] = relationship()
    added_by: Mapped[User] = relationship(foreign_keys=[added_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    addition: Mapped[DisputeAddition | None] = relationship(back_populates="documents")

    @property
    def withdrawn(self):
        return self.withdrawn_at is not None

    @property
    def type_label(self):
        return DocumentType(self.document_type).label


DisputeAddition.documents = relationship(DisputeDocument, back_populates="addition",
                                         order_by=DisputeDocument.id)


class ItemNote(Base):
    """The chair's private pre-meeting notes on one agenda item: for the session's chair and
    deputy chair only, never in the papers or the minutes."""

    __tablename__ = "item_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="CASCADE"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    updated_by: Mapped[User] = relationship()


class ItemGuest(Base):
    """Someone the chair invited to one agenda item (to present, say): they read that item's
    papers only, from the freeze to the end of the meeting, and never vote."""

    __tablename__ = "item_guest"
    __table_args__ = (UniqueConstraint("agenda_item_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(300))  # why they are invited
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # The register: None until the chair records whether they came.
    attended: Mapped[bool | None] = mapped_column(Boolean)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    agenda_item: Mapped[AgendaItem] = relationship()


AgendaItem.guests = relationship(ItemGuest, order_by=ItemGuest.id, cascade="all, delete-orphan",
                                 overlaps="agenda_item")
AgendaItem.note = relationship(ItemNote, uselist=False, cascade="all, delete-orphan")
