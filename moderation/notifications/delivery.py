"""Delivering the email outbox by SMTP, with retry, back-off and a dead-letter state.

Each message is claimed under a row lock that other deliverers skip (PostgreSQL's SKIP LOCKED),
then marked sent in its own transaction, so overlapping schedulers never send one twice. If the
process dies between the server taking an email and the row being marked sent, the next run
sends it again with the same Message-ID, so mail systems can drop the copy.
"""

import hashlib
import re
import smtplib
from datetime import timedelta
from email.message import EmailMessage as Email
from email.utils import format_datetime, parseaddr
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update

from moderation import audit
from moderation.extensions import db
from moderation.models import EmailMessage, EmailStatus
from moderation.models.types import utcnow

BACKOFF_MINUTES = (1, 5, 15, 60, 240)
BATCH = 50
DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


def deliver(now=None):
    """Send what is due; return how many were sent and how many failed this time."""
    now = now or utcnow()
    if current_app.config["MAIL_DELIVERY"] != "smtp":
        kept = db.session.execute(update(EmailMessage)
                                  .where(EmailMessage.status == EmailStatus.PENDING)
                                  .values(status=EmailStatus.KEPT)).rowcount
        db.session.commit()
        return {"sent": 0, "failed": 0, "kept": kept}
    due = db.session.scalars(
        select(EmailMessage.id)
        .where(EmailMessage.status == EmailStatus.PENDING, EmailMessage.next_attempt_at <= now)
        .order_by(EmailMessage.next_attempt_at, EmailMessage.id).limit(BATCH)).all()
    counts = {"sent": 0, "failed": 0, "kept": 0}
    for message_id in due:
        outcome = _deliver_one(message_id, now)
        if outcome:
            counts[outcome] += 1
        db.session.commit()
    return counts


def _deliver_one(message_id, now):
    message = db.session.scalars(
        select(EmailMessage).where(EmailMessage.id == message_id,
                                   EmailMessage.status == EmailStatus.PENDING)
        .with_for_update(skip_locked=True)).one_or_none()
    if message is None:  # another deliverer has it, or it was sent meanwhile
        return None
    message.attempts += 1
    try:
        send(message)
    except (smtplib.SMTPException, OSError) as error:
        message.last_error = f"{type(error).__name__}: {error}"[:500]
        if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            message.status = EmailStatus.DEAD
        else:
            wait = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES)) - 1]
            message.next_attempt_at = now + timedelta(minutes=wait)
        return "failed"
    message.status = EmailStatus.SENT
    message.sent_at = utcnow()
    message.last_error = None
    return "sent"


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
