"""Every kind of notification, with the email that goes with it.

Rule 11: an email says only that something needs attention, and gives a link. No child's name,
date of birth, dispute reference or other case detail goes in a subject or body: the subject and
body here are fixed text, and only the recipient's own name and the link are filled in.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    label: str  # what the user sees in their email settings
    subject: str
    body: str  # what needs attention, in one sentence
    required: bool = False  # required by policy: the user cannot turn the email off


KINDS = {
    "decision": Kind("The panel's decision on a dispute you raised",
                     "A panel decision is ready for you",
                     "The threshold moderation panel has reached a decision you need to read.",
                     required=True),
    "deferred": Kind("A dispute you raised moves to a later panel",
                     "A panel item has moved to a later session",
                     "A dispute you raised has moved to a later panel session."),
    "papers_ready": Kind("Papers are ready for a panel session",
                         "Panel papers are ready",
                         "The agenda for a panel session you sit on is frozen and the papers "
                         "are ready to read."),
    "session_reminder": Kind("A reminder two working days before a panel session",
                             "Panel session reminder",
                             "A panel session you sit on is in two working days."),
    "minutes_reminder": Kind("Minutes still in draft five working days after a session",
                             "Panel minutes are waiting for approval",
                             "The minutes of a panel session you chaired are still in draft."),
    "stage_due": Kind("An escalation stage you must act on is due or overdue",
                      "An escalation stage needs your response",
                      "An escalation stage you must act on is due tomorrow or overdue.",
                      required=True),
    "last_stage_overdue": Kind("A dispute is overdue at the last escalation stage",
                               "A dispute is overdue at the last stage",
                               "A dispute is overdue at the last stage of the escalation "
                               "procedure.", required=True),
    "action_overdue": Kind("An action you own is overdue",
                           "A panel action is overdue",
                           "An action the panel set for you is past its due date."),
}

BODY = """Hello {name},

{what}

Sign in to see it: {link}

This email does not contain case details. Do not reply to it: the service does not read replies.
"""


def email_for(kind, name, link):
    """The subject and body of one email: fixed text, the recipient's name and a link."""
    chosen = KINDS[kind]
    return f"Threshold moderation: {chosen.subject}", BODY.format(name=name, what=chosen.body,
                                                                   link=link)
