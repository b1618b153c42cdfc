"""Notifications: who is told what, once, and the email outbox.

`notify` writes a row in the caller's transaction under a key naming the cause; a second
call with the same key does nothing (INSERT … ON CONFLICT DO NOTHING on both engines), so
sweeps may run twice or side by side. Emails go out from the outbox (`send_pending`) after
the cause has committed: each row is claimed (FOR UPDATE SKIP LOCKED on PostgreSQL) and
marked `sending` in its own committed step before the SMTP call, so two senders never
send the same row; a failure puts it back to `pending` for a retry, up to MAX_ATTEMPTS.
Texts carry the case number and a link, never a person's identity.
"""

import smtplib
from collections.abc import Iterable
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import policy, timeutil
from ..extensions import db
from ..models import Case, Notification, User

MAX_ATTEMPTS = 5
# A row left `sending` this long (the sender died mid-way) is offered again.
STALE_CLAIM = timedelta(minutes=10)


def notify(
    user: User, key: str, kind: str, subject: str, body: str = "", case: Case | None = None
) -> bool:
    """Tell `user`, once per `key`. Returns True if this call created the notification."""
    if user is None or not user.active:
        return False
    email = "pending" if user.email and user.notify_mode == "immediate" else "none"
    if case is not None:
        # What reaches the inbox, the email and the digest is read as the case's free
        # text: redacted for a recipient who may not see the case's identities.
        subject = policy.redact_text(user, case, subject)
        body = policy.redact_text(user, case, body)
    values = {
        "key": key,
        "user_id": user.id,
        "case_id": case.id if case is not None else None,
        "kind": kind,
        "subject": subject[:200],
        "body": body,
        "link": f"/cases/{case.id}" if case is not None else None,
        "created_at": timeutil.now(),
        "email_status": email,
        "email_attempts": 0,
    }
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Notification)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Notification.id)
    )
    # RETURNING, not rowcount: an ORM-enabled INSERT on psycopg reports rowcount 0 even
    # when it inserted. A conflict returns no row.
    return db.session.execute(statement).scalar() is not None


def notify_all(
    users: Iterable[User], key: str, kind: str, subject: str, body: str = "", case=None
) -> int:
    """The same message to several people, each once (the key gets the user's id)."""
    return sum(notify(u, f"{key}:u{u.id}", kind, subject, body, case) for u in users)


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def inbox(user: User, limit: int = 100) -> list[Notification]:
    return db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if ids is not None:
        query = query.where(Notification.id.in_(list(ids)))
    return db.session.execute(query.values(read_at=timeutil.now())).rowcount


# --- email -----------------------------------------------------------------------------


def _message(notification: Notification) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["SMTP_FROM"]
    message["To"] = notification.user.email
    message["Subject"] = notification.subject
    link = f"{config['BASE_URL'].rstrip('/')}{notification.link}" if notification.link else ""
    message.set_content("\n\n".join(p for p in (notification.body, link) if p))
    return message


def _smtp():
    config = current_app.config
    client = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30)
    if config["SMTP_STARTTLS"]:
        client.starttls()
    if config["SMTP_USER"]:
        client.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
    return client


def _claim(limit: int) -> list[int]:
    """Take up to `limit` rows to send and mark them `sending`, committed, so no other
    sender takes them."""
    now = timeutil.now()
    ids = db.session.scalars(
        select(Notification.id)
        .where(
            (Notification.email_status == "pending")
            | (
                (Notification.email_status == "sending")
                & (Notification.email_claimed_at < now - STALE_CLAIM)
            )
        )
        .order_by(Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if ids:
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(ids))
            .values(email_status="sending", email_claimed_at=now)
        )
    db.session.commit()
    return ids


def send_pending(limit: int = 100) -> int:
    """Send the outbox. Returns how many emails went out. Commits as it goes."""
    if not current_app.config.get("SMTP_HOST"):
        return 0
    ids = _claim(limit)
    if not ids:
        return 0
    sent = 0
    try:
        client = _smtp()
    except (OSError, smtplib.SMTPException) as exc:
        _release(ids, str(exc))
        return 0
    try:
        for notification_id in ids:
            notification = db.session.get(Notification, notification_id)
            try:
                client.send_message(_message(notification))
            except (OSError, smtplib.SMTPException) as exc:
                _release([notification_id], str(exc))
                continue
            notification.email_status = "sent"
            notification.email_sent_at = timeutil.now()
            notification.email_attempts += 1
            db.session.commit()
            sent += 1
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return sent


def _release(ids: list[int], error: str) -> None:
    """A failed send goes back to the outbox, until it has failed MAX_ATTEMPTS times."""
    for notification in db.session.scalars(select(Notification).where(Notification.id.in_(ids))):
        notification.email_attempts += 1
        notification.email_error = error[:500]
        notification.email_status = (
            "failed" if notification.email_attempts >= MAX_ATTEMPTS else "pending"
        )
    db.session.commit()
