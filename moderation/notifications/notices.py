"""Who hears what: the one place that decides, for each event, who is told.

Every notice is in the app at once and, per the kind (kinds.py), an email in the outbox: both
are written in the transaction of the change that caused them, so a change that is rolled back
tells nobody. In-app messages may name the case (the app is need-to-know); emails never do
(rule 11). Each notice's key names the event and the record, so telling twice tells once.

The README's table "Who is told what" lists these events; keep the two in step.
"""

from sqlalchemy import or_, select

from moderation.calendar import today
from moderation.extensions import db
from moderation.models import (
    Attendance,
    AttendanceStatus,
    EscalationPolicy,
    Notification,
    PanelMember,
    Role,
    User,
    UserRole,
)
from moderation.models.types import utcnow
from moderation.notifications.services import notify_many
from moderation.web.formatting import format_date, format_datetime
from moderation.web.words import count, number_agrees


def _tell(user_ids, key, message, link, kind):
    notify_many((user_id, key, message, link, kind) for user_id in dict.fromkeys(user_ids))


def _dispute_link(dispute):
    return f"/disputes/{dispute.id}"


def _stamp(moment):
    """A moment as part of a key: each correction or decline is its own event."""
    return f"{moment:%Y%m%dT%H%M%S%f}"


def _session_link(panel_session):
    return f"/sessions/{panel_session.id}"


# Audiences -------------------------------------------------------------------------------------


def role_holders(*roles):
    """The active users holding any of the roles."""
    return db.session.scalars(
        select(User.id).join(UserRole).where(UserRole.role.in_([Role(r).value for r in roles]),
                                             User.active.is_(True))
        .order_by(User.id).distinct()).all()


def csc_managers():
    return role_holders(Role.CSC_MANAGER)


def panel_of(panel_session):
    """Those who sit on the session's panel: memberships covering its date (rule 12)."""
    return db.session.scalars(
        select(PanelMember.user_id).join(User, PanelMember.user_id == User.id)
        .where(PanelMember.sitting_on(panel_session.held_on), User.active.is_(True))
        .order_by(PanelMember.user_id)).all()


def attended(panel_session):
    """The members present at the session (or standing in for one)."""
    return db.session.scalars(
        select(PanelMember.user_id)
        .join(Attendance, Attendance.member_id == PanelMember.id)
        .where(Attendance.session_id == panel_session.id,
               Attendance.status == AttendanceStatus.PRESENT)
        .order_by(PanelMember.user_id)).all()


def panel_chairs():
    """The panel's chair and deputy chair today: seats that cover today, held by active users
    with the chair role. Never a chair-role holder without a seat (one whose seat has ended
    included): the notices that go here name the case (rule 12)."""
    return db.session.scalars(
        select(PanelMember.user_id).join(User, PanelMember.user_id == User.id)
        .where(PanelMember.chairing_on(today()), User.active.is_(True),
               User.role_links.any(UserRole.role == Role.CHAIR))
        .order_by(PanelMember.user_id).distinct()).all()


def urgent_contact():
    """The policy's named urgent contact, if one is set."""
    user_id = db.session.scalar(
        select(EscalationPolicy.urgent_contact_user_id).order_by(EscalationPolicy.id).limit(1))
    return [user_id] if user_id else []


def who_was_told(key):
    """Who has been told of one event, and when: (name, told at, read at) by time told."""
    return db.session.execute(
        select(User.name, Notification.created_at, Notification.read_at)
        .join(User, Notification.user_id == User.id)
        .where(Notification.key.like(f"{key}:user-%"))
        .order_by(Notification.created_at, User.name)).all()


def told_of_each(keys):
    """who_was_told() for several events in one query: {key: [(name, told at, read at)]}."""
    told = {key: [] for key in keys}
    if not told:
        return told
    rows = db.session.execute(
        select(Notification.key, User.name, Notification.created_at, Notification.read_at)
        .join(User, Notification.user_id == User.id)
        .where(or_(*(Notification.key.like(f"{key}:user-%") for key in told)))
        .order_by(Notification.created_at, User.name))
    for key, *person in rows:
        told[key.rpartition(":user-")[0]].append(tuple(person))
    return told


def urgent_key(dispute):
    return f"urgent-raised:dispute-{dispute.id}"


# The dispute's life ----------------------------------------------------------------------------


def dispute_raised(dispute):
    """Urgent: the urgent contact and every CSC manager, at once, by a required email. Others:
    every CSC manager in the app; by email each at once only if they chose so, else in the
    daily digest."""
    if dispute.immediate_risk:
        _tell(urgent_contact() + csc_managers(), urgent_key(dispute),
              f"URGENT: dispute {dispute.reference} is about a child at immediate risk. "
              "It needs a response today.", _dispute_link(dispute), "urgent_dispute")
        return
    _tell(csc_managers(), f"raised:dispute-{dispute.id}",
          f"Dispute {dispute.reference} has been raised.", _dispute_link(dispute),
          "dispute_raised")


def disputes_digest(on, raised):
    """The CSC managers' daily digest email: how many disputes the last working day brought."""
    if raised:
        _tell(csc_managers(), f"digest:{on}",
              f"{count(raised, 'dispute')} raised since the last digest.",
              "/", "disputes_digest")


def stage_answered(dispute, stage):
    """The referrer, in the voice of whoever answered: CSC, or the partnership's senior lead."""
    _tell([dispute.referrer_id], f"answered:stage-{stage.id}",
          f"{stage.voice.name} has responded at stage {stage.position} ({stage.name}) of "
          f"dispute {dispute.reference}.", _dispute_link(dispute), "stage_response")


def csc_corrected(dispute, at):
    _tell([dispute.referrer_id], f"corrected:dispute-{dispute.id}:{_stamp(at)}",
          f"CSC has corrected how it recorded the decision you disputed in {dispute.reference}.",
          _dispute_link(dispute), "csc_correction")


def settlement_to_confirm(dispute):
    """Each proposal is its own event: after a decline, CSC may propose again."""
    _tell([dispute.referrer_id], f"settlement:dispute-{dispute.id}:{_stamp(utcnow())}",
          f"CSC has settled dispute {dispute.reference} on the basis that you accept its "
          f"explanation. Confirm or decline by {format_date(dispute.settlement_reply_due_on)}.",
          _dispute_link(dispute), "settlement_to_confirm")


def manager_named(dispute):
    """The manager the referrer named at escalation, once per dispute and manager."""
    _tell([dispute.referrer_manager_id],
          f"manager-named:dispute-{dispute.id}:manager-{dispute.referrer_manager_id}",
          f"{dispute.referrer.name} has named you as their manager on dispute "
          f"{dispute.reference}. You can read it and add information to it.",
          _dispute_link(dispute), "manager_named")


def settled(dispute):
    _tell([dispute.referrer_id], f"settled:dispute-{dispute.id}",
          f"Dispute {dispute.reference} is settled.", _dispute_link(dispute), "settled")


def settlement_declined(dispute, stage):
    _tell(csc_managers(), f"declined:stage-{stage.id}:{_stamp(dispute.settlement_replied_at)}",
          f"The referrer declined the settlement of dispute {dispute.reference}: it is back at "
          f"stage {stage.position}.", _dispute_link(dispute), "settlement_declined")


def escalated(dispute, stage):
    """Whoever answers the stage the dispute was escalated to: CSC managers, or on the urgent
    route the partnership's named senior lead (a partnership manager), told at once that it is
    due by the end of the office day, by an email marked urgent (rule 17)."""
    if dispute.immediate_risk:
        _tell(role_holders(stage.answering_role), f"escalated:stage-{stage.id}",
              f"URGENT: dispute {dispute.reference}, about a child at immediate risk, is now at "
              f"stage {stage.position} ({stage.name}). It needs an answer by "
              f"{format_datetime(stage.due_at)}.", _dispute_link(dispute), "urgent_stage")
        return
    _tell(role_holders(stage.answering_role), f"escalated:stage-{stage.id}",
          f"Dispute {dispute.reference} has been escalated to stage {stage.position} "
          f"({stage.name}).", _dispute_link(dispute), "escalated")


def queued(dispute, lapsed=False):
    """The referrer hears their dispute is waiting for the panel; CSC hears too when it got
    there because the last stage ran out."""
    _tell([dispute.referrer_id], f"queued:dispute-{dispute.id}",
          f"Dispute {dispute.reference} is now waiting for the threshold moderation panel.",
          _dispute_link(dispute), "queued")
    if lapsed:
        _tell(csc_managers(), f"lapsed:dispute-{dispute.id}",
              f"Dispute {dispute.reference} has joined the panel queue: its last stage passed "
              "its due date without a response.", _dispute_link(dispute), "last_stage_lapsed")


def urgent_panel_needed(dispute, needed_by, why=None, event=None):
    """An urgent dispute needs a panel by `needed_by` (rules 14 and 17): at the end of the
    urgent route, or again (`event`, `why`) when a panel deferred it or its session was
    cancelled. The chair and deputy chair, at once, with a link that offers the extraordinary
    panel; the partnership managers, with a link to the dispute."""
    chairs = panel_chairs()
    key = f"urgent-panel:dispute-{dispute.id}" + (f":{event}" if event else "")
    what = (f"URGENT: dispute {dispute.reference}, about a child at immediate risk, "
            f"{why or 'is unresolved at the end of the urgent route'}.")
    by = format_date(needed_by)
    _tell(chairs, key, f"{what} Call an extraordinary panel to sit by {by}.",
          f"/sessions/extraordinary/new?dispute_id={dispute.id}", "urgent_panel_needed")
    asked = (f"The panel chair has been asked to call an extraordinary panel to sit by {by}."
             if chairs else f"Nobody chairs the panel today: add a chair or deputy chair to call "
             f"an extraordinary panel to sit by {by}.")
    _tell([user_id for user_id in role_holders(Role.PARTNERSHIP_MANAGER) if user_id not in chairs],
          key, f"{what} {asked}", _dispute_link(dispute), "urgent_panel_needed")


# Sessions and agendas --------------------------------------------------------------------------


def agenda_frozen(panel_session):
    """Members: the papers are ready. Each item's referrer: the date their case is heard."""
    _tell(panel_of(panel_session), f"papers:session-{panel_session.id}",
          f"The papers for the panel session on {format_date(panel_session.held_on)} are ready.",
          f"{_session_link(panel_session)}/meeting", "papers_ready")
    for item in panel_session.agenda:
        on_agenda(panel_session, item)


def on_agenda(panel_session, item):
    """The referrer hears when their dispute will be heard; an urgent one by an email marked
    urgent, as the members' is."""
    dispute = item.dispute
    when = f"{format_date(panel_session.held_on)} at {panel_session.starts_at:%H:%M}"
    if dispute.immediate_risk:
        _tell([dispute.referrer_id], f"on-agenda:item-{item.id}",
              f"URGENT: dispute {dispute.reference} will be heard by "
              f"{'an extraordinary panel' if panel_session.extraordinary else 'the panel'} "
              f"on {when}.",
              _dispute_link(dispute), "urgent_session_date")
        return
    _tell([dispute.referrer_id], f"on-agenda:item-{item.id}",
          f"Dispute {dispute.reference} will be heard by the panel on "
          f"{format_date(panel_session.held_on)}.", _dispute_link(dispute), "session_date")


def urgent_item_added(panel_session, item):
    _tell(panel_of(panel_session), f"item-added:item-{item.id}",
          f"An urgent item ({item.dispute.reference}) has been added to the agenda of "
          f"{format_date(panel_session.held_on)}.", f"{_session_link(panel_session)}/meeting",
          "item_added")
    on_agenda(panel_session, item)


def extraordinary_session(panel_session):
    _tell(panel_of(panel_session), f"extraordinary:session-{panel_session.id}",
          f"URGENT: an extraordinary panel session has been called for "
          f"{format_date(panel_session.held_on)} at {panel_session.starts_at:%H:%M}.",
          f"{_session_link(panel_session)}/meeting", "extraordinary_session")
    for item in panel_session.agenda:
        on_agenda(panel_session, item)


def session_moved(panel_session):
    _tell(panel_of(panel_session),
          f"moved:session-{panel_session.id}:{panel_session.calendar_sequence}",
          f"A panel session has moved to {format_date(panel_session.held_on)}: "
          f"{panel_session.change_reason}", _session_link(panel_session), "session_changed")


def session_cancelled(panel_session):
    _tell(panel_of(panel_session), f"cancelled:session-{panel_session.id}",
          f"The panel session on {format_date(panel_session.held_on)} is cancelled: "
          f"{panel_session.change_reason}", _session_link(panel_session), "session_changed")


def item_deferred(item, needed_by=None):
    """The referrer and the session's members hear an item has been deferred. An urgent one
    (`needed_by`) waits for no monthly panel: the referrer hears by when another panel must sit,
    by an email marked urgent."""
    if needed_by is not None:
        _tell([item.dispute.referrer_id], f"deferred:item-{item.id}",
              f"URGENT: the panel deferred your dispute {item.dispute.reference} on "
              f"{format_date(item.session.held_on)}. It is about a child at immediate risk, so "
              f"it does not wait for the monthly panel: the chair has been asked to call an "
              f"extraordinary panel to sit by {format_date(needed_by)}.",
              _dispute_link(item.dispute), "urgent_deferred")
    else:
        _tell([item.dispute.referrer_id], f"deferred:item-{item.id}",
              f"Your dispute {item.dispute.reference} has moved to a later panel session.",
              _dispute_link(item.dispute), "deferred")
    _tell(panel_of(item.session), f"item-deferred:item-{item.id}",
          f"Item {item.position} ({item.dispute.reference}) of "
          f"{format_date(item.session.held_on)} is deferred.",
          f"{_session_link(item.session)}/meeting", "item_deferred")


def minutes_draft(panel_session, version):
    """Each circulated draft, the first and every correction, with its comment deadline."""
    _tell(attended(panel_session), f"minutes-draft:session-{panel_session.id}:v{version.version}",
          f"Version {version.version} of the draft minutes of {format_date(panel_session.held_on)} "
          f"is ready for your comments until {format_date(version.comments_due_on)}.",
          f"{_session_link(panel_session)}/minutes", "minutes_draft")


def minutes_approved(panel_session, version):
    _tell(attended(panel_session),
          f"minutes-approved:session-{panel_session.id}:v{version.version}",
          f"The minutes of {format_date(panel_session.held_on)} are approved.",
          f"{_session_link(panel_session)}/minutes", "minutes_approved")


def guest_invited(guest):
    """The guest of one item: which session, and a link to the item's papers (no case detail:
    a guest may hold no role that reads the case until the agenda is frozen)."""
    item = guest.agenda_item
    panel_session = item.session
    _tell([guest.user_id], f"guest-invited:guest-{guest.id}",
          f"You are invited to item {item.position} of the panel session on "
          f"{format_date(panel_session.held_on)} at {panel_session.starts_at:%H:%M}. You can read "
          "its papers from when the agenda is frozen until the meeting ends.",
          f"{_session_link(panel_session)}/papers/{item.id}", "guest_invited")


# The panel's decision and its actions ----------------------------------------------------------


def decision(item, decision_maker_id):
    """The referrer reads the decision; CSC hears the panel decided on its decision: the
    decision maker if CSC recorded one who is still active, else every CSC manager."""
    dispute = item.dispute
    _tell([dispute.referrer_id], f"decision:item-{item.id}",
          f"The panel has decided your dispute {dispute.reference}.", _dispute_link(dispute),
          "decision")
    maker = db.session.get(User, decision_maker_id) if decision_maker_id else None
    _tell([maker.id] if maker is not None and maker.active else csc_managers(),
          f"decision-csc:item-{item.id}",
          f"The panel has decided on CSC's decision in dispute {dispute.reference}.",
          _dispute_link(dispute), "panel_decision_on_csc")


def action_owed(action):
    """The action's owner, or everyone holding the role that owns it."""
    owners = [action.owner_id] if action.owner_id else role_holders(action.owner_role)
    _tell(owners, f"action-set:action-{action.id}",
          f"The panel has set you an action, due {format_date(action.due_on)}.",
          f"/actions/{action.id}", "action_owed")


# Data protection -------------------------------------------------------------------------------


def retention_ran(run):
    """The partnership managers hear what a retention run did, in figures only (no reference or
    child's detail), with a link to the runs' report."""
    counts = run.counts
    deleted = [_number(counts.get(key, 0), what) for key, what in (
        ("documents_deleted", "document"), ("notifications_deleted", "notification"),
        ("emails_deleted", "email"), ("audit_events_deleted", "audit event"))]
    withdrawn = counts.get("open_withdrawn", 0)
    message = (f"The retention job of {format_date(run.as_of)} anonymised "
               f"{_number(counts.get('disputes_anonymised', 0), 'dispute')}"
               + (f" ({withdrawn:,} of them open, withdrawn first as the child is past the "
                  "schedule's age)" if withdrawn else "")
               + f" and deleted {', '.join(deleted[:-1])} and {deleted[-1]}.")
    for key, why in (("held_skipped", "because of a legal hold"),
                     ("panel_waiting", "until a panel that has them on its agenda has met")):
        kept = counts.get(key, 0)
        if kept:
            message += (f" {_number(kept, 'dispute')} due for anonymisation "
                        f"{number_agrees(kept, 'was')} kept {why}.")
    _tell(role_holders(Role.PARTNERSHIP_MANAGER), f"retention-ran:run-{run.id}", message,
          "/retention/runs", "retention_ran")


def retention_stopped(run):
    """The partnership managers hear, once, that a retention run stopped before it finished,
    with what it did before it stopped, in figures only."""
    counts = run.counts or {}
    message = (f"The retention job of {format_date(run.as_of)} stopped before it finished. "
               f"Before it stopped it anonymised "
               f"{_number(counts.get('disputes_anonymised', 0), 'dispute')} and deleted "
               f"{_number(counts.get('documents_deleted', 0), 'document')}. The next run goes "
               "on from where it stopped.")
    _tell(role_holders(Role.PARTNERSHIP_MANAGER), f"retention-stopped:run-{run.id}", message,
          "/retention/runs", "retention_stopped")


def withdrawn(dispute):
    """The referrer (and the manager they named) and CSC's managers hear that the partnership
    manager withdrew a dispute: it is closed, and nothing more happens to it."""
    _tell([user_id for user_id in (dispute.referrer_id, dispute.referrer_manager_id)
           if user_id] + csc_managers(),
          f"withdrawn:dispute-{dispute.id}",
          f"The partnership manager has withdrawn dispute {dispute.reference}: it is closed.",
          _dispute_link(dispute), "dispute_withdrawn")


def _number(number, noun):
    return count(number, noun)
