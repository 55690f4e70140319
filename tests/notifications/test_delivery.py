"""Delivering the outbox against servers that misbehave: a copy resent after a crash carries the
same Message-ID, a silent or absent server costs one email's attempt (not a whole run of
timeouts), a refused recipient does not hold up the others, and a run keeps to its time
budget. The servers are real: aiosmtpd, or a bare TCP socket that never answers."""

import asyncio
import socket
import threading
from email import message_from_string, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from moderation.models import EmailMessage, EmailStatus
from moderation.models.types import utcnow
from moderation.notifications import delivery
from moderation.notifications.services import notify_many
from tests.helpers import Inbox, free_port


class RefusingInbox(Inbox):
    """Refuses the recipients in `refused` (550, as for an unknown mailbox)."""

    def __init__(self, refused):
        super().__init__()
        self.refused = refused

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class SlowInbox(Inbox):
    """Takes `seconds` over each message before accepting it."""

    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        await asyncio.sleep(self.seconds)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp_server(app):
    """Starts an aiosmtpd server with the given handler and points the app at it."""
    started = []

    def start(handler):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        app.config.update(MAIL_DELIVERY="smtp", MAIL_HOST="127.0.0.1", MAIL_PORT=controller.port)
        return handler

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def silent_server(app):
    """A TCP server on 127.0.0.1 that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    stop, held = threading.Event(), []

    def hold():
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    app.config.update(MAIL_DELIVERY="smtp", MAIL_HOST="127.0.0.1",
                      MAIL_PORT=listener.getsockname()[1], MAIL_TIMEOUT=1)
    yield held
    stop.set()
    thread.join()
    for connection in [*held, listener]:
        connection.close()


@pytest.fixture
def outbox(app, db, make_user):
    """Puts `count` due emails in the outbox, one per new user; returns their addresses."""

    def fill(count):
        users = [make_user("referrer") for _ in range(count)]
        with app.app_context():
            notify_many((user.id, f"test-{n}", "A decision", "/", "decision")
                        for n, user in enumerate(users))
            db.session.commit()
        return [user.email for user in users]

    return fill


def rows(db):
    return db.session.scalars(select(EmailMessage).order_by(EmailMessage.id)).all()


def parsed(inbox):
    return [message_from_string(text, policy=policy.default) for text in inbox.messages]


# Item 20: one Message-ID per outbox email, whatever happens --------------------------------


def test_a_resent_email_has_the_same_message_id_and_others_differ(
        app, db, outbox, smtp_server):
    inbox = smtp_server(Inbox())
    outbox(2)
    with app.app_context():
        assert delivery.deliver()["sent"] == 2
        # As if the process died after the server took the email and before it was marked
        # sent: the row is still pending, and the next run sends it again.
        first = rows(db)[0]
        first.status = EmailStatus.PENDING
        db.session.commit()
        assert delivery.deliver()["sent"] == 1
    one, other, again = parsed(inbox)
    assert one["Message-ID"] == again["Message-ID"] != other["Message-ID"]
    assert one["Date"] == again["Date"]  # RFC 5322 requires a Date; a copy is identical
    for email in (one, other):
        assert email["Message-ID"].endswith("@localhost>")  # MAIL_FROM's domain
        assert email["Message-ID"].defects == () and email["Date"].defects == ()
        assert "test-" not in email["Message-ID"]  # the key, hashed: it holds ':' and ids


def test_the_message_id_is_unique_to_the_deployment(app, db, outbox):
    outbox(1)
    with app.app_context():
        message = rows(db)[0]
        here = delivery.message_id(message)
        app.config["BASE_URL"] = "https://another-partnership.example.org"
        assert delivery.message_id(message) != here
        assert delivery.message_id(message) == delivery.message_id(message)


# Item 21: a run that cannot stall ---------------------------------------------------------


def test_a_silent_server_costs_one_attempt_and_the_rest_wait(app, db, outbox, silent_server):
    outbox(5)
    with app.app_context():
        now = utcnow()
        counts = delivery.deliver(now)
        tried, *waiting = rows(db)
    assert counts == {"sent": 0, "failed": 1, "kept": 0, "deferred": 4}
    assert (tried.attempts, tried.status) == (1, EmailStatus.PENDING)
    assert tried.next_attempt_at > now and "SMTPServerDisconnected" in tried.last_error
    assert [(row.attempts, row.last_error) for row in waiting] == [(0, None)] * 4
    assert all(row.next_attempt_at <= now for row in waiting)  # still due next run
    assert len(silent_server) == 1  # one connection, not five


def test_a_refused_connection_costs_one_attempt(app, db, outbox):
    app.config.update(MAIL_DELIVERY="smtp", MAIL_HOST="127.0.0.1", MAIL_PORT=free_port())
    outbox(3)
    with app.app_context():
        assert delivery.deliver()["deferred"] == 2
        assert [row.attempts for row in rows(db)] == [1, 0, 0]
        assert "ConnectionRefusedError" in rows(db)[0].last_error


def test_a_refused_recipient_does_not_stop_the_run(app, db, outbox, smtp_server):
    addresses = outbox(5)
    inbox = smtp_server(RefusingInbox(refused={addresses[1]}))
    with app.app_context():
        assert delivery.deliver() == {"sent": 4, "failed": 1, "kept": 0, "deferred": 0}
        refused = rows(db)[1]
        assert [row.attempts for row in rows(db)] == [1] * 5
        assert refused.status == EmailStatus.PENDING
        assert "SMTPRecipientsRefused" in refused.last_error
    assert sorted(email["To"] for email in parsed(inbox)) == sorted(
        address for address in addresses if address != addresses[1])


def test_a_run_keeps_to_its_time_budget_and_the_rest_go_next_run(
        app, db, outbox, smtp_server):
    inbox = smtp_server(SlowInbox(seconds=0.6))
    app.config["MAIL_RUN_SECONDS"] = 0.5  # spent by the first email
    outbox(3)
    with app.app_context():
        now = utcnow()
        assert delivery.deliver(now) == {"sent": 1, "failed": 0, "kept": 0, "deferred": 2}
        assert [row.attempts for row in rows(db)] == [1, 0, 0]
        inbox.seconds, app.config["MAIL_RUN_SECONDS"] = 0, 45
        assert delivery.deliver(now)["sent"] == 2
        assert [(row.status, row.attempts) for row in rows(db)] == [("sent", 1)] * 3
    assert len(inbox.messages) == 3
