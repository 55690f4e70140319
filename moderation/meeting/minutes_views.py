"""Minutes pages: read and download every version; members present comment on a circulated
draft; the chair edits the draft beside the comments, approves it after a confirmation step and
starts corrections."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from moderation.meeting import minutes
from moderation.meeting.blueprint import bp  # one blueprint for the meeting and its minutes
from moderation.meeting.forms import ApproveForm, CommentForm, CorrectionForm, MinutesForm
from moderation.models import AgendaItem, MinutesStatus, PanelSession
from moderation.web import audit
from moderation.web.access import permits
from moderation.web.boundary import on_refusal, refuse_unless_valid
from moderation.web.permissions import record_or_404, require

# The minutes page names each item's summary by its dispute's reference.
MINUTES_PAGE = (selectinload(PanelSession.agenda).joinedload(AgendaItem.dispute),)


def _page(panel_session, problems=(), minutes_form=None, correction_form=None, comment_form=None):
    found = minutes.versions(panel_session, *minutes.COMMENTS)
    current = found[-1] if found else None
    if minutes_form is None and current is not None:
        minutes_form = MinutesForm.for_draft(current, formdata=None)
    return render_template("meeting/minutes.html", session=panel_session, versions=found,
                           current=current, problems=list(problems), minutes_form=minutes_form,
                           correction_form=correction_form or CorrectionForm(formdata=None),
                           comment_form=comment_form or CommentForm(formdata=None),
                           comments_closed=current and minutes.comments_closed(current),
                           summaries={str(i.id): i for i in panel_session.agenda})


def _back(panel_session, message):
    flash(message, "success")
    return redirect(url_for("meeting.minutes_page", session_id=panel_session.id))


def _version_or_404(panel_session, number, action):
    """The session's version `number`, if the signed-in user may take `action` on it."""
    found = minutes.version_of(panel_session, number, *minutes.COMMENTS)
    return require(current_user, action, found)


@bp.route("/<int:session_id>/minutes")
@permits("minutes.read")
def minutes_page(session_id):
    panel_session = record_or_404(PanelSession, session_id, "minutes.read", *MINUTES_PAGE)
    response = _page(panel_session)
    audit.record("minutes_viewed", panel_session)
    return response


@bp.route("/<int:session_id>/minutes/<any(save, approve, correct):action>", methods=["POST"])
@permits("minutes.change")
def minutes_step(session_id, action):
    panel_session = record_or_404(PanelSession, session_id, "minutes.change", *MINUTES_PAGE)
    current = minutes.latest(panel_session)
    if current is None:
        abort(404)
    if action == "correct":
        form = CorrectionForm()
        on_refusal(lambda problems: _page(panel_session, problems, correction_form=form))
        refuse_unless_valid(form)
        draft = minutes.correct(panel_session, current_user, form.change_note.data)
        return _back(panel_session, f"Version {draft.version} is a draft correction, circulated to "
                              "the members present for comment. Edit it, then approve it.")
    form = MinutesForm.for_draft(current)
    on_refusal(lambda problems: _page(panel_session, problems, minutes_form=form))
    refuse_unless_valid(form)
    minutes.edit(current, current_user, form.texts())
    if action == "save":
        return _back(panel_session, "The draft minutes have been saved.")
    # Saved: approving is a step of its own, confirmed on the next page.
    return redirect(url_for("meeting.minutes_approve", session_id=panel_session.id,
                            version=current.version))


@bp.route("/<int:session_id>/minutes/<int:version>/comments", methods=["POST"])
@permits("minutes.comment")
def minutes_comment(session_id, version):
    panel_session = record_or_404(PanelSession, session_id, "minutes.read", *MINUTES_PAGE)
    chosen = _version_or_404(panel_session, version, "minutes.comment")
    form = CommentForm()
    on_refusal(lambda problems: _page(panel_session, problems, comment_form=form), form)
    refuse_unless_valid(form)
    minutes.comment(panel_session, chosen, current_user, form.text.data)
    return _back(panel_session, "Your comment has been added. The chair reads it beside the draft.")


def _confirmation(panel_session, version, problems=()):
    return render_template("meeting/minutes_approve.html", session=panel_session, version=version,
                           warnings=minutes.approval_warnings(version), problems=list(problems),
                           form=ApproveForm(formdata=None))


@bp.route("/<int:session_id>/minutes/<int:version>/approve", methods=["GET", "POST"])
@permits("minutes.approve")
def minutes_approve(session_id, version):
    panel_session = record_or_404(PanelSession, session_id, "minutes.change", *MINUTES_PAGE)
    chosen = _version_or_404(panel_session, version, "minutes.approve")
    form = ApproveForm()
    if not form.is_submitted():
        audit.record("minutes_viewed", panel_session, version=version, page="approve")
        return _confirmation(panel_session, chosen)
    on_refusal(lambda problems: _confirmation(panel_session, chosen, problems))
    if not (form.validate() and form.confirm.data):
        return _confirmation(panel_session, chosen, [{
            "text": f"Select 'Approve version {version}' to approve the minutes",
            "href": "#approve"}])
    minutes.approve(panel_session, chosen, current_user)
    return _back(panel_session, f"Version {chosen.version} of the minutes is approved and locked. "
                          "The members present have been told.")


@bp.route("/<int:session_id>/minutes/v<int:version>.pdf")
@permits("minutes.read")
def minutes_pdf(session_id, version):
    panel_session = record_or_404(PanelSession, session_id, "minutes.read")
    chosen = next((v for v in minutes.versions(panel_session) if v.version == version), None)
    if chosen is None:
        abort(404)
    body = minutes.pdf_bytes(panel_session, chosen)
    audit.record("minutes_downloaded", chosen, session=panel_session.id, version=version)
    state = "approved" if chosen.status == MinutesStatus.APPROVED else "draft"
    name = f"panel-minutes-{panel_session.held_on}-v{version}-{state}.pdf"
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={name}"})
