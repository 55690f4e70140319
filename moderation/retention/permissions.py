"""Who may see and set the retention schedule, hold or withdraw a dispute, and answer a subject
access request. The data protection officer sees the schedule and its reports and answers
subject access requests; only the partnership manager changes the schedule, reviews the open
disputes with no activity, and holds or withdraws a dispute."""

from moderation.models import Dispute, LegalHold, Role
from moderation.retention import holds, withdrawal
from moderation.web.permissions import may, rule

OVERSIGHT = (Role.PARTNERSHIP_MANAGER, Role.DATA_PROTECTION_OFFICER)

rule("retention.schedule", *OVERSIGHT)
rule("retention.set_schedule", Role.PARTNERSHIP_MANAGER)
rule("retention.runs", *OVERSIGHT)
rule("retention.holds", *OVERSIGHT)
rule("subject_access.search", *OVERSIGHT)
rule("retention.inactive", Role.PARTNERSHIP_MANAGER)


@rule("dispute.hold", Role.PARTNERSHIP_MANAGER, on=Dispute)
def may_hold(user, dispute):
    return may(holds.why_not_hold(user, dispute))


@rule("hold.release", Role.PARTNERSHIP_MANAGER, on=LegalHold)
def may_release(user, hold):
    return may(holds.why_not_release(user, hold))


@rule("dispute.withdraw", Role.PARTNERSHIP_MANAGER, on=Dispute)
def may_withdraw(user, dispute):
    return may(withdrawal.why_not_withdraw(user, dispute))
