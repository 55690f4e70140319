"""Subject access: find every record about one child, and export them.

The search terms are a child's identity: they travel only in POSTed forms, are never stored,
never put in an address and never written to the audit log, which records how the search was
made, how many disputes it found and which.
"""

from flask import Blueprint, Response, render_template
from flask_login import current_user

from moderation.calendar import today
from moderation.retention import permissions, subject_access  # noqa: F401 (its rules)
from moderation.retention.subject_access_forms import ExportForm, SearchForm
from moderation.web import audit
from moderation.web.access import permits
from moderation.web.boundary import Refusal, on_refusal

bp = Blueprint("subject_access", __name__)

# Each format: its media type and how the export is written in it.
FORMATS = {
    "pdf": ("application/pdf", lambda data: subject_access.as_pdf(data, current_user)),
    "json": ("application/json", subject_access.as_json),
}


@bp.route("/subject-access", methods=["GET", "POST"])
@permits("subject_access.search")
def search():
    form = SearchForm()
    on_refusal(lambda problems=(): _search_page(form), form)
    if not form.validate_on_submit():
        return _search_page(form)
    how, disputes = _find(form)
    audit.record("subject_access_searched", object_type="dispute", searched_by=how,
                 found=len(disputes), disputes=[dispute.id for dispute in disputes])
    data = subject_access.export(disputes)
    return _search_page(form, disputes=disputes, counts=subject_access.counts(data))


@bp.route("/subject-access/export", methods=["POST"])
@permits("subject_access.search")
def export():
    form = ExportForm()
    on_refusal(lambda problems=(): _search_page(form), form)
    if not form.validate_on_submit():
        return _search_page(form)
    if form.format.data not in FORMATS:
        raise Refusal("Choose whether to download a PDF or a JSON file", "submit")
    how, disputes = _find(form)
    media_type, write = FORMATS[form.format.data]
    body = write(subject_access.export(disputes))
    audit.record("subject_access_exported", object_type="dispute", searched_by=how,
                 format=form.format.data, found=len(disputes),
                 disputes=[dispute.id for dispute in disputes])
    # The date names the file, never the child.
    name = f"subject-access-{today().isoformat()}.{form.format.data}"
    return Response(body, mimetype=media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def _find(form):
    terms = (form.child_name.data, form.child_dob.data, form.case_number.data)
    return subject_access.searched_by(*terms), subject_access.find(*terms)


def _search_page(form, disputes=None, counts=None):
    return render_template("subject_access/search.html", form=form, disputes=disputes,
                           counts=counts)
