"""Minutes pages: read and download every version; the chair edits the draft, approves it and
starts corrections."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from moderation.meeting import minutes
from moderation.meeting.forms import CorrectionForm, MinutesForm
from moderation.meeting.views import bp  # one blueprint for the meeting and its minutes
from moderation.models import AgendaItem, MinutesStatus, PanelSession
from moderation.web import audit
from moderation.web.access import permits
from moderation.web.boundary import on_refusal
from moderation.web.permissions import record_or_404

# The minutes page names each item's summary by its dispute's reference.
MINUTES_PAGE = (selectinload(PanelSession.agenda).joinedload(AgendaItem.dispute),)


def _page(session, problems=(), minutes_form=None, correction_form=None):
    found = minutes.versions(session)
    current = found[-1] if found else None
    if minutes_form is None and current is not None:
        minutes_form = MinutesForm.for_draft(current, formdata=None)
    return render_template("meeting/minutes.html", session=session, versions=found,
                           current=current, problems=list(problems), minutes_form=minutes_form,
                           correction_form=correction_form or CorrectionForm(formdata=None),
                           summaries={str(i.id): i for i in session.agenda})


def _back(session, message):
    flash(message, "success")
    return redirect(url_for("meeting.minutes_page", session_id=session.id))


@bp.route("/<int:session_id>/minutes")
@permits("minutes.read")
def minutes_page(session_id):
    return _page(record_or_404(PanelSession, session_id, "minutes.read", *MINUTES_PAGE))


@bp.route("/<int:session_id>/minutes/<any(save, approve, correct):action>", methods=["POST"])
@permits("minutes.change")
def minutes_step(session_id, action):
    session = record_or_404(PanelSession, session_id, "minutes.change", *MINUTES_PAGE)
    current = minutes.latest(session)
    if current is None:
        abort(404)
    if action == "correct":
        form = CorrectionForm()
        on_refusal(lambda problems: _page(session, problems, correction_form=form))
        draft = minutes.correct(session, current_user, form.change_note.data)
        return _back(session, f"Version {draft.version} is a draft correction. Edit it, then "
                              "approve it.")
    form = MinutesForm.for_draft(current)
    on_refusal(lambda problems: _page(session, problems, minutes_form=form))
    minutes.edit(current, current_user, form.texts())
    if action == "save":
        return _back(session, "The draft minutes have been saved.")
    minutes.approve(session, current, current_user)
    return _back(session, f"Version {current.version} of the minutes is approved and locked.")


@bp.route("/<int:session_id>/minutes/v<int:version>.pdf")
@permits("minutes.read")
def minutes_pdf(session_id, version):
    session = record_or_404(PanelSession, session_id, "minutes.read")
    chosen = next((v for v in minutes.versions(session) if v.version == version), None)
    if chosen is None:
        abort(404)
    body = minutes.pdf_bytes(session, chosen)
    audit.record("minutes_downloaded", chosen, session=session.id, version=version)
    state = "approved" if chosen.status == MinutesStatus.APPROVED else "draft"
    name = f"panel-minutes-{session.held_on}-v{version}-{state}.pdf"
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={name}"})
