"""Who may see and set the retention schedule, hold a dispute, and answer a subject access
request. The data protection officer sees the schedule and its reports and answers subject
access requests; only the partnership manager changes the schedule or holds a dispute."""

from moderation.models import Dispute, LegalHold, Role
from moderation.web.permissions import rule

OVERSIGHT = (Role.PARTNERSHIP_MANAGER, Role.DATA_PROTECTION_OFFICER)

rule("retention.schedule", *OVERSIGHT)
rule("retention.set_schedule", Role.PARTNERSHIP_MANAGER)
rule("retention.runs", *OVERSIGHT)
rule("retention.holds", *OVERSIGHT)
rule("subject_access.search", *OVERSIGHT)


@rule("dispute.hold", Role.PARTNERSHIP_MANAGER, on=Dispute)
def may_hold(user, dispute):
    """Not once anonymised (there is nothing left to keep), nor while a hold is in force."""
    return not dispute.anonymised and not any(hold.active for hold in dispute.holds)


@rule("hold.release", Role.PARTNERSHIP_MANAGER, on=LegalHold)
def may_release(user, hold):
    return hold.active
