"""Demonstration of a held meeting: last month's session with attendance, votes, decisions
reached by consensus, majority and the chair's casting vote, actions, and minutes in draft."""

from datetime import time

from moderation import calendar
from moderation.actions import services as actions
from moderation.calendar import add_working_days
from moderation.demo.disputes import _answers
from moderation.disputes import escalating, raising
from moderation.extensions import db
from moderation.meeting import decisions, minutes, register, voting
from moderation.models import PanelSession
from moderation.panels import agenda

CASES = [
    # (referrer, child, concerns, votes by representative, chair's casting vote, feedback)
    ("referrer", "Ruby Evans", ["neglect"], {
        "health.rep": ("overturn_s17", "Weight loss and missed appointments over six months."),
        "police.deputy": ("overturn_s17", "Two domestic incidents at the address this year."),
        "csc.rep": ("overturn_s17", "On the full history the threshold for assessment is met."),
    }, None, "The panel agreed with you. The concerns you described, taken together over six "
              "months, meet the threshold for a child and family assessment, which CSC will now "
              "start."),
    ("police.referrer", "Jacob Wright", ["exploitation"], {
        "health.rep": ("overturn_s47", "Missing episodes and older associates suggest risk."),
        "police.deputy": ("upheld", "The strategy discussion already held covered this."),
        "csc.rep": ("upheld", "A child in need plan is in place and working."),
    }, None, "The panel found CSC's decision was reasonable: a child in need plan already "
              "addresses the risks you raised. Please escalate again if new concerns arise."),
    ("school.referrer", "Lily Walker", ["emotional_abuse"], {
        "health.rep": ("step_down_early_help", "Early help fits the needs described."),
        "police.deputy": ("overturn_s17", "Assessment would clarify the home situation."),
        "csc.rep": ("upheld", "The school's pastoral support is the right level."),
    }, "step_down_early_help", "The panel decided the family should be offered early help "
                               "rather than a statutory assessment. The early help team will "
                               "contact the family and the school this month."),
]


def load(users, members):
    """Add last month's session; return how many records were added."""
    chair = users["chair"]
    held_on = add_working_days(calendar.today(), -20)
    items = [_queued_dispute(users, held_on, referrer, child, concerns)
             for referrer, child, concerns, *_ in CASES]
    panel_session = PanelSession(
        planned_on=held_on, held_on=held_on, agenda_cutoff_on=add_working_days(held_on, -5),
        starts_at=time(10, 0), duration_minutes=180, capacity=8, cutoff_working_days=5,
        place="Northshire Council House, Committee Room 2")
    db.session.add(panel_session)
    db.session.flush()
    for dispute in items:
        agenda.add_item(panel_session, chair, dispute.id)
    agenda.freeze(panel_session, chair)
    _register(panel_session, chair, members)
    register.start(panel_session, chair)
    for item, (_, _, _, votes, casting, feedback) in zip(panel_session.agenda, CASES, strict=True):
        _decide(item, chair, members, votes, casting, feedback)
    _actions(panel_session, chair, users)
    register.close(panel_session, chair)
    minutes.comment(panel_session, minutes.latest(panel_session), users["health.rep"],
                    "Item 2: please record that health asked for the strategy discussion's notes "
                    "to be shared with the GP.")
    return 1 + len(items)


def _queued_dispute(users, held_on, referrer, child, concerns):
    raised_on = add_working_days(held_on, -25)
    dispute = raising.raise_dispute(
        users[referrer], _answers(raised_on, child_name=child, concern_categories=concerns),
        on=raised_on)
    escalating.escalate(dispute, users[referrer], to_position=4, on=add_working_days(raised_on, 3),
                        skip_reason="Both team managers agreed the panel should decide.")
    return dispute


def _register(panel_session, chair, members):
    present = {"chair", "health.rep", "police.deputy", "csc.rep"}
    register.record_attendance(panel_session, chair, {
        member.id: ("present" if name in present else "apologies", name in present)
        for name, member in members.items()})


def _decide(item, chair, members, votes, casting, feedback):
    voting.open_voting(item, chair)
    for name, (outcome, reason) in votes.items():
        voting.cast_vote(item, members[name].user, outcome, reason)
    voting.close_voting(item, chair)
    themes = decisions.themes()
    decisions.record_decision(
        item, chair, casting_vote=casting, theme_ids=[themes[1].id, themes[6].id],
        rationale="The panel weighed the history of concerns against CSC's reasons.",
        dissent="Dissenting members felt the existing plan was enough." if casting else None,
        feedback=feedback)
    db.session.flush()


def _actions(panel_session, chair, users):
    overdue = actions.add_action(panel_session, chair, item=panel_session.agenda[0], working_days=5,
                                 description="Share the threshold guidance with duty teams.",
                                 owner_id=users["csc.manager"].id)
    done = actions.add_action(panel_session, chair, item=panel_session.agenda[1], working_days=10,
                              description="Send the chronology to the school nurse.",
                              owner_id=users["health.rep"].id)
    actions.update_status(done, users["health.rep"], "done")
    return overdue
