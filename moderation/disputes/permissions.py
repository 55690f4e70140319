"""Who may do what with disputes, the escalation policy and the panel queue (rule 12).

Each rule on one dispute reads the one answer to "may this person do it now": who may read a
dispute is readers.may_read; the rest are the services' why_not answers, which the services
enforce (escalating.why_not_escalate, responding.why_not_answer, ...). A rule is a yes only when
the answer is None, except where the page itself says why not now (adding information, answering
a settlement): there it refuses only a dispute that is NOT_YOURS.
"""

from moderation.disputes import escalating, papers, raising, responding, settling
from moderation.disputes.readers import (  # noqa: F401 (chairs_the_panel: panels' rules ask it)
    chairs_the_panel,
    may_read,
    reads_the_queue,
)
from moderation.models import Dispute, Role
from moderation.web.permissions import NOT_YOURS, may, rule

VIEWERS = (Role.REFERRER, Role.CSC_MANAGER, Role.CHAIR, Role.PARTNERSHIP_MANAGER)


def _theirs(why_not):
    """The route is theirs to open, and its page says why not now (rather than "Page not
    found") when the answer is a reason."""
    return why_not is not NOT_YOURS


rule("dispute.raise", Role.REFERRER)
rule("policy.read")
rule("policy.change", Role.PARTNERSHIP_MANAGER)
rule("queue.read", Role.CHAIR, Role.PARTNERSHIP_MANAGER, standing=reads_the_queue,
     refusal="The panel queue is for the panel's chair and deputy chair, and partnership "
             "managers. You do not chair the panel: a partnership manager adds the chair and "
             "deputy chair.")
rule("dispute.read", *VIEWERS, Role.PANEL_MEMBER, on=Dispute)(may_read)


@rule("dispute.page", *VIEWERS, Role.PANEL_MEMBER, on=Dispute)
def may_open(user, dispute):
    """The dispute's own page; panel members read a case in the panel's papers instead (they
    reach the route only to be told "Page not found", as at every case page they may not
    open)."""
    return user.has_role(*VIEWERS) and may_read(user, dispute)


@rule("dispute.confirm", Role.CSC_MANAGER, on=Dispute)
def may_confirm(user, dispute):
    """A CSC manager records CSC's decision (responding.why_not_confirm)."""
    return may(responding.why_not_confirm(user, dispute))


@rule("dispute.answer", Role.CSC_MANAGER, Role.PARTNERSHIP_MANAGER, on=Dispute)
def may_answer(user, dispute):
    """The stage's answering role, once (responding.why_not_answer)."""
    return may(responding.why_not_answer(user, dispute))


@rule("dispute.escalate", Role.REFERRER, Role.CSC_MANAGER, on=Dispute)
def may_escalate(user, dispute):
    """The referrer who raised it, or a CSC manager, once the stage may be escalated
    (escalating.why_not_escalate)."""
    return may(escalating.why_not_escalate(user, dispute))


@rule("dispute.reply_to_settlement", Role.REFERRER, on=Dispute)
def may_reply_to_settlement(user, dispute):
    """The referrer who raised it answers a settlement made on their acceptance. A second
    answer is refused with its reason on the page, not "Page not found"
    (settling.why_not_reply_to_settlement)."""
    return _theirs(settling.why_not_reply_to_settlement(user, dispute))


@rule("dispute.add_information", Role.REFERRER, on=Dispute)
def may_add_information(user, dispute):
    """The referrer who raised it, or the manager they named. Papers already closed are refused
    with their reason on the page (papers.why_not_add_information)."""
    return _theirs(papers.why_not_add_information(user, dispute))


@rule("dispute.record_birth", Role.REFERRER, Role.CSC_MANAGER, on=Dispute)
def may_record_birth(user, dispute):
    """A dispute about an unborn child, not anonymised, by its referrer's side or a CSC manager
    (raising.why_not_record_birth)."""
    return may(raising.why_not_record_birth(user, dispute))
