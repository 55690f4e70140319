"""Who may do what at a meeting (rule 12), building on the session rules in
panels/permissions.py: `meeting.attend` (those who sit on the session's panel, once its agenda is
frozen) and `meeting.run` (its chair). Each rule below reads the `why_not_*` answer beside the
service it guards (register.py, voting.py, conflicts.py, decisions.py, minutes.py), and the
service refuses on the same answer with its reason, so a page offers exactly what the service
will accept.
"""

from moderation.extensions import db
from moderation.meeting import conflicts, decisions, minutes, register, voting
from moderation.models import (
    AgendaItem,
    MinutesStatus,
    MinutesVersion,
    PanelSession,
    Role,
)
from moderation.panels.permissions import CASE_READERS, SESSION_PAGES
from moderation.web.permissions import can, may, rule

MEETING_ROLES = (Role.CHAIR, Role.PANEL_MEMBER)


# The register and the meeting itself ---------------------------------------------------------


@rule("register.acknowledge", *MEETING_ROLES, on=PanelSession)
def may_acknowledge(user, panel_session):
    """A member marks themselves present and accepts the confidentiality statement while the
    register is open."""
    return may(register.why_not_acknowledge(user, panel_session))


@rule("register.keep", Role.CHAIR, on=PanelSession)
def may_keep_register(user, panel_session):
    """The chair keeps the register while it is open."""
    return may(register.why_not_keep_register(user, panel_session))


@rule("meeting.start", Role.CHAIR, on=PanelSession)
def may_start(user, panel_session):
    return may(register.why_not_start(user, panel_session))


@rule("meeting.close", Role.CHAIR, on=PanelSession)
def may_close(user, panel_session):
    return may(register.why_not_close(user, panel_session))


# One agenda item ---------------------------------------------------------------------------


@rule("item.vote", Role.PANEL_MEMBER, on=AgendaItem)
def may_vote(user, item):
    """A representative present at the meeting, who has accepted the confidentiality
    statement, votes for their agency while voting is open, unless their agency has voted or
    they declared a conflict on the item (voting.why_not_vote)."""
    return may(voting.why_not_vote(user, item))


@rule("item.declare_conflict", *MEETING_ROLES, on=AgendaItem)
def may_declare_conflict(user, item):
    """Members declare a conflict (the chair records one for any member) before voting on the
    item closes; a member who has declared one has nothing more to declare."""
    return may(conflicts.why_not_declare_conflict(user, item))


@rule("item.run_voting", *SESSION_PAGES, on=AgendaItem)
def may_run_voting(user, item):
    """The chair opens and closes voting and records the decision, in session, until the item
    is decided or deferred."""
    return may(voting.why_not_run_voting(user, item))


@rule("item.defer", Role.CHAIR, on=AgendaItem)
def may_defer(user, item):
    """The chair of the session defers an undecided item (decisions.why_not_defer)."""
    return may(decisions.why_not_defer(user, item))


# The minutes ------------------------------------------------------------------------------


@rule("minutes.read", *CASE_READERS, on=PanelSession)
def may_read_minutes(user, panel_session):
    """Every version of the minutes: those who may read the session's case detail."""
    return can(user, "session.case_detail", panel_session)


@rule("minutes.change", Role.CHAIR, on=PanelSession)
def may_change_minutes(user, panel_session):
    """The chair of the session edits, approves and corrects its minutes."""
    return _runs(user, panel_session)


@rule("minutes.edit", Role.CHAIR, on=MinutesVersion)
def may_edit(user, version):
    """A draft version, until it is approved (rule 10: approved minutes cannot change)."""
    return (may(minutes.why_not_edit_now(version))
            and may_change_minutes(user, _session(version)))


@rule("minutes.correct", Role.CHAIR, on=MinutesVersion)
def may_correct(user, version):
    """An approved version: a correction is a new version that names what changed."""
    return (version.status == MinutesStatus.APPROVED
            and may_change_minutes(user, _session(version)))


@rule("minutes.comment", *MEETING_ROLES, on=MinutesVersion)
def may_comment(user, version):
    """Members present at the meeting (a deputy who stood in included) comment on its draft
    minutes; the chair who edits them answers in the draft. The service says when comments are
    closed (approved, or the time for them has ended) and why."""
    panel_session = _session(version)
    return (can(user, "session.case_detail", panel_session) and not _runs(user, panel_session)
            and minutes.present_at(panel_session, user))


@rule("minutes.approve", *SESSION_PAGES, on=MinutesVersion)
def may_approve(user, version):
    """The chair approves a draft, after a confirmation step; approved minutes stay locked."""
    return may_edit(user, version)


def _attends(user, panel_session):
    return can(user, "meeting.attend", panel_session)


def _runs(user, panel_session):
    return can(user, "meeting.run", panel_session)


def _session(version):
    return db.session.get(PanelSession, version.session_id)
