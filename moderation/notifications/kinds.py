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
    roles: tuple  # whose email settings offer it
    required: bool = False  # required by policy: the user cannot turn the email off
    default: bool = True  # emailed unless the user chose otherwise
    in_app: bool = True  # a digest is an email only: its notices are already in the app

    @property
    def urgent(self):
        """Sent marked as urgent (rule 14): its subject says so, and so do its headers."""
        return self.subject.startswith("URGENT:")


REFERRER = ("referrer",)
CSC = ("csc_manager",)
PANEL = ("panel_member", "chair")
CHAIRS = ("chair", "partnership_manager")
PM = ("partnership_manager",)
ANYONE = ("referrer", "csc_manager", "panel_member", "chair", "partnership_manager", "admin")

KINDS = {
    # The urgent route (rule 14): never optional, marked urgent, still without case details.
    "urgent_dispute": Kind("A dispute about a child at immediate risk is raised",
                           "URGENT: a dispute about a child at immediate risk",
                           "A referrer has raised a dispute about a child at immediate risk of "
                           "significant harm. It needs a response today.",
                           CSC + PM, required=True),
    "urgent_panel_needed": Kind("An urgent dispute needs a panel: unresolved after the urgent "
                                "route, or deferred by a panel",
                                "URGENT: an extraordinary panel may be needed",
                                "A dispute about a child at immediate risk needs a panel within "
                                "two working days: it is unresolved at the end of the urgent "
                                "route, or a panel has deferred it.",
                                CHAIRS, required=True),
    "urgent_stage": Kind("An urgent dispute moves on to a stage you answer",
                         "URGENT: an urgent dispute needs your answer today",
                         "A dispute about a child at immediate risk has moved on to an urgent "
                         "stage you answer. It needs your answer by the end of the office day.",
                         CSC + PM, required=True),
    "urgent_session_date": Kind("A panel is arranged for an urgent dispute you raised",
                                "URGENT: a panel will hear a dispute you raised",
                                "A panel session has been arranged to hear a dispute you raised "
                                "about a child at immediate risk.", REFERRER, required=True),
    "urgent_deferred": Kind("A panel defers an urgent dispute you raised",
                            "URGENT: a dispute you raised needs another panel",
                            "A panel has deferred a dispute you raised about a child at "
                            "immediate risk. The panel chair has been asked to arrange another "
                            "panel within two working days.", REFERRER, required=True),
    # The referrer.
    "stage_response": Kind("An escalation stage of your dispute is answered",
                           "Your dispute has been answered at an escalation stage",
                           "An escalation stage of a dispute you raised has been answered.",
                           REFERRER),
    "csc_correction": Kind("CSC corrects how it recorded your referral or its outcome",
                           "CSC has corrected its record of a decision you disputed",
                           "Children's social care has corrected how it recorded a decision you "
                           "disputed.", REFERRER),
    "settlement_to_confirm": Kind("CSC asks you to confirm a settlement",
                                  "Please confirm or decline a settlement",
                                  "Children's social care has settled a dispute you raised on the "
                                  "basis that you accept its explanation. Confirm or decline it.",
                                  REFERRER, required=True),
    "settled": Kind("A dispute you raised is settled", "A dispute you raised is settled",
                    "A dispute you raised has been settled before the panel.", REFERRER),
    "queued": Kind("A dispute you raised joins the panel queue",
                   "A dispute has joined the panel queue",
                   "A dispute you raised is now waiting for the threshold moderation panel.",
                   REFERRER),
    "session_date": Kind("A dispute you raised is on a panel agenda",
                         "A dispute is on a panel agenda",
                         "A dispute you raised is on the frozen agenda of a panel session.",
                         REFERRER),
    "decision": Kind("The panel's decision on a dispute you raised",
                     "A panel decision is ready for you",
                     "The threshold moderation panel has reached a decision you need to read.",
                     REFERRER, required=True),
    "manager_named": Kind("A referrer names you as their manager on a dispute",
                          "You have been named as a referrer's manager",
                          "A referrer in your agency has named you as their manager on a dispute "
                          "they raised. You can read it and add information to it.", REFERRER),
    "dispute_withdrawn": Kind("A dispute you raised or answer is withdrawn",
                              "A dispute has been withdrawn",
                              "The partnership manager has withdrawn a dispute you raised or "
                              "answer. It is closed: nothing more happens to it.",
                              REFERRER + CSC),
    "deferred": Kind("A dispute you raised moves to a later panel",
                     "A panel item has moved to a later session",
                     "A dispute you raised has moved to a later panel session.", REFERRER),
    # Children's social care.
    "dispute_raised": Kind("Each dispute as it is raised (rather than the daily digest)",
                           "A dispute has been raised",
                           "A referrer has raised a dispute about a CSC decision.",
                           CSC, default=False),
    "disputes_digest": Kind("A daily digest of the disputes raised the working day before",
                            "Disputes raised yesterday",
                            "Disputes about CSC decisions were raised on the last working day.",
                            CSC, in_app=False),
    "escalated": Kind("A dispute is escalated to a stage you answer",
                      "A dispute has been escalated",
                      "A dispute has been escalated to a stage you answer.", CSC + PM),
    "settlement_declined": Kind("A referrer declines a settlement",
                                "A referrer has declined a settlement",
                                "A referrer has declined a settlement, so the dispute is back at "
                                "its stage.", CSC),
    "last_stage_lapsed": Kind("A dispute joins the panel queue because its last stage ran out",
                              "A dispute has joined the panel queue",
                              "A dispute's last escalation stage passed its due date without a "
                              "response, so it has joined the panel queue.", CSC),
    "panel_decision_on_csc": Kind("The panel decides on a CSC decision",
                                  "The panel has decided on a CSC decision",
                                  "The threshold moderation panel has reached a decision on a "
                                  "decision made by children's social care.", CSC,
                                  required=True),
    "action_owed": Kind("The panel sets an action for you", "The panel has set you an action",
                        "The threshold moderation panel has set an action for you.",
                        ANYONE, required=True),
    # Panel members.
    "papers_ready": Kind("Papers are ready for a panel session",
                         "Panel papers are ready",
                         "The agenda for a panel session you sit on is frozen and the papers "
                         "are ready to read.", PANEL),
    "item_added": Kind("An urgent item is added to a frozen agenda",
                       "An urgent item has been added to a panel agenda",
                       "An urgent item has been added to the frozen agenda of a panel session "
                       "you sit on.", PANEL, required=True),
    "extraordinary_session": Kind("An extraordinary panel session is called",
                                  "URGENT: an extraordinary panel session has been called",
                                  "An extraordinary panel session you sit on has been called "
                                  "for a child at immediate risk.", PANEL, required=True),
    "session_changed": Kind("A panel session you sit on is moved or cancelled",
                            "A panel session has changed",
                            "A panel session you sit on has been moved or cancelled.", PANEL,
                            required=True),
    "item_deferred": Kind("An item is deferred to a later session",
                          "A panel item has been deferred",
                          "An item on the agenda of a panel session you sit on has been "
                          "deferred.", PANEL),
    "minutes_draft": Kind("Draft minutes are ready for comment",
                          "Draft panel minutes are ready",
                          "The draft minutes of a panel session you attended are ready for "
                          "your comments.", PANEL),
    "minutes_approved": Kind("Minutes are approved", "Panel minutes are approved",
                             "The minutes of a panel session you attended have been approved.",
                             PANEL),
    "session_reminder": Kind("A reminder two working days before a panel session",
                             "Panel session reminder",
                             "A panel session you sit on is in two working days.", PANEL),
    "minutes_reminder": Kind("Minutes still in draft five working days after a session",
                             "Panel minutes are waiting for approval",
                             "The minutes of a panel session you chaired are still in draft.",
                             ("chair",)),
    # Guests: invited by the chair to one item, whatever roles they hold.
    "guest_invited": Kind("You are invited to an item at a panel session",
                          "You are invited to a panel session",
                          "The chair of a threshold moderation panel has invited you to one item "
                          "of a session. You can read its papers once the agenda is frozen.",
                          ANYONE, required=True),
    # Whoever must act on a stage.
    "stage_due": Kind("An escalation stage you must act on is due or overdue",
                      "An escalation stage needs your response",
                      "An escalation stage you must act on is due tomorrow or overdue.",
                      REFERRER + CSC + PM, required=True),
    "last_stage_overdue": Kind("A dispute is overdue at the last escalation stage",
                               "A dispute is overdue at the last stage",
                               "A dispute is overdue at the last stage of the escalation "
                               "procedure.", PM, required=True),
    "action_overdue": Kind("An action you own is overdue",
                           "A panel action is overdue",
                           "An action the panel set for you is past its due date.", ANYONE),
    # Data protection (rule 15): what the nightly retention job did, in figures only.
    "retention_ran": Kind("The retention job anonymises or deletes records, or keeps some on "
                          "legal hold",
                          "The retention job has run",
                          "The nightly retention job has anonymised or deleted records, or kept "
                          "records that were due because of a legal hold. Read its report.", PM),
    "retention_stopped": Kind("The retention job stops before it finishes",
                              "The retention job did not finish",
                              "The nightly retention job stopped before it finished. Read its "
                              "report to see what it did; the next run goes on from where it "
                              "stopped.", PM, required=True),
}


def offered_to(user):
    """The kinds whose emails this user's settings list: those for the roles they hold."""
    held = {role.value for role in user.roles}
    return {kind: spec for kind, spec in KINDS.items() if held & set(spec.roles)}


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
