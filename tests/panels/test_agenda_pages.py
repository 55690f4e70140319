"""The chair builds and freezes an agenda; members then read the papers (rule 12)."""

import pytest
import sqlalchemy as sa

from moderation.models import AgendaItem
from tests.conftest import banners, error_summary, heading, page, post, sign_in, url

pytestmark = pytest.mark.usefixtures("on_a_monday")  # the clock at 09:00 on 23 November 2026


@pytest.fixture
def queued(queue_disputes):
    return lambda count: queue_disputes(*({} for _ in range(count)))


def items(app, session_id):
    with app.app_context():
        return app.extensions["sqlalchemy"].session.scalars(
            sa.select(AgendaItem.dispute_id).where(AgendaItem.session_id == session_id)
            .order_by(AgendaItem.position)).all()


def test_the_chair_fills_reorders_and_freezes_the_agenda(app, client, signed_in, queued,
                                                         make_session):
    signed_in("chair", seat="chair")
    first, second, third = queued(3)
    session = make_session(capacity=2)
    builder = url(app, "panels.agenda_builder", session_id=session)
    response = post(client, builder, {"action": "fill"}, follow_redirects=True)
    assert "2 disputes added from the queue." in banners(response)
    assert "1 waiting dispute does not fit on this agenda" in page(response).get_text(" ")
    item = page(response).select_one("button[value^='down:']")["value"]
    response = post(client, builder, {"action": item}, follow_redirects=True)
    assert "The agenda has been reordered." in banners(response)
    assert items(app, session) == [second, first]
    response = post(client, builder, {"action": "freeze"}, follow_redirects=True)
    assert "The agenda is frozen." in banners(response)[0]
    assert not page(response).select("button[value='fill']")


def test_agenda_mistakes_are_explained(app, client, signed_in, queued, make_session):
    signed_in("chair", seat="chair")
    queued(1)
    session = make_session(capacity=1)
    builder = url(app, "panels.agenda_builder", session_id=session)
    response = post(client, builder, {"action": "fill"}, follow_redirects=True)
    item = page(response).select_one("button[value^='minutes:']")["value"].split(":")[1]
    response = post(client, builder, {"action": f"minutes:{item}", f"minutes-{item}": "lots"})
    assert error_summary(response) == ["Enter the time as a whole number of minutes"]
    response = post(client, builder, {"action": f"minutes:{item}", f"minutes-{item}": "500"})
    assert error_summary(response) == ["The time must be between 5 and 120 minutes"]


def test_only_the_pressed_button_s_time_is_checked(app, client, signed_in, queued, make_session):
    signed_in("chair", seat="chair")
    first, second = queued(2)
    session = make_session(capacity=2)
    builder = url(app, "panels.agenda_builder", session_id=session)
    response = post(client, builder, {"action": "fill"}, follow_redirects=True)
    up, down = [button["value"] for button in page(response).select("button[value^='down:']")]
    boxes = {box["name"]: "lots" for box in page(response).select("input[name^='minutes-']")}
    response = post(client, builder, {"action": up, **boxes}, follow_redirects=True)
    assert "The agenda has been reordered." in banners(response)
    assert items(app, session) == [second, first]


def test_a_nonsense_button_is_a_bad_request_not_an_error(app, client, signed_in, make_session):
    signed_in("chair", seat="chair")
    session = make_session()
    builder = url(app, "panels.agenda_builder", session_id=session)
    response = post(client, builder, {"action": "explode:99"})
    assert response.status_code == 400


def test_members_read_the_papers_only_once_the_agenda_is_frozen(app, client, make_user,
                                                                 make_member, queued,
                                                                 make_session):
    (dispute,) = queued(1)
    session = make_session()
    builder = url(app, "panels.agenda_builder", session_id=session)
    chair = app.test_client()
    chair_user = make_user("chair")
    make_member(chair_user, role="chair")
    sign_in(chair, chair_user)
    post(chair, builder, {"action": "fill"})
    (item,) = _item_ids(app, session)
    papers_of_item = url(app, "papers.item", session_id=session, item_id=item)
    member = make_user("panel_member")
    make_member(member)
    sign_in(client, member)
    assert client.get(papers_of_item).status_code == 404
    assert client.get(url(app, "disputes.show", dispute_id=dispute)).status_code == 404
    post(chair, builder, {"action": "freeze"})
    papers = client.get(papers_of_item)
    assert heading(papers).startswith("Dispute D-2026-")
    assert "Amelia Jones" in papers.text
    outsider = app.test_client()
    sign_in(outsider, make_user("panel_member"))  # has the role but does not sit on the panel
    assert outsider.get(papers_of_item).status_code == 404


def _item_ids(app, session_id):
    with app.app_context():
        return app.extensions["sqlalchemy"].session.scalars(
            sa.select(AgendaItem.id).where(AgendaItem.session_id == session_id)).all()
