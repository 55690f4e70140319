"""Demonstration records for data protection: two disputes settled eight years ago about
children who are now 25, so both are due under the default schedule, one of them on legal hold
for a child safeguarding practice review. `flask demo-data` then runs the retention job once,
as the nightly job would: the other is anonymised and the run is in the partnership manager's
report."""

from datetime import timedelta

from sqlalchemy import select

from moderation import calendar
from moderation.demo.disputes import _answers, _people, _respond
from moderation.disputes import raising, settling
from moderation.extensions import db
from moderation.models import Dispute, User
from moderation.retention import holds
from moderation.retention.schedule import add_years

HOLD_REASON = ("Kept for the partnership's child safeguarding practice review, which reads "
               "the escalations of 2018 (review reference CSPR-2026-02).")


def load():
    """Add the two old disputes unless they are there; return how many were added."""
    today = calendar.today()
    raised_on = add_years(today, -8) - timedelta(days=40)
    people = _people()
    health = people["referrer"]
    if db.session.scalar(select(Dispute.id).where(Dispute.referrer_id == health.id,
                                                  Dispute.raised_on == raised_on)):
        return 0
    born = add_years(today, -25) - timedelta(days=30)  # 17 when the dispute was raised
    settled = [_settled_long_ago(health, people["csc.manager"], raised_on, name, born)
               for name in ("Jordan Fletcher", "Kayla Morgan")]
    manager = db.session.scalar(select(User).where(
        User.email == "partnership.manager@demo.example.org"))
    holds.place(settled[1], manager, HOLD_REASON)
    return 2


def _settled_long_ago(referrer, csc, raised_on, child_name, born):
    dispute = raising.raise_dispute(referrer, _answers(
        raised_on, child_name=child_name, child_dob=born, level_of_need=2,
        concern_categories=["child_mental_health"]), on=raised_on)
    answered = raised_on + timedelta(days=1)
    _respond(dispute, csc, "An early help assessment has been offered to the family.", answered)
    settling.settle(dispute, csc, "step_down_early_help",
                    "The family accepted an early help assessment.", on=answered)
    return dispute
