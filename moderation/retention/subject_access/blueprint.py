"""Subject access: find every record about one child, and export them.

The search terms are a child's identity: they travel only in POSTed forms, are never stored,
never put in an address and never written to the audit log, which records how the search was
made, which disputes it found exactly and which it offered as possible matches, and which the
officer chose to export. Nothing is exported until the officer chooses.
"""

from flask import Blueprint, Response, render_template
from flask_login import current_user

from moderation.calendar import today
from moderation.retention import permissions, subject_access  # noqa: F401 (its rules)
from moderation.retention.subject_access.forms import ExportForm, SearchForm
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
    return _results_page(form)


@bp.route("/subject-access/export", methods=["POST"])
@permits("subject_access.search")
def export():
    """Export the disputes the officer ticked, among those the same search returns now: the
    search runs again, and an id it does not return is ignored whatever the form sent."""
    form = ExportForm()
    on_refusal(lambda problems=(): _search_page(form), form)
    if not form.validate_on_submit():
        return _search_page(form)
    found = _find(form)  # a search refused is shown as the search page shows it
    on_refusal(lambda problems=(): _results_page(form, ticked=form.chosen.data), form)
    if form.format.data not in FORMATS:
        raise Refusal("Choose whether to download a PDF or a JSON file", "submit")
    chosen = found.chosen(form.chosen.data)
    if not chosen:
        raise Refusal("Select the records to export", "chosen")
    media_type, write = FORMATS[form.format.data]
    body = write(subject_access.export(subject_access.load(chosen)))
    audit.record("subject_access_exported", object_type="dispute", searched_by=found.how,
                 format=form.format.data, exported=len(chosen), disputes=chosen)
    # The date names the file, never the child.
    name = f"subject-access-{today().isoformat()}.{form.format.data}"
    return Response(body, mimetype=media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def _find(form):
    return subject_access.find(form.child_name.data, form.child_dob.data, form.case_number.data)


def _results_page(form, ticked=None):
    """The search's results, audited: the exact matches ticked to export (unless `ticked`
    says which the officer had ticked), the possible ones not."""
    found = _find(form)
    audit.record("subject_access_searched", object_type="dispute", searched_by=found.how,
                 found=len(found.exact), disputes=[d.id for d in found.exact],
                 possible=[p.dispute.id for p in found.possible])
    data = subject_access.export(subject_access.load([d.id for d in found.exact]))
    ticked = found.chosen(ticked) if ticked is not None else [d.id for d in found.exact]
    return _search_page(form, found=found, counts=subject_access.counts(data),
                        ticked=set(ticked))


def _search_page(form, found=None, counts=None, ticked=()):
    return render_template("subject_access/search.html", form=form, found=found,
                           counts=counts, ticked=ticked)
