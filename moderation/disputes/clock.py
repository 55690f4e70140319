"""The stage clock: the one home of when a stage opens, when it is due and how it stands.

Rule 2: a dispute's first stage opens the day it is raised, each stage is due its opening date
plus its working days; rule 3: an immediate-risk stage is due the same working day, and on the
urgent route at the end of that office day (rule 17, the policy's urgent due time).
"""

from dataclasses import dataclass
from datetime import date, datetime

from moderation.calendar import (
    OFFICE_OPENS,
    UK,
    add_working_days,
    next_working_day,
    region,
    today,
    urgent_due_at,
    working_days_between,
)
from moderation.disputes.policy import current_policy
from moderation.models import DisputeStage, DisputeStatus
from moderation.models.types import utcnow
from moderation.web.boundary import Refusal
from moderation.web.words import count


def due_date(opened_on, working_days, urgent):
    """Rule 2, with rule 3's same-working-day clock for immediate risk."""
    if urgent:
        return next_working_day(opened_on, region())
    return add_working_days(opened_on, working_days, region())


def _opening_moment(on):
    """When a stage dated `on` opens: now, or for a stage dated another day (the demo's past,
    a stage recorded late) the start of that day's office hours."""
    if on == today():
        return utcnow()
    return datetime.combine(on, OFFICE_OPENS, tzinfo=UK)


def urgent_due(stage, moment):
    """An urgent stage (or a referrer's reply to an urgent settlement) is due at the end of the
    office day (rule 17)."""
    stage.due_at = urgent_due_at(moment, current_policy().urgent_due_time, region())
    stage.due_on = stage.due_at.astimezone(UK).date()


def open_stage(dispute, policy_stage, on, actor):
    stage = DisputeStage(
        position=policy_stage.position,
        name=policy_stage.name,
        answering_role=policy_stage.answering_role,
        working_days=policy_stage.working_days,
        independent=policy_stage.independent,
        opened_on=on,
        opened_at=utcnow(),
        due_on=due_date(on, policy_stage.working_days, dispute.immediate_risk),
        opened_by_id=actor.id if actor else None,
    )
    if dispute.immediate_risk:
        urgent_due(stage, _opening_moment(on))
    dispute.stages.append(stage)
    return stage


def close_stage(stage, on, outcome):
    stage.closed_on = on
    stage.closed_at = utcnow()
    stage.outcome = outcome


NOT_ESCALATING = "This dispute is no longer in escalation"


def require_escalating(dispute):
    """The dispute's open stage; refused once the dispute has left escalation (settled, queued,
    waiting for the referrer's reply to a settlement)."""
    stage = dispute.current_stage
    if dispute.status != DisputeStatus.ESCALATING or stage is None:
        raise Refusal(NOT_ESCALATING)
    return stage


@dataclass(frozen=True)
class Clock:
    """How a stage stands against its due date, in working days."""

    due_on: date
    days: int  # working days left; negative when overdue

    @property
    def overdue(self):
        return self.days < 0

    @property
    def label(self):
        if self.days < 0:
            return f"Overdue by {_days(-self.days)}"
        if self.days == 0:
            return "Due today"
        return f"{_days(self.days)} left"


def tag_class(stage_clock):
    """The GOV.UK tag colour of a clock (the `clock_tag` template filter): red once overdue,
    orange on its last working day, blue before."""
    if stage_clock.days < 0:
        return "govuk-tag--red"
    return "govuk-tag--orange" if stage_clock.days <= 1 else "govuk-tag--blue"


def _days(n):
    return count(n, "working day")


def clock(stage, on=None):
    on = on or today()
    if stage.due_on >= on:
        return Clock(stage.due_on, working_days_between(on, stage.due_on, region()))
    return Clock(stage.due_on, -working_days_between(stage.due_on, on, region()))


def hours_since_raised(dispute, now=None):
    """Whole hours since an urgent dispute was raised (the clock the CSC list shows)."""
    return int(((now or utcnow()) - dispute.raised_at).total_seconds() // 3600)
