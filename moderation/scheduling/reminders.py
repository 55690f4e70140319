"""The time-driven steps the scheduler runs. Each is idempotent: running it twice, or in two
overlapping processes, changes nothing the second time (unique keys on sessions and
notifications, and status checks under row locks). Each only flushes: the job that runs it
(scheduling/jobs.py) commits it as one transaction."""

import functools

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from moderation.calendar import add_working_days, is_working_day, region, today
from moderation.disputes import escalating, queries
from moderation.disputes.policy import current_policy
from moderation.extensions import db
from moderation.models import (
    Action,
    ActionStatus,
    Dispute,
    DisputeStage,
    DisputeStatus,
    PanelMember,
    PanelSeries,
    PanelSession,
    Role,
)
from moderation.notifications import notices
from moderation.notifications.services import notify, notify_many
from moderation.panels import agenda, services
from moderation.panels.membership import members


def keep_series_generated(on=None):
    """Every series keeps its sessions generated six months ahead."""
    until = (on or today()) + relativedelta(months=services.MONTHS_AHEAD)
    made = 0
    for series in db.session.scalars(select(PanelSeries)):
        made += len(services.generate_sessions(series, until))
    return made


def freeze_due_agendas(on=None):
    """At each session's agenda cut-off, freeze it from the queue (as the chair would) and tell
    the members the papers are ready."""
    on = on or today()
    due = db.session.scalars(
        select(PanelSession)
        .where(PanelSession.agenda_draft,
               PanelSession.agenda_cutoff_on <= on, PanelSession.held_on >= on)
        .with_for_update(skip_locked=True, of=PanelSession)).all()
    for panel_session in due:
        agenda.freeze(panel_session, None)  # which tells the members and each item's referrer
    return len(due)


def remind_sessions(on=None):
    """Two working days before a session, remind its members."""
    on = on or today()
    held_on = add_working_days(on, 2, region())
    panel_sessions = db.session.scalars(select(PanelSession).where(
        PanelSession.held_on == held_on,
        PanelSession.before_meeting)).all()
    for panel_session in panel_sessions:
        for member in members(panel_session):
            notify(member.user_id, f"session-reminder:session-{panel_session.id}",
                   f"The panel meets on {panel_session.held_on:%d %B %Y}.",
                   link=f"/sessions/{panel_session.id}", kind="session_reminder")
    return len(panel_sessions)


def remind_minutes(on=None):
    """Five working days after a session, remind the chair if the minutes are still draft."""
    on = on or today()
    held_by = add_working_days(on, -5, region())
    panel_sessions = db.session.scalars(select(PanelSession).where(
        PanelSession.minutes_draft,
        PanelSession.held_on <= held_by)).all()
    for panel_session in panel_sessions:
        for chair_id in _chairs_now(panel_session, on):
            notify(chair_id, f"minutes-reminder:session-{panel_session.id}",
                   f"The minutes of {panel_session.held_on:%d %B %Y} are still in draft.",
                   link=f"/sessions/{panel_session.id}/minutes", kind="minutes_reminder")
    return len(panel_sessions)


def _chairs_now(panel_session, on):
    """Who may approve the session's minutes on `on`: its chair and deputy chair whose seats
    still cover that day (one whose seat has ended approves nothing, so is not reminded)."""
    return db.session.scalars(
        select(PanelMember.user_id).where(PanelMember.chairing_on(panel_session.held_on, on))
        .order_by(PanelMember.user_id).distinct()).all()


def escalation_alerts(on=None):
    """Each working morning: whoever must act on a stage due tomorrow or overdue hears of it;
    partnership managers hear of disputes overdue at the last stage. An answered stage waits for
    the referrer to escalate it, not for its answerers: no alert."""
    on = on or today()
    if not is_working_day(on, region()):
        return 0
    tomorrow = add_working_days(on, 1, region())
    stages = db.session.execute(
        select(DisputeStage.id, DisputeStage.name, DisputeStage.position, DisputeStage.due_on,
               DisputeStage.answering_role, Dispute.id.label("dispute_id"), Dispute.reference,
               Dispute.referrer_id, Dispute.immediate_risk)
        .join(Dispute, DisputeStage.dispute_id == Dispute.id)
        .where(Dispute.status == DisputeStatus.ESCALATING, DisputeStage.closed_on.is_(None),
               DisputeStage.response.is_(None), DisputeStage.due_on <= tomorrow)).all()
    policy = current_policy()
    last_position = {True: len(policy.urgent_stages), False: len(policy.stages)}
    holders = functools.cache(notices.role_holders)
    alerts = []
    for stage in stages:
        link = f"/disputes/{stage.dispute_id}"
        acting = [stage.referrer_id] if stage.answering_role == Role.REFERRER else \
            holders(stage.answering_role)
        alerts += [(user_id, f"stage-due:stage-{stage.id}:{on}",
                    f"Dispute {stage.reference}: {stage.name} is due {stage.due_on:%d %B %Y}.",
                    link, "stage_due") for user_id in acting]
        if stage.position >= last_position[stage.immediate_risk] and stage.due_on < on:
            alerts += [(user_id, f"last-stage-overdue:stage-{stage.id}:{on}",
                        f"Dispute {stage.reference} is overdue at the last stage.", link,
                        "last_stage_overdue") for user_id in holders(Role.PARTNERSHIP_MANAGER)]
    notify_many(alerts)
    return len(stages)


def chase_overdue_actions(on=None):
    """Weekly: each owner of an overdue open action hears of it (once a week); an action a
    role owns, everyone holding the role."""
    on = on or today()
    week = on.strftime("%G-W%V")
    overdue = db.session.execute(
        select(Action.id, Action.owner_id, Action.owner_role, Action.description, Action.due_on)
        .where(Action.status == ActionStatus.OPEN, Action.due_on < on)).all()
    holders = functools.cache(notices.role_holders)
    notify_many((owner_id, f"action-overdue:action-{action.id}:{week}",
                 f"Your action \u201c{action.description[:80]}\u201d was due "
                 f"{action.due_on:%d %B %Y}.", f"/actions/{action.id}", "action_overdue")
                for action in overdue
                for owner_id in ([action.owner_id] if action.owner_id
                                 else holders(action.owner_role)))
    return len(overdue)


def lapse_last_stages(on=None):
    """Each working morning: a last stage past its due date with no response puts its dispute
    in the panel queue (the referrer and CSC are told)."""
    on = on or today()
    return escalating.lapse_last_stages(on) if is_working_day(on, region()) else 0


def move_on_urgent_stages(now=None):
    """Every 15 minutes in office hours: urgent stages not answered by their due time move on,
    and whoever answers next is told at once (rule 17)."""
    return escalating.move_on_urgent_stages(now)


def escalate_unanswered_settlements(on=None):
    """Each working morning: settlements the referrer did not answer in time escalate."""
    on = on or today()
    return escalating.escalate_unanswered_settlements(on) if is_working_day(on, region()) else 0


def disputes_digest(on=None):
    """Each working morning: CSC managers' digest of the disputes raised since the last one."""
    on = on or today()
    if not is_working_day(on, region()):
        return 0
    count = queries.raised_since(add_working_days(on, -1, region()), on)
    notices.disputes_digest(on, count)
    return count
