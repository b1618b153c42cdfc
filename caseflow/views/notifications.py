"""The in-app inbox (unread first, then newest), marking notifications read, and the user's
notification preferences (email address, immediate or daily digest).

A user sees only their own notifications; texts carry a case number and a link, never an
identity (services.notifications).
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..forms.notifications import NotificationSettingsForm
from ..models import Notification
from ..services import notifications as notification_service

bp = Blueprint("notifications", __name__)

INBOX_LIMIT = 200
MAX_ID = 2**31 - 1

# Labels of the kinds services write; an unknown kind shows its code.
KIND_LABELS = {
    "reminder": _l("Reminder"),
    "escalation": _l("Escalation"),
    "visit_alert": _l("Visit alert"),
    "referral": _l("Referral"),
    "referral_answer": _l("Referral answer"),
    "expiry": _l("Order expiry"),
    "digest": _l("Digest"),
    "audit_break": _l("Audit trail"),
    "case_moved": _l("Case progress"),
    "referral_arrived": _l("Referral"),
    "assigned": _l("Assignment"),
    "case_transfer": _l("Case transfer"),
    "calendar": _l("Working-day calendar"),
    "integrity_alarm": _l("Attachment integrity"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def unread_count_for_nav() -> int:
    """The badge in the navigation: one COUNT query, 0 when nobody is logged in."""
    if not current_user.is_authenticated:
        return 0
    try:
        return notification_service.unread_count(current_user)
    except SQLAlchemyError:  # an error page after a failed transaction still renders
        db.session.rollback()
        return 0


@bp.get("/notifications")
@login_required
def inbox():
    unread_first = Notification.read_at.is_(None).desc()
    items = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(unread_first, Notification.created_at.desc(), Notification.id.desc())
        .limit(INBOX_LIMIT)
    ).all()
    total = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == current_user.id)
    )
    return render_template(
        "notifications/inbox.html", items=items, total=total, kind_label=kind_label
    )


@bp.post("/notifications/read")
@login_required
def mark_read():
    """Mark the ticked notifications read, or all of them (`all`); CSRF is checked app-wide.
    Ids that are not numbers, or not the user's, are ignored."""
    if request.form.get("all"):
        ids = None
    else:
        ids = {
            int(raw)
            for raw in request.form.getlist("ids")
            if raw.isascii() and raw.isdigit() and len(raw) <= 10 and int(raw) <= MAX_ID
        }
    count = notification_service.mark_read(current_user, ids) if ids is None or ids else 0
    db.session.commit()
    if count:
        flash(_("%(count)d marked read.", count=count), "success")
    return redirect(url_for("notifications.inbox"))


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def settings():
    form = NotificationSettingsForm(
        data={"email": current_user.email or "", "notify_mode": current_user.notify_mode}
        if request.method == "GET"
        else None
    )
    if request.method == "POST" and form.validate():
        current_user.email = form.email.data or None
        current_user.notify_mode = form.notify_mode.data
        db.session.commit()
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    status = 422 if request.method == "POST" else 200
    return render_template("notifications/settings.html", form=form), status
