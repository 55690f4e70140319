"""Who may see and set the retention schedule, hold or withdraw a dispute, and answer a subject
access request. The data protection officer sees the schedule and its reports and answers
subject access requests; only the partnership manager changes the schedule, reviews the open
disputes with no activity, and holds or withdraws a dispute."""

from moderation.models import Dispute, LegalHold, Role
from moderation.web.permissions import rule

OVERSIGHT = (Role.PARTNERSHIP_MANAGER, Role.DATA_PROTECTION_OFFICER)

rule("retention.schedule", *OVERSIGHT)
rule("retention.set_schedule", Role.PARTNERSHIP_MANAGER)
rule("retention.runs", *OVERSIGHT)
rule("retention.holds", *OVERSIGHT)
rule("subject_access.search", *OVERSIGHT)
rule("retention.inactive", Role.PARTNERSHIP_MANAGER)


@rule("dispute.hold", Role.PARTNERSHIP_MANAGER, on=Dispute)
def may_hold(user, dispute):
    """Not once anonymised (there is nothing left to keep), nor while a hold is in force."""
    return not dispute.anonymised and not any(hold.active for hold in dispute.holds)


@rule("hold.release", Role.PARTNERSHIP_MANAGER, on=LegalHold)
def may_release(user, hold):
    return hold.active


@rule("dispute.withdraw", Role.PARTNERSHIP_MANAGER, on=Dispute)
def may_withdraw(user, dispute):
    """An open dispute not anonymised. A panel still to hear it is the service's refusal, said
    on the page with what to do."""
    return not dispute.anonymised and not dispute.closed
