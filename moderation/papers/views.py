"""The papers pages, the papers pack, the chair's notes and guests."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from moderation.disputes import clock, queries
from moderation.disputes.documents import services as documents
from moderation.models import AgendaItem, Conflict, ItemGuest, PanelSession
from moderation.panels import agenda
from moderation.papers import guests, notes, pack, permissions  # noqa: F401 (its rules)
from moderation.papers.forms import GuestForm, NotesForm
from moderation.web import audit
from moderation.web.access import permits
from moderation.web.boundary import on_refusal
from moderation.web.forms import id_from
from moderation.web.permissions import can, record_or_404

bp = Blueprint("papers", __name__, url_prefix="/sessions")

# One item's papers: its session (and how many items it has), its dispute in full, the conflicts
# declared on it, its guests and the chair's notes.
ITEM_PAPERS = (
    joinedload(AgendaItem.session).selectinload(PanelSession.agenda),
    joinedload(AgendaItem.dispute).options(*queries.DETAIL),
    selectinload(AgendaItem.conflicts).joinedload(Conflict.member),
    selectinload(AgendaItem.guests).joinedload(ItemGuest.user),
    selectinload(AgendaItem.note),
)
# The chair's pages for an item: its session, dispute reference and guests.
ITEM_BRIEF = (
    joinedload(AgendaItem.session), joinedload(AgendaItem.dispute),
    selectinload(AgendaItem.guests).joinedload(ItemGuest.user), selectinload(AgendaItem.note),
)


def _item(session_id, item_id, action, *options):
    """The agenda item of this session, if the user may take `action` on it ("Page not found"
    otherwise, as if it did not exist)."""
    item = record_or_404(AgendaItem, item_id, action, *options)
    if item.session_id != session_id:
        abort(404)
    return item


# One item's papers -----------------------------------------------------------------------------


@bp.route("/<int:session_id>/papers/<int:item_id>")
@permits("item.papers")
def item(session_id, item_id):
    item = _item(session_id, item_id, "item.papers", *ITEM_PAPERS)
    panel_session = item.session
    audit.record("dispute_viewed", item.dispute, page="papers", session=panel_session.id)
    # A guest reads as a guest, even one who might read the session's papers another way later.
    reads_papers = can(current_user, "papers.read", panel_session)
    guest = None if reads_papers else guests.invited(current_user, item)
    return render_template("papers/item.html", session=panel_session, item=item,
                           dispute=item.dispute, clock=clock.clock,
                           documents=documents.listed(item.dispute),
                           conflicted=agenda.declared_conflict(item, current_user), guest=guest)


# The papers pack and the agenda ----------------------------------------------------------------


@bp.route("/<int:session_id>/papers.pdf")
@permits("papers.pack")
def pack_pdf(session_id):
    panel_session = record_or_404(PanelSession, session_id, "papers.pack", *pack.PACK)
    body = pack.pack_pdf(panel_session, current_user)
    audit.record("papers_pack_downloaded", panel_session, items=len(panel_session.agenda))
    return _pdf(body, f"panel-papers-{panel_session.held_on}.pdf")


@bp.route("/<int:session_id>/agenda.pdf")
@permits("agenda.print")
def agenda_pdf(session_id):
    panel_session = record_or_404(PanelSession, session_id, "agenda.print", *pack.AGENDA)
    body = pack.agenda_pdf(panel_session, current_user)
    audit.record("agenda_printed", panel_session)
    return _pdf(body, f"panel-agenda-{panel_session.held_on}.pdf")


def _pdf(body, name):
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


# The chair's private notes ---------------------------------------------------------------------


@bp.route("/<int:session_id>/items/<int:item_id>/notes", methods=["GET", "POST"])
@permits("item.notes")
def notes_page(session_id, item_id):
    item = _item(session_id, item_id, "item.notes", *ITEM_BRIEF)
    form = NotesForm(data={"text": item.note.text if item.note else ""})
    page = lambda problems=(): _notes_page(item, form)  # noqa: E731
    on_refusal(page, form, field="text")
    if not form.validate_on_submit():
        return page()
    notes.save(item, current_user, form.text.data)
    flash("Your private notes have been saved.", "success")
    return redirect(url_for("papers.item", session_id=item.session_id, item_id=item.id))


def _notes_page(item, form):
    audit.record("item_notes_viewed", item)
    return render_template("papers/notes.html", session=item.session, item=item, form=form)


# Guests ----------------------------------------------------------------------------------------


@bp.route("/<int:session_id>/items/<int:item_id>/guests", methods=["GET", "POST"])
@permits("item.invite_guest")
def guests_page(session_id, item_id):
    item = _item(session_id, item_id, "item.invite_guest", *ITEM_BRIEF)
    form = GuestForm()
    page = lambda problems=(): _guests_page(item, form)  # noqa: E731
    on_refusal(page, form, field="email")
    if not form.validate_on_submit():
        return page()
    guest = guests.invite(item, current_user, form.email.data, form.purpose.data)
    flash(f"{guest.user.name} is invited to item {item.position} and has been told.", "success")
    return redirect(url_for("papers.guests_page", session_id=item.session_id, item_id=item.id))


def _guests_page(item, form):
    return render_template("papers/guests.html", session=item.session, item=item, form=form)


@bp.route("/<int:session_id>/items/<int:item_id>/guests/remove", methods=["POST"])
@permits("item.remove_guest")
def remove_guest(session_id, item_id):
    item = _item(session_id, item_id, "item.remove_guest", *ITEM_BRIEF)
    guest_id = id_from(request.form, "guest_id")
    guest = next((g for g in item.guests if g.id == guest_id), None)
    if guest is None:
        abort(404)
    name = guest.user.name
    guests.remove(item, guest, current_user)
    flash(f"{name} is no longer invited to item {item.position}.", "success")
    return redirect(url_for("papers.guests_page", session_id=item.session_id, item_id=item.id))
