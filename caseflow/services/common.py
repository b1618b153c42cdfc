"""Parts every case type's service uses: the place check, persons, legal times, closure."""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from .. import timeutil
from ..deadlines import ledger
from ..extensions import db
from ..models import Case, Jurisdiction, Person, User
from .errors import ValidationFailed

PERSON_FIELDS = ("name", "sex", "birth_date", "id_number", "phone", "address", "school")
VISIT_KINDS = ("visit_due", "first_visit_due")


def place_in_area(actor: User, jurisdiction_id) -> Jurisdiction:
    """The case's village, which must lie in the actor's area."""
    jurisdiction = db.session.get(Jurisdiction, jurisdiction_id) if jurisdiction_id else None
    if jurisdiction is None or not actor.organisation.jurisdiction.contains(jurisdiction):
        raise ValidationFailed(fields={"jurisdiction": [_l("Choose a place in your area.")]})
    return jurisdiction


def make_person(role: str, data: dict | None, **extra) -> Person:
    values = {k: (data or {}).get(k) or None for k in PERSON_FIELDS}
    return Person(role=role, **values, **extra)


def update_person(person: Person, data: dict) -> None:
    """Fill in what was given; an empty field keeps what the case already holds."""
    for key in PERSON_FIELDS:
        if data.get(key):
            setattr(person, key, data[key])


def special_protection(subject: Person, given, at: datetime) -> list[str]:
    """反家庭暴力法 Art. 5: minors and the elderly need special protection; the age is
    known from the birth date, the other grounds are ticked by the user."""
    flags = set(given or [])
    age = subject.age_on(timeutil.to_local(at).date())
    if age is not None and age < 18:
        flags.add("minor")
    if age is not None and age >= 60:
        flags.add("elderly")
    return sorted(flags)


def legal_time(data: dict, field: str, not_before=None, before_name=None) -> datetime:
    """A legal moment typed by the user (acceptance, ruling, service): never in the future
    and never before the moment it depends on. The forms check the future too; the check
    here holds for every caller (demo data, the synthetic set, a later import)."""
    value = data.get(field) or timeutil.now()
    if value > timeutil.now():
        raise ValidationFailed(fields={field: [_l("This cannot be in the future.")]})
    # Legal moments are typed to the minute: the same minute as the moment before is not
    # earlier (a filing at 14:05:40 and an acceptance typed as 14:05 are in order).
    if not_before is not None and value < not_before.replace(second=0, microsecond=0):
        raise ValidationFailed(
            fields={
                field: [
                    _l(
                        "This cannot be before %(what)s (%(when)s).",
                        what=before_name,
                        when=timeutil.to_local(not_before).strftime("%Y-%m-%d %H:%M"),
                    )
                ]
            }
        )
    return value


def text_effect(field: str):
    """An effect that only records a required text (reason, summary) as the comment."""

    def effect(case, actor, data):
        return data[field], {}

    return effect


def approve_closure(case: Case, actor: User, data: dict):
    now = timeutil.now()
    case.closed_at = now
    for kind in VISIT_KINDS:
        for deadline in case.open_deadlines(kind):
            ledger.waive(deadline, actor, "case closed", now)
    return data.get("comment", ""), {}


def reopen(case: Case, actor: User, data: dict):
    case.closed_at = None
    return data["reason"], {}


def open_first_visit(kind: str):
    """Open the first follow-up visit, at the date the team chose, else at the first offset
    of the case type's visit plan when the plan's trigger fires, else by the single rule."""

    def opener(case: Case, data: dict, trigger: str | None = None) -> None:
        chosen = data.get("first_visit_due")
        plan = visit_plan(case)
        if chosen is None and plan is not None and trigger == plan.after:
            _open_planned(case, kind, plan, 0, timeutil.now())
        else:
            ledger.open_deadline(case, kind, due_at=chosen)

    opener.takes_trigger = True
    return opener


def visit_plan(case: Case):
    """The follow-up plan in force for the case's type and place (None: no plan)."""
    from flask import current_app

    from ..deadlines.rules import load

    return load(current_app.config["RULE_PACK"]).visit_plan(case.type, case.jurisdiction.path)


def _open_planned(case: Case, kind: str, plan, index: int, trigger_at: datetime):
    """The plan's `index`-th visit, due `days[index]` after the trigger (opened now)."""
    rule = plan.rule(index, kind)
    due = rule.due(trigger_at, timeutil.local_zone())
    deadline = ledger.open_deadline(case, kind, due_at=due.at)
    ledger.counted(deadline, rule, trigger_at, due)
    return deadline


def open_next_planned_visit(case: Case, now: datetime):
    """After a visit with no chosen next date: the next visit of the plan, counted from the
    time the plan's trigger last fired and due after both now and every visit deadline the
    case already had (so each visit moves the plan on); None when the plan is done."""
    plan = visit_plan(case)
    event = case.last_event(plan.after) if plan is not None else None
    if event is None:
        return None
    dues = [d.due_at for d in case.deadlines if d.kind in VISIT_KINDS and d.due_at]
    after = max([now, *dues])
    for index in range(len(plan.days)):
        due = plan.rule(index).due(event.at, timeutil.local_zone())
        if due.at > after:
            return _open_planned(case, "visit_due", plan, index, event.at)
    return None


CLOSURE_EFFECTS = {
    "request_closure": text_effect("summary"),
    "approve_closure": approve_closure,
    "reject_closure": text_effect("reason"),
    "reopen": reopen,
}
