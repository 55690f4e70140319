"""The escalation policy: each route's stages and the time limits, and who may change them.

Running stages keep the terms they opened with (clock.open_stage copies them), so changing the
policy never moves a dispute's clock.
"""

from datetime import time

from sqlalchemy import select

from moderation.extensions import db
from moderation.models import EscalationPolicy, PolicyStage, Role, Route, User, UserRole
from moderation.models.types import utcnow
from moderation.web import audit
from moderation.web.boundary import Refusal


def current_policy():
    return db.session.scalar(select(EscalationPolicy).order_by(EscalationPolicy.id).limit(1))


def route_stages(dispute):
    """The policy's stages for the route the dispute runs on (urgent for immediate risk)."""
    return current_policy().route(dispute.route)


def update_policy(actor, urgent_contact, stages, route=Route.STANDARD):
    """Replace one route's stages. Running stages keep the terms they opened with."""
    if not stages:
        raise Refusal("The route needs at least one stage before the panel.", "stages")
    policy = current_policy()
    route_stages = policy.route(route)
    before = [stage_terms(stage) for stage in route_stages]
    route_stages.clear()
    db.session.flush()  # old positions go before new ones take them (a unique constraint)
    route_stages.extend(
        PolicyStage(route=Route(route).value, position=number,
                    **{**terms, "working_days": 0 if route == Route.URGENT
                       else terms["working_days"]})
        for number, terms in enumerate(stages, start=1))
    policy.urgent_contact = urgent_contact.strip()
    _updated(policy, actor)
    audit.record("policy_updated", policy, route=Route(route).value, before=before, after=stages)
    return policy


def update_urgent_contact(actor, instructions, user_id):
    """What a referrer is told to do now, and the named person told of every urgent dispute."""
    policy = current_policy()
    if user_id not in {user.id for user in urgent_contact_candidates()}:
        raise Refusal("Select the person told at once of every urgent dispute",
                      "urgent_contact_user_id")
    policy.urgent_contact = instructions.strip()
    policy.urgent_contact_user_id = user_id
    _updated(policy, actor)
    audit.record("urgent_contact_updated", policy, user=user_id)


# The minutes comment days belong to the minutes (meeting/minutes.py reads them); they are set
# here with the other time limits, on the policy's one form.
TIME_LIMITS = ("settlement_reply_days", "csc_action_days", "minutes_comment_days")
# Urgent stages are due within the scheduler's 15-minute runs (scheduling/jobs.py, 08:00-19:45).
URGENT_DUE_TIMES = (time(12, 0), time(19, 0))


def update_time_limits(actor, settlement_reply_days, csc_action_days, minutes_comment_days=None,
                       urgent_due_time=None):
    """The policy's other time limits, in working days (1 to 30 each), and the time of day
    urgent stages are due (12:00 to 19:00)."""
    policy = current_policy()
    limits = {"settlement_reply_days": settlement_reply_days, "csc_action_days": csc_action_days,
              "minutes_comment_days": minutes_comment_days or policy.minutes_comment_days}
    for name, days in limits.items():
        if not 1 <= days <= 30:
            raise Refusal("The working days must be between 1 and 30", name)
        setattr(policy, name, days)
    due_time = urgent_due_time or policy.urgent_due_time
    if not URGENT_DUE_TIMES[0] <= due_time <= URGENT_DUE_TIMES[1]:
        raise Refusal("The time urgent stages are due must be between 12:00 and 19:00",
                      "urgent_due_time")
    policy.urgent_due_time = due_time
    _updated(policy, actor)
    audit.record("policy_time_limits_updated", policy, **limits,
                 urgent_due_time=due_time.strftime("%H:%M"))


def _updated(policy, actor):
    policy.updated_at = utcnow()
    policy.updated_by_id = actor.id


def urgent_contact_candidates():
    """Who can be the named urgent contact: active CSC managers and partnership managers."""
    return db.session.scalars(
        select(User).join(UserRole)
        .where(UserRole.role.in_([Role.CSC_MANAGER.value, Role.PARTNERSHIP_MANAGER.value]),
               User.active.is_(True))
        .order_by(User.name, User.id).distinct()).all()


def policy_terms(route=Route.STANDARD):
    """One route's stages as plain terms, ready to edit and pass to update_policy."""
    return [stage_terms(stage) for stage in current_policy().route(route)]


def stage_terms(stage):
    return {
        "name": stage.name,
        "who_acts": stage.who_acts,
        "answering_role": stage.answering_role,
        "working_days": stage.working_days,
        "independent": stage.independent,
    }
