"""Minutes: versioned, approved once and then locked (rule 10)."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.models.base import Base
from moderation.models.enums import LabelledEnum
from moderation.models.people import User
from moderation.models.types import UTCDateTime, utcnow


class MinutesStatus(LabelledEnum):
    DRAFT = "draft"
    APPROVED = "approved"


MinutesStatus.LABELS = {MinutesStatus.DRAFT: "Draft", MinutesStatus.APPROVED: "Approved"}


class MinutesVersion(Base):
    """One version of a session's minutes. Approved versions keep the exact PDF that was
    approved, so every version stays downloadable as it was."""

    __tablename__ = "minutes_version"
    __table_args__ = (UniqueConstraint("session_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("panel_session.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=MinutesStatus.DRAFT)
    # The chair's free text: {"opening": str, "closing": str, "items": {item id: summary}}.
    texts: Mapped[dict] = mapped_column(JSON)
    change_note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # Circulated to the members present, who comment on a draft until this working day.
    circulated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comments_due_on: Mapped[date | None] = mapped_column(Date)
    # When the chair last saved the draft: comments after it are still to be answered.
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    comments: Mapped[list["MinutesComment"]] = relationship(
        order_by="MinutesComment.id", cascade="all, delete-orphan", back_populates="version")


class MinutesComment(Base):
    """A member's comment on a draft of the minutes, seen by the chair beside the draft."""

    __tablename__ = "minutes_comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("minutes_version.id", ondelete="CASCADE"),
                                            index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    version: Mapped[MinutesVersion] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()


class LearningSummary(Base):
    """A generated learning summary: its period, filters, the manager's vignettes and
    recommendations, the PDF, and who generated it when."""

    __tablename__ = "learning_summary"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    filters: Mapped[dict] = mapped_column(JSON)
    vignettes: Mapped[list] = mapped_column(JSON)
    recommendations: Mapped[str | None] = mapped_column(Text)
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    generated_by: Mapped[User | None] = relationship()


class CacheEntry(Base):
    """One entry of the cache every web worker shares when no Redis is configured
    (moderation/web/cache.py): a key, its JSON value, and when it stops being worth reading
    (never, for a namespace's generation)."""

    __tablename__ = "cache_entry"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
