"""The daily digest: one email per user who chose it, listing what reached their inbox
since the last digest (case numbers and links, no identities). Keyed by user and day, so
running it twice in a day sends one."""

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import timeutil
from ..extensions import db
from ..models import Notification, User


def queue_digests() -> int:
    """Queue today's digests in the outbox. The caller commits; returns how many."""
    today = timeutil.to_local(timeutil.now()).date().isoformat()
    users = db.session.scalars(
        select(User).where(User.notify_mode == "digest", User.active, User.email.is_not(None))
    ).all()
    queued = 0
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        for user in users:
            key = f"digest:{user.id}:{today}"
            if db.session.scalar(select(Notification.id).where(Notification.key == key)):
                continue
            items = db.session.scalars(
                select(Notification)
                .where(
                    Notification.user_id == user.id,
                    Notification.digested_at.is_(None),
                    Notification.kind != "digest",
                )
                .order_by(Notification.created_at)
            ).all()
            if not items:
                continue
            base = current_app.config["BASE_URL"].rstrip("/")
            lines = [f"- {n.subject}" + (f"  {base}{n.link}" if n.link else "") for n in items]
            now = timeutil.now()
            values = {
                "key": key,
                "user_id": user.id,
                "kind": "digest",
                "subject": _("caseflow: %(n)d items for %(day)s", n=len(items), day=today),
                "body": "\n".join(lines),
                "created_at": now,
                "read_at": now,  # the digest is an email; its items are in the inbox already
                "email_status": "pending",
                "email_attempts": 0,
            }
            # ON CONFLICT DO NOTHING: a second scheduler queuing the same digest at the
            # same moment waits for the first and adds nothing, instead of failing the job
            # with an IntegrityError at commit.
            dialect = db.session.get_bind().dialect.name
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            statement = (
                insert(Notification)
                .values(**values)
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(Notification.id)
            )
            if db.session.execute(statement).scalar() is None:
                continue
            for item in items:
                item.digested_at = now
            queued += 1
    return queued
