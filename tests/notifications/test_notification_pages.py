"""The notifications list, its count in the menu, and the email settings page."""

import sqlalchemy as sa

from moderation.models import EmailPreference
from moderation.notifications import services
from tests.conftest import banners, page, post, url


def menu(response):
    return [link.get_text(strip=True)
            for link in page(response).select(".govuk-service-navigation__list a")]


def test_the_menu_counts_unread_notifications_until_they_are_read(app, db, client, signed_in):
    user = signed_in("referrer")
    with app.app_context():
        services.notify(user.id, "test", "A decision is ready", link="/")
        db.session.commit()
    assert "Notifications (1 new)" in menu(client.get(url(client, "notifications.index")))
    response = post(client, url(client, "notifications.mark_read"), follow_redirects=True)
    assert "All notifications are marked as read." in banners(response)
    assert "Notifications" in menu(response)


def test_past_ninety_nine_unread_the_menu_says_99_plus(app, db, client, signed_in):
    """A CSC manager told of every dispute raised holds thousands: the count stops at 100."""
    user = signed_in("csc_manager")
    with app.app_context():
        for n in range(services.MOST_COUNTED + 5):
            services.notify(user.id, f"test-{n}", f"Dispute {n} has been raised", link="/")
        db.session.commit()
        assert services.unread_count(user) == services.MOST_COUNTED
    assert "Notifications (99+ new)" in menu(client.get(url(client, "notifications.index")))


def test_email_settings_offer_the_optional_emails_and_save_the_choice(app, db, client,
                                                                      signed_in):
    user = signed_in("panel_member")
    settings = url(client, "notifications.settings")
    boxes = page(client.get(settings)).select("input[type='checkbox'][name='email']")
    offered = {box["value"] for box in boxes}
    assert "papers_ready" in offered and "decision" not in offered  # decisions are required
    assert all(box.has_attr("checked") for box in boxes)  # every email, until they choose
    response = post(client, settings, {"email": ["papers_ready"]}, follow_redirects=True)
    assert "Your email choices have been saved." in banners(response)
    checked = {box["value"] for box in page(response).select("input[name='email'][checked]")}
    assert checked == {"papers_ready"}
    with app.app_context():
        assert services.wants_email(user.id, "papers_ready")
        assert not services.wants_email(user.id, "session_reminder")
        assert services.wants_email(user.id, "decision")  # required by policy: always on
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailPreference)) == (
            len(offered))


def test_the_notifications_page_runs_the_same_queries_for_one_or_many(app, db, client,
                                                                      signed_in):
    """Issue #27: the list is one query however many notifications it shows."""
    from tests.helpers import counting_queries

    user = signed_in("referrer")
    index = url(client, "notifications.index")
    counts = []
    for numbers in (range(1), range(1, 30)):
        with app.app_context():
            for number in numbers:
                services.notify(user.id, f"test-{number}", f"Notice {number}", link="/")
            db.session.commit()
        with counting_queries(app) as queries:
            response = client.get(index)
        counts.append(queries["n"])
    assert "Notice 29" in response.text
    assert counts[0] == counts[1]
