"""Minutes pages: read and download every version; the chair edits the draft, approves it and
starts corrections."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from moderation.extensions import db
from moderation.meeting import minutes
from moderation.meeting.register import MeetingError
from moderation.meeting.views import bp  # one blueprint for the meeting and its minutes
from moderation.models import MinutesStatus, PanelSession, Role
from moderation.panels.permissions import require, session_access
from moderation.web import audit
from moderation.web.access import roles_required

READERS = (Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER)


def _session(session_id, chairing=False):
    """The session, if the user may read its minutes (or, `chairing`, run them: rule 12)."""
    session = db.session.get(PanelSession, session_id)
    if session is None:
        abort(404)
    access = session_access(current_user, session)
    require(access.runs_meeting if chairing else access.case_detail)
    return session


def _page(session, problems=(), change_note=""):
    found = minutes.versions(session)
    return render_template("meeting/minutes.html", session=session, versions=found,
                           current=found[-1] if found else None, problems=list(problems),
                           change_note=change_note, Status=MinutesStatus,
                           summaries={str(i.id): i for i in session.agenda},
                           access=session_access(current_user, session),
                           limit=minutes.TEXT_LIMIT)


@bp.route("/<int:session_id>/minutes")
@roles_required(*READERS)
def minutes_page(session_id):
    return _page(_session(session_id))


@bp.route("/<int:session_id>/minutes/<any(save, approve, correct):action>", methods=["POST"])
@roles_required(Role.CHAIR)
def minutes_step(session_id, action):
    session = _session(session_id, chairing=True)
    current = minutes.latest(session)
    if current is None:
        abort(404)
    try:
        message = _run(action, session, current)
    except MeetingError as error:
        db.session.rollback()
        return _page(_session(session_id), [{"text": str(error), "href": f"#{error.field}"}],
                     change_note=request.form.get("change_note", ""))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("meeting.minutes_page", session_id=session.id))


def _run(step, session, current):
    if step == "save":
        minutes.edit(current, current_user, _texts(request.form, current))
        return "The draft minutes have been saved."
    if step == "approve":
        minutes.edit(current, current_user, _texts(request.form, current))
        minutes.approve(session, current, current_user)
        return f"Version {current.version} of the minutes is approved and locked."
    draft = minutes.correct(session, current_user, request.form.get("change_note"))
    return f"Version {draft.version} is a draft correction. Edit it, then approve it."


def _texts(form, current):
    return {"opening": form.get("opening"), "closing": form.get("closing"),
            "items": {key: form.get(f"item-{key}") for key in current.texts.get("items", {})}}


@bp.route("/<int:session_id>/minutes/v<int:version>.pdf")
@roles_required(*READERS)
def minutes_pdf(session_id, version):
    session = _session(session_id)
    chosen = next((v for v in minutes.versions(session) if v.version == version), None)
    if chosen is None:
        abort(404)
    body = minutes.pdf_bytes(session, chosen)
    audit.record("minutes_downloaded", chosen, session=session.id, version=version)
    db.session.commit()
    state = "approved" if chosen.status == MinutesStatus.APPROVED else "draft"
    name = f"panel-minutes-{session.held_on}-v{version}-{state}.pdf"
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={name}"})
