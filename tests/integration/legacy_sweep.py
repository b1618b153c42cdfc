"""The sweep as it was before it became set-based: one row at a time through the ORM,
each message by services.notifications.notify. Kept as the reference the set-based sweep
(caseflow/services/sweeps.py) is compared with in test_sweep_set_based.py."""

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from caseflow import policy, timeutil
from caseflow.deadlines import ledger
from caseflow.deadlines.rules import load
from caseflow.deadlines.windows import PARTY_WINDOWS
from caseflow.extensions import db
from caseflow.models import (
    Case,
    Deadline,
    Jurisdiction,
    Organisation,
    ProtectionOrder,
    Referral,
    User,
)
from caseflow.services.notifications import notify_all
from caseflow.services.protection_order import expire_due
from caseflow.vocab import DEADLINE_KINDS, label

REMINDER_WINDOW = timedelta(hours=24)
ESCALATE_AFTER = timedelta(hours=24)


@dataclass
class SweepResult:
    missed: int = 0
    expired: int = 0
    notified: dict = field(default_factory=dict)

    def count(self, kind: str, n: int) -> None:
        self.notified[kind] = self.notified.get(kind, 0) + n


def handlers(case: Case) -> list[User]:
    """Who is told about a case's deadlines: its assigned worker, else the active users of
    the owning unit whose role handles that type of case."""
    if case.owner_user is not None and case.owner_user.active:
        return [case.owner_user]
    if case.owner_org_id is None:
        return []
    users = db.session.scalars(
        select(User).where(User.organisation_id == case.owner_org_id, User.active)
    ).all()
    return [u for u in users if case.type in policy.ROLE_CASE_TYPES.get(u.role, ())]


def supervisors_over(jurisdiction: Jurisdiction) -> list[User]:
    """Active supervisors whose area contains the place."""
    users = db.session.scalars(
        select(User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(User.role == "supervisor", User.active)
    ).all()
    return [u for u in users if u.organisation.jurisdiction.contains(jurisdiction)]


def _what(deadline: Deadline) -> str:
    return label(DEADLINE_KINDS, deadline.kind)


def _when(value) -> str:
    return timeutil.to_local(value).strftime("%Y-%m-%d %H:%M")


def _provisional(deadline: Deadline) -> str:
    """Said in every message about a deadline counted on a provisional calendar."""
    return _(" (provisional calendar)") if deadline.provisional else ""


def remind_due_soon(now, result: SweepResult) -> None:
    rows = db.session.scalars(
        select(Deadline).where(
            Deadline.status == "open",
            Deadline.due_at >= now,
            Deadline.due_at <= now + REMINDER_WINDOW,
        )
    ).all()
    for deadline in rows:
        case = deadline.case
        subject = _(
            "%(number)s: %(what)s due %(when)s",
            number=case.number,
            what=_what(deadline),
            when=_when(deadline.due_at),
        ) + _provisional(deadline)
        result.count(
            "reminder",
            notify_all(
                handlers(case), f"due-soon:{deadline.id}", "reminder", subject, subject, case
            ),
        )


def escalate_missed(now, result: SweepResult) -> None:
    rows = db.session.scalars(
        select(Deadline).where(Deadline.status == "missed", Deadline.closed_at.is_(None))
    ).all()
    for deadline in rows:
        case = deadline.case
        if not case.is_open or deadline.kind in PARTY_WINDOWS:
            continue
        referral = deadline.referral
        if referral is not None:
            if not referral.is_open:
                continue
            _escalate_referral(deadline, referral, now, result)
            continue
        subject = _(
            "%(number)s: %(what)s overdue since %(when)s",
            number=case.number,
            what=_what(deadline),
            when=_when(deadline.due_at),
        ) + _provisional(deadline)
        result.count(
            "escalation",
            notify_all(
                handlers(case), f"missed:{deadline.id}", "escalation", subject, subject, case
            ),
        )
        if now - deadline.due_at >= ESCALATE_AFTER:
            result.count(
                "escalation",
                notify_all(
                    supervisors_over(case.jurisdiction),
                    f"missed-supervisor:{deadline.id}",
                    "escalation",
                    subject,
                    subject,
                    case,
                ),
            )


def _escalate_referral(deadline: Deadline, referral: Referral, now, result: SweepResult) -> None:
    case = deadline.case
    subject = _(
        "%(number)s: the referral to %(org)s is unanswered since %(when)s",
        number=case.number,
        org=referral.to_org.name,
        when=_when(deadline.due_at),
    )
    receivers = db.session.scalars(
        # Only the people who answer referrals: a unit's data reporter handles no cases.
        select(User).where(
            User.organisation_id == referral.to_org_id,
            User.active,
            User.role.not_in(policy.NO_IDENTITY_ROLES),
        )
    ).all()
    result.count(
        "escalation",
        notify_all(
            receivers, f"referral-overdue:{referral.id}", "escalation", subject, subject, case
        ),
    )
    if now - deadline.due_at >= ESCALATE_AFTER:
        result.count(
            "escalation",
            notify_all(
                supervisors_over(referral.to_org.jurisdiction),
                f"referral-overdue-supervisor:{referral.id}",
                "escalation",
                subject,
                subject,
                case,
            ),
        )


def remind_expiring_orders(now, result: SweepResult) -> None:
    reminder = load(current_app.config["RULE_PACK"]).reminders.get("order_expiry")
    if reminder is None:
        return
    horizon = now + timedelta(days=max(reminder.days_before))
    orders = db.session.scalars(
        select(ProtectionOrder)
        .join(Case, Case.id == ProtectionOrder.case_id)
        .where(
            Case.state.in_(("issued", "in_force")),
            ProtectionOrder.expires_at > now,
            ProtectionOrder.expires_at <= horizon,
        )
    ).all()
    for order in orders:
        case = order.case
        # The nearest reminder that is due (7 before 30): the rule pack lists the days
        # longest first, and taking the 30-day one first would hide the 7-day one forever.
        for days in sorted(reminder.days_before):
            if order.expires_at - timedelta(days=days) <= now:
                # The expiry date is in the key: an extended order is reminded again.
                key = f"expiry:{case.id}:{days}:{order.expires_at.date().isoformat()}"
                subject = _(
                    "%(number)s: the protection order is in force until %(day)s; an extension "
                    "must be applied for before then",
                    number=case.number,
                    day=(timeutil.to_local(order.expires_at) - timedelta(days=1))
                    .date()
                    .isoformat(),
                )
                result.count(
                    "reminder", notify_all(handlers(case), key, "reminder", subject, subject, case)
                )
                break


def run() -> SweepResult:
    """One sweep. The caller commits."""
    now = timeutil.now()
    result = SweepResult()
    result.expired = expire_due()
    result.missed = ledger.sweep(now)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        remind_due_soon(now, result)
        escalate_missed(now, result)
        remind_expiring_orders(now, result)
    return result
