"""Demonstration disputes at every point of the escalation procedure, dated from today.

Loaded once: if the demo referrer already has disputes, nothing is added.
"""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from moderation import calendar
from moderation.calendar import UK, add_working_days
from moderation.disputes import escalating, papers, policy, raising, responding, settling
from moderation.disputes.documents import services as documents
from moderation.disputes.raising import DisputeAnswers
from moderation.extensions import db
from moderation.models import Dispute, DocumentType, User
from moderation.web import pdf


def _answers(raised_on, **changes):
    answers = {
        "child_name": "Amelia Jones",
        "child_dob": raised_on.replace(year=raised_on.year - 5),
        "child_case_number": None,
        "referral_date": raised_on - timedelta(days=9),
        "referral_method": "phone",
        "referrer_intent": "referral",
        "concern_categories": ["neglect"],
        "level_of_need": 3,
        "referral_summary": "Home conditions poor on three home visits; the child's weight is "
                            "falling and two health appointments were missed.",
        "csc_decision_date": raised_on - timedelta(days=7),
        "told_recorded_as": "contact",
        "told_outcome": "no_further_action",
        "told_decision_maker": "Duty social worker",
        "told_reasons": "Universal services are involved and the family has engaged.",
        "dispute_type": "threshold_not_met",
        "grounds": "Concerns have repeated over six months with no improvement. The threshold "
                   "for a child and family assessment is met.",
        "immediate_risk": False,
    }
    answers.update(changes)
    return DisputeAnswers(**answers)


def _record(dispute, rationale, told_how="phone", **people):
    """CSC's own record of its decision, the referrer told the working day after it."""
    told_on = None if told_how == "not_told" else add_working_days(dispute.csc_decision_date, 1)
    return responding.CscRecord(rationale=rationale, told_how=told_how,
                                told_on=min(told_on, calendar.today()) if told_on else None,
                              **people)


def _at(on):
    """11:00 on the day `on`: the demo's past happened in office hours, not when it was loaded."""
    return datetime.combine(on, time(11, 0), tzinfo=UK)


def _respond(dispute, csc, response, on):
    """CSC's answer at the current stage, given on `on` (the service stamps now)."""
    stage = responding.respond(dispute, csc, response)
    stage.responded_at = _at(on)
    return stage


def _add_information(dispute, referrer, text, on):
    addition = papers.add_information(dispute, referrer, text)
    addition.added_at = _at(on)


REFERRAL_FORM = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Referral to children's social care</title></head><body>
<h1>Referral to children's social care (demonstration)</h1>
<p>Referring agency: Northshire Community Health NHS Trust, health visiting.</p>
<p>Concerns: home conditions poor on three home visits; the child's weight is falling; two
health appointments missed. The referrer asks for a child and family assessment.</p>
</body></html>"""

CHRONOLOGY = """Chronology kept by the health visiting team (demonstration)

Week 1  Home visit: home conditions poor; advice given.
Week 5  Home visit: no improvement; weight below the previous centile.
Week 9  Missed appointment at the clinic.
Week 12 Missed appointment; referral made to children's social care.
"""


def _attach_papers(dispute, referrer):
    """The referral form as sent and the team's chronology, attached the day it was raised."""
    for kind, name, content in (
            (DocumentType.REFERRAL_FORM, "Referral form.pdf", pdf.render(REFERRAL_FORM)),
            (DocumentType.CHRONOLOGY, "Chronology.txt", CHRONOLOGY.encode())):
        documents.attach(dispute, referrer, kind, name, content).added_at = _at(dispute.raised_on)


def _people():
    emails = ["referrer", "police.referrer", "school.referrer", "csc.manager", "csc.screener"]
    users = {
        user.email.split("@")[0]: user
        for user in db.session.scalars(
            select(User).where(User.email.in_([f"{e}@demo.example.org" for e in emails]))
        )
    }
    return users


def load():
    """Add the demo disputes if they are not there yet; return how many were added."""
    people = _people()
    health = people["referrer"]
    if db.session.scalar(select(Dispute.id).where(Dispute.referrer_id == health.id).limit(1)):
        return 0
    today = calendar.today()
    ago = lambda working_days: add_working_days(today, -working_days)  # noqa: E731
    csc, screener = people["csc.manager"], people["csc.screener"]
    # The named urgent contact, told at once of every immediate-risk dispute.
    policy.current_policy().urgent_contact_user_id = screener.id

    def raise_(referrer, days_ago, **changes):
        on = ago(days_ago)
        return raising.raise_dispute(referrer, _answers(on, **changes), on=on)

    # Settled last year about the same child: makes the queued one below a repeat.
    earlier = raise_(health, 150, child_name="Leo Carter", child_case_number="NS-40211")
    _respond(earlier, csc, "Early help offered; the family accepted.", ago(149))
    settling.settle(earlier, csc, "step_down_early_help",
                    "The family accepted an early help assessment.", on=ago(148))

    # Waiting for the panel: every stage answered, still unresolved; a repeat.
    queued = raise_(health, 30, child_name="Leo Carter", child_case_number="NS-40211",
                    level_of_need=4, concern_categories=["neglect", "domestic_abuse"])
    responding.confirm_decision(queued, csc, "contact", "no_further_action", record=_record(
        queued, "Universal services (health visiting and nursery) are involved and the family "
                "engaged with them. No single incident met the threshold for assessment.",
        decision_maker_id=csc.id, authorising_manager_name="Jo Okafor, front door service "
                                                           "manager"), on=today)
    _attach_papers(queued, health)
    for stage_days, responder in ((28, csc), (22, csc), (15, screener)):
        _respond(queued, responder, "CSC's view is unchanged: the threshold is not met.",
                 ago(stage_days))
        escalating.escalate(queued, health, on=ago(stage_days))
    _add_information(queued, health, "Since the last stage the nursery has reported two more "
                                     "missed weeks and a further weight loss.", ago(10))

    # Waiting for the panel, from the police: stages skipped with a reason.
    police_case = raise_(people["police.referrer"], 20, child_name="Mia Roberts",
                         concern_categories=["exploitation"], level_of_need=4,
                         told_recorded_as="referral", told_outcome="information_or_advice",
                         dispute_type="other")
    responding.confirm_decision(police_case, csc, "referral", "information_or_advice",
                                record=_record(
                                  police_case, "The school's safeguarding lead already knows the "
                                               "child; information shared with them is a "
                                               "proportionate response.",
                                  decision_maker_name="Sam Patel, duty social worker",
                                  authorising_manager_id=csc.id, told_how="email"), on=today)
    _respond(police_case, csc, "Information shared with the school.", ago(18))
    escalating.escalate(police_case, people["police.referrer"], to_position=4, on=ago(18),
                        skip_reason="Both team managers agreed the panel should decide.")

    # Overdue at stage 1: CSC has not answered; a referral recorded as a contact.
    raise_(health, 6, child_name="Noah Ahmed", concern_categories=["parental_mental_health"])

    # At stage 2, waiting for CSC.
    second = raise_(people["school.referrer"], 4, child_name="Ava Thompson",
                    concern_categories=["emotional_abuse"], level_of_need=2,
                    dispute_type="step_down_or_closure", told_outcome="step_down_early_help",
                    told_recorded_as="referral")
    responding.confirm_decision(second, csc, "referral", "step_down_early_help", record=_record(
        second, "The child's needs are met by the school's early help offer with a family "
                "support worker.", decision_maker_id=csc.id, authorising_manager_id=screener.id,
        told_how="not_told"), on=today)
    _respond(second, csc, "Early help is the right level of support.", ago(2))
    escalating.escalate(second, people["school.referrer"], on=ago(2))
    _add_information(second, people["school.referrer"], "The family support worker has not been "
                     "able to arrange a first visit in three weeks.", ago(1))

    # Information only, but recorded by CSC as a referral: the other kind of mismatch.
    raise_(people["school.referrer"], 1, child_name="Oscar Lee", referrer_intent="information",
           told_recorded_as="referral", told_outcome="child_and_family_assessment",
           dispute_type="other", level_of_need=2, concern_categories=["child_mental_health"])

    # Settled at stage 1.
    settled = raise_(health, 10, child_name="Isla Brown", concern_categories=["physical_abuse"])
    _respond(settled, csc, "On review, the bruising pattern needs assessment.", ago(8))
    settling.settle(settled, csc, "child_and_family_assessment",
                    "A social worker has been allocated and will visit this week.", on=ago(8))

    # CSC settled on the referrer accepting its explanation: waiting for the referrer's answer.
    accepted = raise_(health, 3, child_name="Freya Hall", concern_categories=["neglect"])
    _respond(accepted, csc, "We went through the decision with the health visitor.", ago(1))
    settling.propose_settlement(accepted, csc, "information_or_advice",
                                "The health visitor accepted the advice given.", on=ago(1))

    # Urgent, raised today on the urgent route: same-working-day clock, top of every CSC list.
    raise_(people["police.referrer"], 0, child_name="Ethan Wright", immediate_risk=True,
           concern_categories=["physical_abuse", "domestic_abuse"], level_of_need=4)
    # Before birth: a midwife's pre-birth referral about an unborn child, due in ten weeks. The
    # referrer or CSC records the birth on the dispute page when the child is born.
    raise_(health, 2, child_name="Unborn Patel", child_dob=None,
           child_expected_delivery_date=today + timedelta(weeks=10),
           concern_categories=["domestic_abuse", "parental_substance_misuse"],
           referral_summary="Pre-birth referral at 28 weeks: domestic abuse disclosed at the "
                            "booking appointment and continuing alcohol use in pregnancy.",
           grounds="The risks to the baby after birth need a pre-birth assessment now, not a "
                   "referral after the birth.")
    db.session.flush()
    return 10
