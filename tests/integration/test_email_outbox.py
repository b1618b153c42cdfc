"""The email outbox against a real SMTP server on loopback (aiosmtpd): committed
notifications are sent once, rolled-back ones never; a server that is down delays mail
but never loses it; digest users get one email a day (architecture rule 7; the outbox in
caseflow/services/notifications.py).
"""

import socket
import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from flask import current_app
from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import Notification
from caseflow.services import digest, notifications, sweeps
from caseflow.services.notifications import MAX_ATTEMPTS, STALE_CLAIM, send_pending
from tests.conftest import postgres_only, user
from tests.integration.test_dv_deadlines import clock, issue_warning, local, log_call

TIMEOUT = 20
VICTIM_NAME, VICTIM_PHONE = "李秀英", "13800000002"  # in call_data()
ABUSER_NAME = "王建国"
BASE_URL = "https://caseflow.example.cn"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A loopback SMTP server that can be stopped and started again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.handler = Collector()
        self.controller = None

    def start(self):
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=TIMEOUT
        )
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)


@pytest.fixture
def smtp(clean):
    """The app's SMTP_* pointed at a fresh loopback server (restored afterwards)."""
    server = SmtpServer()
    keys = ("SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS")
    saved = {k: clean.config[k] for k in (*keys, "SMTP_FROM", "BASE_URL")}
    clean.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=server.port,
        SMTP_USER="",
        SMTP_PASSWORD="",
        SMTP_STARTTLS=False,
        SMTP_FROM="caseflow@example.cn",
        BASE_URL=BASE_URL,
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
        clean.config.update(saved)


def with_email(username: str, mode: str = "immediate"):
    person = user(username)
    person.email = f"{username}@example.cn"
    person.notify_mode = mode
    db.session.commit()
    return person


def warned_case():
    """A DV warning issued on Monday 2026-11-02: deliver_due opens, handled by the police."""
    case = log_call(local(2026, 11, 2, 9, 0))
    issue_warning(case, local(2026, 11, 2, 10, 0))
    db.session.commit()
    return case


def rows(**where) -> list[Notification]:
    db.session.expire_all()
    query = select(Notification).order_by(Notification.id)
    for column, value in where.items():
        query = query.where(getattr(Notification, column) == value)
    return db.session.scalars(query).all()


def text_of(message) -> str:
    return f"{message['Subject']}\n{message.get_body(('plain',)).get_content()}"


def remind(case) -> int:
    """The sweep's due-soon reminder for the case's deliver_due, committed."""
    (due,) = [d for d in case.deadlines if d.kind == "deliver_due"]
    clock(due.due_at - timedelta(hours=2))
    sweeps.run()
    db.session.commit()
    return due.id


def test_a_committed_notification_is_emailed_once_with_the_number_and_link_and_no_identity(
    ctx, smtp
):
    with_email("police")
    case = warned_case()
    remind(case)
    (row,) = rows(email_status="pending")
    assert row.user.username == "police"

    assert send_pending() == 1
    assert send_pending() == 0  # the second run finds nothing to send
    (row,) = rows()
    assert (row.email_status, row.email_attempts, row.email_error) == ("sent", 1, None)
    assert row.email_sent_at == timeutil.now()

    (received,) = smtp.messages
    recipients, message = received
    assert recipients == ["police@example.cn"]
    assert message["From"] == "caseflow@example.cn"
    text = text_of(message)
    assert case.number in message["Subject"]
    assert f"{BASE_URL}/cases/{case.id}" in text
    for identity in (VICTIM_NAME, VICTIM_PHONE, ABUSER_NAME):
        assert identity not in text


def test_a_rolled_back_cause_leaves_nothing_to_send(ctx, smtp):
    with_email("police")
    case = warned_case()
    (due,) = [d for d in case.deadlines if d.kind == "deliver_due"]
    clock(due.due_at - timedelta(hours=2))
    result = sweeps.run()
    assert result.notified == {"reminder": 1}
    db.session.rollback()

    assert rows() == []
    assert send_pending() == 0
    assert smtp.messages == []


def test_a_server_that_is_down_delays_the_email_but_never_loses_it(ctx, smtp):
    with_email("police")
    remind(warned_case())
    smtp.stop()

    assert send_pending() == 0
    (row,) = rows()
    assert (row.email_status, row.email_attempts) == ("pending", 1)
    assert row.email_error  # the connection error, for the administrator
    assert row.email_sent_at is None

    smtp.start()
    assert send_pending() == 1
    (row,) = rows()
    assert (row.email_status, row.email_attempts) == ("sent", 2)
    assert len(smtp.messages) == 1


def test_after_max_attempts_the_email_is_failed_and_no_longer_tried(ctx, smtp):
    with_email("police")
    remind(warned_case())
    smtp.stop()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert send_pending() == 0
        (row,) = rows()
        expected = "failed" if attempt == MAX_ATTEMPTS else "pending"
        assert (row.email_status, row.email_attempts) == (expected, attempt)

    smtp.start()
    assert send_pending() == 0
    assert rows()[0].email_status == "failed"
    assert smtp.messages == []


def test_a_claim_left_by_a_dead_sender_is_offered_again_once_stale(ctx, smtp):
    with_email("police")
    remind(warned_case())
    (row,) = rows()
    claimed_at = timeutil.now()
    row.email_status, row.email_claimed_at = "sending", claimed_at  # a sender died here
    db.session.commit()

    clock(claimed_at + STALE_CLAIM - timedelta(seconds=1))
    assert send_pending() == 0  # perhaps still being sent: left alone
    assert smtp.messages == []
    clock(claimed_at + STALE_CLAIM + timedelta(seconds=1))
    assert send_pending() == 1
    assert rows()[0].email_status == "sent"
    assert len(smtp.messages) == 1


def test_digest_users_get_one_email_a_day_listing_their_items(ctx, smtp):
    with_email("police", mode="digest")
    first, second = warned_case(), warned_case()
    remind(first)  # both deliver_due fall due together: two reminders
    items = rows(kind="reminder")
    assert len(items) == 2
    assert {n.email_status for n in items} == {"none"}  # nothing immediate
    assert send_pending() == 0
    assert smtp.messages == []

    clock(local(2026, 11, 6, 7, 30))
    assert digest.queue_digests() == 1
    db.session.commit()
    assert digest.queue_digests() == 0  # twice in one day: one digest
    db.session.commit()
    assert send_pending() == 1
    assert send_pending() == 0

    (received,) = smtp.messages
    recipients, message = received
    assert recipients == ["police@example.cn"]
    text = text_of(message)
    for case in (first, second):
        assert case.number in text
        assert f"{BASE_URL}/cases/{case.id}" in text
    for identity in (VICTIM_NAME, VICTIM_PHONE, ABUSER_NAME):
        assert identity not in text
    assert all(n.digested_at is not None for n in rows(kind="reminder"))

    # The next day, nothing new: no digest.
    clock(local(2026, 11, 7, 7, 30))
    assert digest.queue_digests() == 0


def test_users_without_email_get_none(ctx, smtp):
    person = user("police")
    person.email = None
    db.session.commit()
    remind(warned_case())
    (row,) = rows()
    assert row.email_status == "none"  # in the inbox only
    clock(local(2026, 11, 6, 7, 30))
    assert digest.queue_digests() == 0
    assert send_pending() == 0
    assert smtp.messages == []


# --- two senders at once (PostgreSQL) ----------------------------------------------------------


class Sender(threading.Thread):
    """One outbox process: its own app context, session and connection."""

    def __init__(self, app, start):
        super().__init__(daemon=True)
        self.app, self.start_together = app, start
        self.sent, self.error = None, None

    def run(self):
        with self.app.app_context():
            try:
                self.start_together.wait()
                self.sent = send_pending(limit=3)
                self.sent += send_pending(limit=3)
                self.sent += send_pending()
            except BaseException as exc:  # noqa: BLE001  reported to the test thread
                db.session.rollback()
                self.error = exc


def test_two_senders_at_once_deliver_each_email_once(ctx, smtp):
    postgres_only()
    app = current_app._get_current_object()
    for username in ("police", "womens_federation", "supervisor"):
        with_email(username)
    case = warned_case()
    for n in range(4):
        notifications.notify_all(
            [user("police"), user("womens_federation"), user("supervisor")],
            f"test-batch:{n}",
            "reminder",
            f"{case.number}: test {n}",
            "",
            case,
        )
    db.session.commit()
    expected = db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.email_status == "pending")
    )
    assert expected == 12

    start = threading.Barrier(2, timeout=TIMEOUT)
    senders = [Sender(app, start), Sender(app, start)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(TIMEOUT)
        assert not sender.is_alive(), "a sender hung"
    assert [s.error for s in senders] == [None, None]
    assert sum(s.sent for s in senders) == expected
    subjects = [(tuple(r), m["Subject"]) for r, m in smtp.messages]
    assert len(subjects) == expected
    assert len(set(subjects)) == expected  # no email twice
    assert {n.email_status for n in rows()} == {"sent"}
