"""Who may read an item's papers, the papers pack and the agenda, keep the chair's notes and
invite guests (rule 12: per record, never by role alone)."""

from moderation.models import AgendaItem, PanelSession, Role
from moderation.panels.permissions import SESSION_PAGES, session_access
from moderation.papers import guests, notes
from moderation.web.permissions import can, may, rule


@rule("item.papers", on=AgendaItem)
def may_read_item(user, item):
    """One item's papers: those who may read the session's papers and the dispute, and a guest
    of this item from the freeze until the meeting ends."""
    panel_session = item.session
    if can(user, "papers.read", panel_session) and can(user, "dispute.read", item.dispute):
        return True
    return panel_session.meeting_ahead and guests.invited(user, item) is not None


@rule("papers.pack", Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER, on=PanelSession)
def may_download_pack(user, panel_session):
    """The papers pack of a frozen agenda: its members and partnership managers."""
    return session_access(user, panel_session).papers


@rule("agenda.print", *SESSION_PAGES, on=PanelSession)
def may_print_agenda(user, panel_session):
    """The agenda alone, once frozen: the session's chair and deputy chair now, and partnership
    managers."""
    access = session_access(user, panel_session)
    return access.opened and (access.chairs or access.oversees)


@rule("item.notes", *SESSION_PAGES, on=AgendaItem)
def may_keep_notes(user, item):
    """The chair's private notes: the session's chair and deputy chair, from the freeze until
    the minutes are approved."""
    return may(notes.why_not_keep_notes(user, item))


@rule("item.invite_guest", *SESSION_PAGES, on=AgendaItem)
def may_invite_guest(user, item):
    """The session's chair invites a guest to one item, until the meeting closes."""
    return may(guests.why_not_invite(user, item))


@rule("item.remove_guest", Role.CHAIR, on=AgendaItem)
def may_remove_guest(user, item):
    """A guest can be taken off an item before the meeting starts."""
    return may(guests.why_not_remove(user, item))
