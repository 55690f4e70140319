"""Delivering the email outbox by SMTP, with retry, back-off and a dead-letter state.

Each message is its own unit of work, the one place outside the request and job boundaries
that commits (`_one_message`): it is claimed under a row lock that other deliverers skip
(PostgreSQL's SKIP LOCKED), sent, and marked sent in its own transaction. So overlapping
schedulers never send one twice, and a run that dies halfway keeps what it sent: one commit
for the whole run would forget, on a crash, every email the server had already taken, and the
next run would send them all again. If the process dies between the server taking an email and
the row being marked sent, only that one is sent again, with the same Message-ID, so mail
systems can drop the copy.

A run never stalls behind a bad server: it stops at the first failure that is the server's
rather than the message's (no connection, a timeout, a dropped connection, a refused login),
and when its time budget (MAIL_RUN_SECONDS) is spent. What it did not try stays due for the
next run, with no attempt counted.
"""

import hashlib
import re
import smtplib
import time
from datetime import timedelta
from email.message import EmailMessage as Email
from email.utils import format_datetime, parseaddr
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update

from moderation.extensions import db
from moderation.models import EmailMessage, EmailStatus
from moderation.models.types import utcnow
from moderation.notifications.kinds import KINDS
from moderation.web import audit
from moderation.web.boundary import commit_job

BACKOFF_MINUTES = (1, 5, 15, 60, 240)
BATCH = 50
# A run ends well inside the minute between runs, even if every email is slow.
RUN_SECONDS = 45
# A refusal of this message alone (its recipient, sender or content): the next may still go.
MESSAGE_REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                    smtplib.SMTPDataError)
SERVER_CLOSING = 421  # "service not available, closing channel", whatever the command
DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


def deliver(now=None):
    """Send what is due; return how many were sent, failed, kept, and left for the next run."""
    now = now or utcnow()
    if current_app.config["MAIL_DELIVERY"] != "smtp":
        kept = commit_job(lambda: db.session.execute(
            update(EmailMessage).where(EmailMessage.status == EmailStatus.PENDING)
            .values(status=EmailStatus.KEPT)).rowcount)
        return {"sent": 0, "failed": 0, "kept": kept, "deferred": 0}
    due = db.session.scalars(
        select(EmailMessage.id)
        .where(EmailMessage.status == EmailStatus.PENDING, EmailMessage.next_attempt_at <= now)
        .order_by(EmailMessage.next_attempt_at, EmailMessage.id).limit(BATCH)).all()
    counts = {"sent": 0, "failed": 0, "kept": 0, "deferred": len(due)}
    deadline = time.monotonic() + current_app.config.get("MAIL_RUN_SECONDS", RUN_SECONDS)
    for email_id in due:
        if time.monotonic() >= deadline:
            break
        counts["deferred"] -= 1
        outcome = _one_message(email_id, now)
        if outcome is not None:
            counts["sent" if outcome == "sent" else "failed"] += 1
        if outcome == "server failed":  # the rest would only wait out the same timeout
            break
    return counts


def _one_message(email_id, now):
    """One message's unit of work, committed on its own (see the module's docstring)."""
    return commit_job(lambda: _deliver_one(email_id, now))


def _deliver_one(email_id, now):
    """Try one email: "sent", "failed" (this message), "server failed", or None if taken."""
    message = db.session.scalars(
        select(EmailMessage).where(EmailMessage.id == email_id,
                                   EmailMessage.status == EmailStatus.PENDING)
        .with_for_update(skip_locked=True)).one_or_none()
    if message is None:  # another deliverer has it, or it was sent meanwhile
        return None
    message.attempts += 1
    try:
        send(message)
    except (smtplib.SMTPException, OSError) as error:
        _failed(message, error, now)
        return "server failed" if _servers_fault(error) else "failed"
    message.status = EmailStatus.SENT
    message.sent_at = utcnow()
    message.last_error = None
    return "sent"


def _failed(message, error, now):
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        message.status = EmailStatus.DEAD
    else:
        wait = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES)) - 1]
        message.next_attempt_at = now + timedelta(minutes=wait)


def _servers_fault(error):
    """Whether every email would fail the same way now: anything but a refusal of this one
    message (a timeout, no connection, a dropped connection, a failed login or STARTTLS), or
    a refusal in which the server says it is closing."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(code == SERVER_CLOSING for code, _ in error.recipients.values())
    if isinstance(error, MESSAGE_REFUSALS):
        return error.smtp_code == SERVER_CLOSING
    return True


def message_id(message):
    """The outbox email's Message-ID: the same for every copy of it and for no other email.
    Its key is hashed, because a key holds characters a Message-ID cannot (':') and record
    ids that are nobody else's business; BASE_URL goes into the hash so that two
    deployments sending from one mail domain never share an ID."""
    config = current_app.config
    seed = f"{config['BASE_URL']}\n{message.key}".encode()
    return f"<{hashlib.sha256(seed).hexdigest()[:32]}@{_domain()}>"


def _domain():
    config = current_app.config
    for candidate in (parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2],
                      urlsplit(config["BASE_URL"]).hostname):
        if candidate and DOT_ATOM.fullmatch(candidate):
            return candidate
    return "threshold-moderation.invalid"


def send(message):
    config = current_app.config
    email = Email()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    # RFC 5322 requires a Date; when the notification was written, so a resent copy is the same.
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message_id(message)
    kind = KINDS.get(message.kind)
    if kind is not None and kind.urgent:  # mail clients flag it, as the subject does
        email["Importance"] = "high"
        email["X-Priority"] = "1 (Highest)"
    email.set_content(message.body)
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_HOST"], config["MAIL_PORT"],
                    timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


def retry(message, actor):
    """An administrator sends a dead (or kept) email again."""
    message.status = EmailStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.last_error = None
    audit.record("email_retried", message, actor=actor)


def outbox(status=None, limit=200):
    statement = select(EmailMessage).order_by(EmailMessage.created_at.desc(),
                                              EmailMessage.id.desc()).limit(limit)
    if status:
        statement = statement.where(EmailMessage.status == status)
    return db.session.scalars(statement).all()
