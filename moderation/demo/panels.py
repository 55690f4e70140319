"""Demonstration panel: standing membership, last month's session with its decisions, a monthly
series for the next six months, and the next session's agenda frozen with the disputes waiting
for panel."""

import secrets
from datetime import time, timedelta

from sqlalchemy import select

from moderation.calendar import today
from moderation.demo import meeting as demo_meeting
from moderation.extensions import db
from moderation.models import MemberRole, PanelMember, PanelSeries, User
from moderation.panels import agenda, services
from moderation.papers import guests

MEMBERS = [
    ("chair", MemberRole.CHAIR, None),
    ("health.rep", MemberRole.REPRESENTATIVE, None),
    ("panel.member", MemberRole.REPRESENTATIVE, None),
    ("csc.rep", MemberRole.REPRESENTATIVE, None),
    ("police.deputy", MemberRole.REPRESENTATIVE, "panel.member"),
]


def load():
    """Add the demo panel if there is none yet; return how many records were added."""
    if db.session.scalar(select(PanelMember.id).limit(1)):
        return 0
    users = {user.email.split("@")[0]: user for user in db.session.scalars(
        select(User).where(User.email.like("%@demo.example.org")))}
    members = {}
    for name, role, deputy_for in MEMBERS:
        user = users[name]
        members[name] = PanelMember(
            user=user, role=role, agency_id=user.agency_id,
            deputy_for=members.get(deputy_for), calendar_token=secrets.token_urlsafe(32),
            joined_on=today() - timedelta(days=365))  # on the panel for last month's session
        db.session.add(members[name])
    added = len(members)
    db.session.flush()
    added += demo_meeting.load(users, members)
    if not db.session.scalar(select(PanelSeries.id).limit(1)):
        series = services.create_series(
            users["chair"], 2, "TU", services.today(), starts_at=time(10, 0),
            duration_minutes=180, place="Northshire Council House, Committee Room 2",
            online_link="https://meet.example.org/northshire-panel", capacity=8,
            cutoff_working_days=5)
        added += 1 + len(series.sessions)
        # The next session's agenda is frozen with the queued demo disputes: papers to read,
        # and the referrer of the first invited to present it.
        agenda.freeze(series.sessions[0], users["chair"])
        guests.invite(series.sessions[0].agenda[0], users["chair"], "referrer@demo.example.org",
                      "To present the referral and the nursery's new reports")
    db.session.flush()
    return added
