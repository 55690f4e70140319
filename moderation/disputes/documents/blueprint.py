"""A dispute's documents: attaching, downloading and withdrawing them."""

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import joinedload

from moderation.disputes.documents import permissions  # noqa: F401 (its rules)
from moderation.disputes.documents import services as documents
from moderation.disputes.documents.forms import AttachDocumentForm, WithdrawDocumentForm
from moderation.models import Dispute, DisputeDocument
from moderation.web import audit
from moderation.web.access import permits
from moderation.web.boundary import on_refusal
from moderation.web.permissions import can, enforce, record_or_404

bp = Blueprint("documents", __name__)
bp.app_template_filter("file_size")(documents.size_in_words)
bp.app_template_filter("file_kind")(
    lambda document: getattr(documents.kind_of(document), "label", document.file_kind))


def _back_to(dispute, message):
    flash(message, "success")
    if can(current_user, "dispute.page", dispute):
        return redirect(url_for("disputes.show", dispute_id=dispute.id, _anchor="documents"))
    return redirect(url_for("home.index"))


@bp.route("/disputes/<int:dispute_id>/documents/new", methods=["GET", "POST"])
@permits("document.add")
def attach(dispute_id):
    dispute = record_or_404(Dispute, dispute_id, "document.add")
    audit.record("dispute_viewed", dispute, page="attach_document")
    form = AttachDocumentForm()
    page = lambda problems=(): render_template(  # noqa: E731
        "documents/attach.html", dispute=dispute, form=form)
    on_refusal(page, form, field="file")
    if not form.validate_on_submit():
        return page()
    upload = form.file.data
    content = documents.read_upload(upload)
    document = documents.attach(dispute, current_user, form.document_type.data,
                                upload.filename, content)
    return _back_to(dispute, f"{document.filename} has been attached to the dispute.")


@bp.route("/documents/<int:document_id>")
@permits("document.read")
def download(document_id):
    """The document as an attachment, streamed from the database in slices; audited."""
    document = record_or_404(DisputeDocument, document_id, "document.read",
                             joinedload(DisputeDocument.dispute))
    documents.downloaded(document, current_user)
    response = Response(stream_with_context(documents.chunks(document.id, document.size)),
                        content_type=document.media_type)
    response.headers["Content-Length"] = str(document.size)
    response.headers["Content-Disposition"] = documents.content_disposition(document.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/documents/<int:document_id>/withdraw", methods=["GET", "POST"])
@permits("document.withdraw")
def withdraw(document_id):
    """Whoever added a document withdraws it, with a reason, until the panel has had it."""
    document = record_or_404(DisputeDocument, document_id, "document.read",
                             joinedload(DisputeDocument.dispute))
    form = WithdrawDocumentForm()
    page = lambda problems=(): render_template(  # noqa: E731
        "documents/withdraw.html", document=document, dispute=document.dispute, form=form)
    on_refusal(page, form, field="reason")
    enforce(documents.why_not_withdraw(current_user, document), "reason")
    if not form.validate_on_submit():
        return page()
    documents.withdraw(document, current_user, form.reason.data.strip())
    return _back_to(document.dispute, f"{document.filename} has been withdrawn.")
