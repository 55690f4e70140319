"""Quorum (rule 6) for the session as a whole or for one agenda item.

The rule itself is rules.quorum; this module gathers its inputs from the register. Quorum is
counted per item, because a conflicted representative does not count for the item they declared
a conflict on.
"""

from sqlalchemy import select

from moderation.extensions import db
from moderation.meeting import rules
from moderation.models import Agency, AttendanceStatus


def core_agencies():
    return db.session.scalars(
        select(Agency.name).where(Agency.is_core.is_(True)).order_by(Agency.name)
    ).all()


def attendees(panel_session, item=None):
    conflicted = {c.member_id for c in item.conflicts} if item is not None else set()
    return [
        rules.Attendee(name=row.member.user.name, agency=row.member.agency.name,
                       role=row.member.role, present=row.status == AttendanceStatus.PRESENT,
                       conflicted=row.member_id in conflicted)
        for row in panel_session.attendance
    ]


def quorum(panel_session, item=None):
    """Rule 6 for the session as a whole, or for one item (conflicted members excluded)."""
    return rules.quorum(attendees(panel_session, item), core_agencies())
