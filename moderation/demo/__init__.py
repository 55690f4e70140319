"""Demonstration data: realistic agencies and one user per role. Safe to load twice."""

from dataclasses import dataclass

from sqlalchemy import select, update

from moderation.auth import passwords
from moderation.demo import disputes as demo_disputes
from moderation.demo import panels as demo_panels
from moderation.demo import retention as demo_retention
from moderation.extensions import db
from moderation.models import Agency, AgencyKind, Notification, Role, User
from moderation.models.types import utcnow

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for demo sign-ins

DEMO_AGENCIES = [
    ("Northshire Community Health NHS Trust", AgencyKind.HEALTH, True),
    ("Northshire Integrated Care Board", AgencyKind.HEALTH, False),
    ("Northshire Police", AgencyKind.POLICE, True),
    ("Northshire Council Children's Social Care", AgencyKind.CSC, True),
    ("Northshire Schools and Education", AgencyKind.EDUCATION, False),
    ("Probation Service, Northshire", AgencyKind.PROBATION, False),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    agency: str
    role: Role


DEMO_USERS = [
    DemoUser("referrer@demo.example.org", "Hannah Okafor", DEMO_AGENCIES[0][0], Role.REFERRER),
    DemoUser("csc.manager@demo.example.org", "Daniel Price", DEMO_AGENCIES[3][0], Role.CSC_MANAGER),
    DemoUser("panel.member@demo.example.org", "Sergeant Amira Shah", DEMO_AGENCIES[2][0],
             Role.PANEL_MEMBER),
    DemoUser("chair@demo.example.org", "Dr Ruth Lawson", DEMO_AGENCIES[1][0], Role.CHAIR),
    DemoUser("partnership.manager@demo.example.org", "Marcus Reid", DEMO_AGENCIES[1][0],
             Role.PARTNERSHIP_MANAGER),
    DemoUser("admin@demo.example.org", "Priya Natarajan", DEMO_AGENCIES[1][0], Role.ADMIN),
    DemoUser("police.referrer@demo.example.org", "PC Tom Whitaker", DEMO_AGENCIES[2][0],
             Role.REFERRER),
    DemoUser("school.referrer@demo.example.org", "Grace Mensah", DEMO_AGENCIES[4][0],
             Role.REFERRER),
    DemoUser("csc.screener@demo.example.org", "Olivia Hart", DEMO_AGENCIES[3][0],
             Role.CSC_MANAGER),
    DemoUser("health.rep@demo.example.org", "Dr Samuel Adeyemi", DEMO_AGENCIES[0][0],
             Role.PANEL_MEMBER),
    DemoUser("csc.rep@demo.example.org", "Fatima Khan", DEMO_AGENCIES[3][0], Role.PANEL_MEMBER),
    DemoUser("police.deputy@demo.example.org", "DS Chris Nolan", DEMO_AGENCIES[2][0],
             Role.PANEL_MEMBER),
    DemoUser("dpo@demo.example.org", "Joanna Kowalski", DEMO_AGENCIES[3][0],
             Role.DATA_PROTECTION_OFFICER),
]


def load():
    """Add whatever demo records are missing; return how many were added."""
    agencies = {agency.name: agency for agency in db.session.scalars(select(Agency))}
    added = 0
    for name, kind, is_core in DEMO_AGENCIES:
        if name not in agencies:
            agencies[name] = Agency(name=name, kind=kind, is_core=is_core)
            db.session.add(agencies[name])
            added += 1
    existing = set(db.session.scalars(select(User.email)))
    password_hash = passwords.hash_password(DEMO_PASSWORD)
    for demo_user in DEMO_USERS:
        if demo_user.email in existing:
            continue
        user = User(
            name=demo_user.name,
            email=demo_user.email,
            agency=agencies[demo_user.agency],
            password_hash=password_hash,
            must_change_password=False,
        )
        user.roles = [demo_user.role]
        db.session.add(user)
        added += 1
    db.session.flush()
    added += demo_disputes.load() + demo_panels.load() + demo_retention.load()
    _history_already_read()
    return added


def _history_already_read():
    """The demo's past reached everyone's notifications as it was made: mark it read, leaving
    new only what a person would still have to act on (urgent disputes, a settlement to
    confirm)."""
    db.session.execute(
        update(Notification)
        .where(Notification.read_at.is_(None), Notification.key.not_like("urgent%"),
               Notification.key.not_like("settlement:%"))
        .values(read_at=utcnow()))
