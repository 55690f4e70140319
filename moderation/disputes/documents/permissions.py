"""Who may attach, download and withdraw a dispute's documents (rule 12: per record).

Who may read a document is readers.may_read_papers; attaching and withdrawing are the
services' why_not answers (services.why_not_attach, services.why_not_withdraw).
"""

from moderation.disputes.documents import services
from moderation.disputes.documents.readers import may_read_papers
from moderation.models import Dispute, DisputeDocument, Role
from moderation.web.permissions import may, rule

ADDERS = (Role.REFERRER, Role.CSC_MANAGER)


@rule("document.add", *ADDERS, on=Dispute)
def may_add(user, dispute):
    """The referrer who raised it, their named manager, and CSC managers, while the papers are
    open (services.why_not_attach)."""
    return may(services.why_not_attach(user, dispute))


@rule("document.read", on=DisputeDocument)
def may_download(user, document):
    """Not once withdrawn; otherwise exactly those who may read the dispute's papers."""
    return not document.withdrawn and may_read_papers(user, document.dispute)


@rule("document.withdraw", *ADDERS, on=DisputeDocument)
def may_withdraw(user, document):
    """Whoever added it, until the panel has had it (services.why_not_withdraw)."""
    return may(services.why_not_withdraw(user, document))
