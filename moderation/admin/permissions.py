"""Who may administer the service: accounts and access, agencies, the audit log, the outbox."""

from moderation.models import EmailMessage, EmailStatus, Role
from moderation.web.permissions import rule

rule("admin.overview", Role.ADMIN)
rule("accounts.manage", Role.ADMIN)  # user accounts, their roles and passwords
rule("agencies.manage", Role.ADMIN, Role.PARTNERSHIP_MANAGER)
rule("audit.read", Role.ADMIN)
rule("outbox.manage", Role.ADMIN)  # the email outbox, and sending a failed email again


@rule("email.resend", Role.ADMIN, on=EmailMessage)
def may_resend(user, message):
    """An email the outbox gave up on (dead), or kept unsent, can be sent again."""
    return message.status in (EmailStatus.DEAD, EmailStatus.KEPT)
