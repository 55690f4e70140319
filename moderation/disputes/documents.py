"""A dispute's documents: identified by content, stored in the database, streamed on download."""

from sqlalchemy import select

from moderation.extensions import db
from moderation.models import DisputeDocument


def listed(dispute):
    """The dispute's documents, oldest first, withdrawn ones included (the page says so)."""
    return db.session.scalars(
        select(DisputeDocument).where(DisputeDocument.dispute_id == dispute.id)
        .order_by(DisputeDocument.added_at, DisputeDocument.id)).all()
