"""Synthetic data: N cases of every type, walked through their workflows, for load tests
and for checking the indicators (shared/domain/indicators.md §B) on realistic volumes.

Rows are built per batch as plain dicts and written with Core bulk inserts: ORM objects
per row would make a million cases take hours. Primary keys are allocated here per batch
(from max(id) at the start), so persons, events and deadlines can point at their case
before it is written; on PostgreSQL the id sequences are moved past them at the end.

Everything a case holds follows its workflow as the services would have written it: the
step triggers in order with the event hash chain of services.audit, the deadlines the steps
open and meet (met, missed and done late, or still open), the type row's legal times.
Walks stop at `as_of`: nothing is dated after it, and a deadline still open past its due
time is `missed`, as the sweep would have left it. Names are 测试 + a number, ID numbers
are left empty: nothing here can be mistaken for a real person.
"""

import json
import multiprocessing
import os
import random
import re
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, insert, select, text, update

from . import timeutil
from .deadlines.calendar import WorkingCalendar, add_days, add_hours, add_months
from .deadlines.rules import load
from .deadlines.store import load_all_years
from .extensions import db
from .models import (
    Case,
    CaseCounter,
    Deadline,
    DvIncident,
    Event,
    HotlineCall,
    Jurisdiction,
    LegalAid,
    MandatoryReport,
    Organisation,
    Person,
    ProtectionOrder,
    Referral,
    User,
    Visit,
)

# The event digest must be exactly the one verify_chain recomputes, so it is reused.
from .services.audit import GENESIS, _digest, current_key
from .vocab import (
    CALL_ACTIONS,
    CALL_CATEGORIES,
    CALLER_RELATIONS,
    DV_RELATIONS,
    LEGAL_MATTERS,
    PO_APPLICANT_ROLES,
    PO_EVIDENCE,
    PO_MEASURES,
    PROXY_ORG_TYPES,
    PROXY_REASONS,
    REPORTER_ORG_TYPES,
    SEXUAL_ABUSE_SITUATIONS,
    VIOLENCE_FORMS,
)

# The CaseCounter row that numbers generator runs: every run gets its own number prefix
# (MR-SYN0003-0000001), so numbers never collide with the app's MR-2026-000123 or with
# an earlier run, and the counter is taken under the same row lock as the app's counters.
RUN_COUNTER = "SYN"

TYPE_WEIGHTS = {"mandatory_report": 40, "dv_warning": 30, "protection_order": 10, "legal_aid": 20}
PREFIX = {"mandatory_report": "MR", "dv_warning": "DV", "protection_order": "PO", "legal_aid": "LA"}

# Target states and their weights. Old cases mostly got somewhere settled; a recent one can
# stand anywhere (see _target).
TARGETS = {
    "mandatory_report": {
        "submitted": 4,
        "accepted": 4,
        "verifying": 5,
        "verified": 3,
        "unfounded": 10,
        "referred": 3,
        "following_up": 15,
        "closure_requested": 4,
        "closed": 52,
    },
    "dv_warning": {
        "incident_logged": 5,
        "warning_issued": 4,
        "delivered": 3,
        "following_up": 20,
        "escalated": 10,
        "closure_requested": 3,
        "closed": 55,
    },
    "protection_order": {
        "drafted": 2,
        "filed": 2,
        "accepted": 3,
        "issued": 3,
        "rejected": 6,
        "reconsideration": 2,
        "in_force": 15,
        "ended": 8,
        "following_up": 10,
        "closure_requested": 2,
        "closed": 47,
    },
    "legal_aid": {
        "referred": 3,
        "applied": 4,
        "materials_pending": 3,
        "granted": 3,
        "denied": 5,
        "objection": 2,
        "in_service": 12,
        "concluded": 8,
        "withdrawn": 4,
        "closure_requested": 2,
        "closed": 54,
    },
}
SETTLED = {
    "mandatory_report": ("unfounded", "following_up", "closed", "closed", "closed"),
    "dv_warning": ("following_up", "escalated", "closed", "closed", "closed"),
    "protection_order": ("ended", "following_up", "closed", "closed", "closed"),
    "legal_aid": ("in_service", "concluded", "closed", "closed", "closed"),
}
RECENT_DAYS = 120


def _weights(vocabulary, weights: dict) -> tuple[list, list]:
    """Codes and weights for rng.choices: codes named here, checked against the
    vocabulary, so a code added to the vocabulary later does not shift the draws."""
    missing = set(weights) - set(vocabulary)
    if missing:
        raise RuntimeError(f"not in the vocabulary: {sorted(missing)}")
    return list(weights), list(weights.values())


DV_RELATION_WEIGHTS = _weights(
    DV_RELATIONS,
    {
        "spouse": 40,
        "former_spouse": 6,
        "partner": 10,
        "former_partner": 4,
        "parent": 10,
        "child": 8,
        "sibling": 3,
        "grandparent": 2,
        "grandchild": 1,
        "in_law": 6,
        "guardian": 3,
        "other_family": 4,
        "co_resident": 3,
    },
)
PO_ROLE_WEIGHTS = _weights(
    PO_APPLICANT_ROLES,
    {
        "victim": 75,
        "close_relative": 10,
        "police": 3,
        "womens_federation": 4,
        "residents_committee": 1,
        "village_committee": 2,
        "relief_agency": 1,
        "civil_affairs": 2,
        "disabled_federation": 1,
        "elderly_organisation": 1,
    },
)
MATTER_WEIGHTS = _weights(
    LEGAL_MATTERS,
    {
        "protection_order": 15,
        "divorce": 25,
        "maintenance": 15,
        "injury_damages": 10,
        "criminal_victim": 10,
        "guardianship": 5,
        "labour": 10,
        "other": 10,
    },
)
ACTION_WEIGHTS = _weights(
    CALL_ACTIONS, {"advice": 60, "referral": 25, "case_created": 10, "emergency_110": 5}
)
CATEGORY_WEIGHTS = _weights(
    CALL_CATEGORIES,
    {
        "domestic_violence": 30,
        "marriage_family": 20,
        "sexual_violence": 6,
        "trafficking": 2,
        "employment_discrimination": 4,
        "property": 6,
        "child_protection": 10,
        "legal_consultation": 17,
        "other": 5,
    },
)
ROLE_NAMES = {
    "subject": "当事人",
    "reporter": "报告人",
    "guardian": "监护人",
    "abuser": "施暴人",
    "applicant": "申请人",
    "respondent": "被申请人",
}

ON_TIME = 0.9  # share of deadlines met in time; with the ones left open it gives ~10–15 % missed
VISIT_KINDS = ("visit_due", "first_visit_due")
CLOSURE = ("closure_requested", "closed")
MR_REFERRAL_ORGS = ("civil_affairs", "education_bureau", "womens_federation", "social_work")


class RealCasesPresent(Exception):
    """The database holds cases that were not generated: synthetic ones would mix in."""

    def __init__(self, number: str):
        super().__init__(number)
        self.number = number


class _Stop(Exception):
    """The walk reached `as_of`: the case stays where it is."""


@dataclass
class Options:
    n: int = 1_000_000
    county: str = "500240"
    county_name: str | None = None
    townships: int = 30
    villages: int = 10
    years: str = "2021-2026"
    seed: int = 1
    batch: int = 10_000
    as_of: datetime | None = None


@dataclass
class Result:
    run: int
    cases: int = 0
    rows: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


# --- the county: places, organisations, users (idempotent) -------------------------------

COUNTY_ORGS = (
    ("police_bureau", "公安局"),
    ("civil_affairs", "民政局"),
    ("court", "人民法院"),
    ("procuratorate", "人民检察院"),
    ("legal_aid_centre", "法律援助中心"),
    ("justice_bureau", "司法局"),
    ("womens_federation", "妇联"),
    ("hotline_centre", "12338妇女维权热线"),
    ("education_bureau", "教育委员会"),
    ("health_bureau", "卫生健康委员会"),
    ("working_committee", "妇女儿童工作委员会办公室"),
    ("hospital", "人民医院"),
    ("social_work", "社会工作服务中心"),
    ("relief_agency", "救助管理站"),
    ("welfare_institution", "儿童福利院"),
    ("shelter", "反家暴庇护所"),
)
TOWNSHIP_ORGS = (
    ("police_station", "派出所"),
    ("township_government", "人民政府"),
    ("school", "中心小学"),
    ("kindergarten", "中心幼儿园"),
)
COUNTY_USERS = (
    ("police", "police_bureau", "police"),
    ("civil_affairs", "civil_affairs", "civil_affairs"),
    ("court", "court", "court_liaison"),
    ("legal_aid", "legal_aid_centre", "legal_aid"),
    # Objections to a denial are decided by the justice bureau (法律援助法 Art. 49).
    ("justice", "justice_bureau", "legal_aid"),
    ("hotline", "hotline_centre", "hotline"),
    ("womens_federation", "womens_federation", "womens_federation"),
    ("supervisor", "working_committee", "supervisor"),
)


class _Setup:
    """Places, organisations and users of the county, created when missing."""

    def __init__(self, opts: Options):
        self.opts = opts
        self._password_hash = None

    def _place(self, code: str, name: str, level: str, parent: Jurisdiction | None):
        place = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
        if place is None:
            place = Jurisdiction.make(code, name, level, parent)
            db.session.add(place)
            db.session.flush()
        return place

    def _org(self, orgs: dict, type_: str, place: Jurisdiction, name: str) -> Organisation:
        org = orgs.get((type_, place.id))
        if org is None:
            org = Organisation(name=name, type=type_, jurisdiction_id=place.id)
            db.session.add(org)
            db.session.flush()
            orgs[(type_, place.id)] = org
        return org

    def _user(self, username: str, name: str, role: str, org: Organisation) -> User:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, display_name=name, role=role, organisation_id=org.id)
            # Synthetic users are actors only: a random password nobody knows, hashed once.
            if self._password_hash is None:
                import secrets

                user.set_password(secrets.token_urlsafe(24))
                self._password_hash = user.password_hash
            user.password_hash = self._password_hash
            db.session.add(user)
            db.session.flush()
        return user

    def build(self) -> SimpleNamespace:
        o = self.opts
        county_name = o.county_name or (
            "石柱土家族自治县" if o.county == "500240" else f"测试县{o.county}"
        )
        county = self._place(o.county, county_name, "county", None)
        orgs = {}
        for org in db.session.scalars(
            select(Organisation)
            .join(Jurisdiction, Organisation.jurisdiction_id == Jurisdiction.id)
            .where(Jurisdiction.path.startswith(county.path))
            .order_by(Organisation.id)
        ):
            orgs.setdefault((org.type, org.jurisdiction_id), org)
        short = county.name
        c = {t: self._org(orgs, t, county, short + suffix) for t, suffix in COUNTY_ORGS}
        users = {}
        for key, org_type, role in COUNTY_USERS:
            users[key] = self._user(f"syn{o.county}_{key}", f"测试{key}", role, c[org_type]).id
        townships, villages = [], []
        for ti in range(1, o.townships + 1):
            tcode = f"{o.county}{ti:03d}"
            town = self._place(tcode, f"测试镇{ti:03d}", "township", county)
            t_orgs = {
                t: self._org(orgs, t, town, town.name + suffix) for t, suffix in TOWNSHIP_ORGS
            }
            t = SimpleNamespace(
                place=town.id,
                police_org=t_orgs["police_station"].id,
                police=self._user(
                    f"syn{tcode}_police", f"测试民警{ti:03d}", "police", t_orgs["police_station"]
                ).id,
                supervisor=self._user(
                    f"syn{tcode}_supervisor",
                    f"测试督导员{ti:03d}",
                    "child_supervisor",
                    t_orgs["township_government"],
                ).id,
                school=t_orgs["school"].name,
            )
            townships.append(t)
            for vi in range(1, o.villages + 1):
                vcode = f"{tcode}{vi:03d}"
                village = self._place(vcode, f"测试村{ti:03d}{vi:03d}", "village", town)
                committee = self._org(
                    orgs, "village_committee", village, village.name + "村民委员会"
                )
                director = self._user(
                    f"syn{vcode}_director",
                    f"测试儿童主任{ti:03d}{vi:03d}",
                    "child_director",
                    committee,
                )
                villages.append(
                    SimpleNamespace(
                        id=village.id,
                        path=village.path,
                        name=village.name,
                        township=t,
                        committee=committee.name,
                        director=director.id,
                    )
                )
        return SimpleNamespace(
            orgs={t: org.id for t, org in c.items()},
            org_names={t: org.name for t, org in c.items()},
            users=users,
            townships=townships,
            villages=villages,
        )


# --- deadlines --------------------------------------------------------------------------


class _Rules:
    """The rule pack's lengths and bases, with day counting cached per start day: the
    holiday calendar is the slow part and a million cases share a few thousand days."""

    def __init__(self, path: str, zone_name: str, years: dict | None = None):
        self.path, self.zone_name = path, zone_name
        self.pack = load(path)
        self.zone = ZoneInfo(zone_name)
        # The county's calendar, read once (worker processes get it in the plan).
        self.years = load_all_years() if years is None else years
        self.calendar = WorkingCalendar(self.years.get)
        self._days: dict[tuple[date, int], tuple[datetime, bool]] = {}
        self._rules: dict[tuple[str, str], object] = {}

    def rule(self, name: str, path: str):
        key = (name, path)
        if key not in self._rules:
            self._rules[key] = self.pack.rule(name, path)
        return self._rules[key]

    def add_days(self, start: datetime, days: int) -> tuple[datetime, bool]:
        key = (start.astimezone(self.zone).date(), days)
        if key not in self._days:
            due = add_days(start, days, self.zone, self.calendar)
            self._days[key] = (due.at.astimezone(UTC), due.provisional)
        return self._days[key]

    def due(self, rule, start: datetime) -> tuple[datetime, bool]:
        """The due time and whether a provisional calendar decided it."""
        if rule.hours is not None:
            return add_hours(start, rule.hours, self.zone).at, False
        return self.add_days(start, rule.days)


# --- one case's walk --------------------------------------------------------------------


class _Walk:
    """A case being walked: its current state and time, its events and deadlines."""

    __slots__ = ("g", "rng", "case", "path", "type", "t", "state", "events", "deadlines", "plan")

    def __init__(self, g: "Generator", case: dict, path: str):
        self.g, self.rng, self.case, self.path = g, g.rng, case, path
        self.type = case["type"]
        self.t = case["created_at"]
        self.state = None
        self.events: list[dict] = []
        self.deadlines: list[dict] = []
        self.plan = g.rules.pack.visit_plan(self.type, path)

    # time
    def later(self, lo_hours: float, hi_hours: float) -> datetime:
        at = self.t + timedelta(seconds=int(self.rng.uniform(lo_hours, hi_hours) * 3600) + 60)
        if at > self.g.as_of:
            raise _Stop
        return at

    def when(self, kind: str) -> datetime:
        """When the step that meets `kind` happens: mostly in time, sometimes late."""
        return self.when_due(self.open_deadline(kind))

    def when_due(self, d: dict | None) -> datetime:
        if d is None:
            return self.later(1, 48)
        lo = self.t + timedelta(minutes=5)
        due = d["due_at"]
        if due > lo + timedelta(minutes=2) and self.rng.random() < ON_TIME:
            span = (due - lo).total_seconds() - 60
            at = lo + timedelta(seconds=int(span * self.rng.random() ** 1.6))
        else:
            at = max(due, lo) + timedelta(seconds=int(self.rng.uniform(3600, 6 * 86400)))
        if at > self.g.as_of:
            raise _Stop
        return at

    # events
    def step(self, trigger, at, actor, to_state=None, comment="", data=None):
        self.events.append(
            {
                "at": at,
                "actor_id": actor,
                "trigger": trigger,
                "from_state": self.state,
                "to_state": to_state or self.state,
                "comment": comment,
                "data": data or {},
            }
        )
        if to_state:
            self.state = to_state
        self.t = at

    # deadlines
    def open(self, kind, start, rule=None, due=None, basis=None, referral_id=None, opened=None):
        provisional, counted_from, period_days = False, None, None
        if due is None:
            r = self.g.rules.rule(rule or kind, self.path)
            due, provisional = self.g.rules.due(r, start)
            basis = r.basis
            if r.days is not None:
                counted_from, period_days = start, r.days
        d = {
            "kind": kind,
            "referral_id": referral_id,
            "opened_at": opened or start,
            "due_at": due,
            "basis": basis or "",
            "status": "open",
            "closed_at": None,
            "done_late": False,
            "calendar_note": None,
            "counted_from": counted_from,
            "period_days": period_days,
            "provisional": provisional,
            "waived_by_id": None,
            "waiver_reason": None,
        }
        self.deadlines.append(d)
        return d

    def open_deadline(self, kind):
        for d in reversed(self.deadlines):
            if d["kind"] == kind and d["closed_at"] is None:
                return d
        return None

    @staticmethod
    def close(d, at):
        on_time = at <= d["due_at"]
        d["status"] = "met" if on_time else "missed"
        d["done_late"] = not on_time
        d["closed_at"] = at

    def meet(self, kind, at):
        for d in self.deadlines:
            if d["kind"] == kind and d["closed_at"] is None:
                self.close(d, at)

    def waive(self, kinds, at, by, reason):
        for d in self.deadlines:
            if d["kind"] in kinds and d["closed_at"] is None:
                d.update(status="waived", closed_at=at, waived_by_id=by, waiver_reason=reason)

    # follow-up visits, as services.common opens them
    def open_first_visit(self, kind, trigger, at):
        if self.plan is not None and trigger == self.plan.after:
            r = self.plan.rule(0, kind)
            due, provisional = self.g.rules.due(r, at)
            d = self.open(kind, at, due=due, basis=r.basis)
            d.update(provisional=provisional, counted_from=at, period_days=r.days)
        else:
            self.open(kind, at)

    def open_next_planned(self, now):
        if self.plan is None:
            return
        fired = [e["at"] for e in self.events if e["trigger"] == self.plan.after]
        if not fired:
            return
        after = max([now, *(d["due_at"] for d in self.deadlines if d["kind"] in VISIT_KINDS)])
        for index in range(len(self.plan.days)):
            r = self.plan.rule(index)
            due, provisional = self.g.rules.due(r, fired[-1])
            if due > after:
                d = self.open("visit_due", now, due=due, basis=r.basis)
                d.update(provisional=provisional, counted_from=fired[-1], period_days=r.days)
                return

    def visits(self, actor, most=3):
        count = self.rng.choices(range(most + 1), (1, 2, 3, 6)[-(most + 1) :])[0]
        for _ in range(count):
            d = next(
                (x for x in self.deadlines if x["kind"] in VISIT_KINDS and x["closed_at"] is None),
                None,
            )
            if d is None:
                return
            done_at = self.when(d["kind"])
            recorded = done_at + timedelta(minutes=self.rng.randint(5, 600))
            if recorded > self.g.as_of:
                raise _Stop
            method = self.rng.choice(("home", "home", "phone", "school", "office"))
            outcome = self.rng.choices(
                ("safe", "concern", "escalate", "unreachable"), (70, 20, 4, 6)
            )[0]
            self.g.add_visit(self.case["id"], done_at, recorded, actor, method, outcome)
            for kind in VISIT_KINDS:
                self.meet(kind, done_at)
            self.open_next_planned(recorded)
            self.step(
                "visit_recorded",
                recorded,
                actor,
                comment="回访：测试数据",
                data={"method": method, "outcome": outcome, "done_at": done_at.isoformat()},
            )

    def closure(self, target, owner, supervisor, reopen=True):
        """request_closure → (reject_closure → request_closure) → approve_closure → reopen."""
        if target not in CLOSURE:
            return
        if self.rng.random() < 0.08:
            self.step(
                "request_closure", self.later(24, 600), owner, "closure_requested", "申请结案"
            )
            previous = self.events[-1]["from_state"]
            self.step("reject_closure", self.later(2, 96), supervisor, previous, "请补充回访记录")
        self.step("request_closure", self.later(24, 900), owner, "closure_requested", "申请结案")
        if target == "closure_requested":
            return
        at = self.later(2, 120)
        self.waive(VISIT_KINDS, at, supervisor, "case closed")
        self.step("approve_closure", at, supervisor, "closed", "同意结案")
        self.case["closed_at"] = at
        if reopen and self.rng.random() < 0.03:
            at = self.later(24, 2000)
            self.case["closed_at"] = None
            kind = "first_visit_due" if self.type == "dv_warning" else "visit_due"
            self.step("reopen", at, supervisor, "following_up", "发现新情况，重新跟进")
            self.open_first_visit(kind, "reopen", at)

    def finish(self):
        """Deadlines still open past their due time are missed, as the sweep leaves them."""
        as_of = self.g.as_of
        for d in self.deadlines:
            if d["status"] == "open" and d["due_at"] < as_of:
                d["status"] = "missed"


# --- the generator ------------------------------------------------------------------------


class Generator:
    TABLES = (
        Case,
        Person,
        MandatoryReport,
        DvIncident,
        ProtectionOrder,
        Referral,
        LegalAid,
        Event,
        Deadline,
        Visit,
        HotlineCall,
    )
    WITH_IDS = (Case, Person, Referral, Event, Deadline, Visit, HotlineCall)

    def __init__(self, opts: Options, echo=print):
        self.opts, self.echo = opts, echo
        self.rng = random.Random(opts.seed)
        zone = timeutil.local_zone()
        if opts.batch < 1 or opts.n < 1:
            raise ValueError("n 和 batch 至少为 1 / n and batch must be at least 1")
        first, _, last = opts.years.partition("-")
        first, last = int(first), int(last or first)
        if last < first:
            raise ValueError("年份区间应从小到大 / years: the first year comes first (2021-2026)")
        start = datetime(first, 1, 1, tzinfo=zone)
        end = datetime(last + 1, 1, 1, tzinfo=zone)
        self.as_of = _utc(min(end, opts.as_of or _default_as_of()))
        self.start = _utc(start)
        if self.as_of <= self.start:
            raise ValueError(
                "年份区间须早于截止日期 / years: the period must start before the as-of date"
            )
        self.span = int((self.as_of - self.start).total_seconds())

    # rows of the batch
    def _id(self, model) -> int:
        self.ids[model] += 1
        return self.ids[model]

    def add_visit(self, case_id, done_at, recorded, actor, method, outcome):
        self.rows[Visit].append(
            {
                "id": self._id(Visit),
                "case_id": case_id,
                "done_at": done_at,
                "by_user_id": actor,
                "method": method,
                "outcome": outcome,
                "notes": "回访记录（测试数据）",
                "next_due": None,
                "recorded_at": recorded,
            }
        )

    def _person(self, case_id, role, sex, birth, **extra):
        row = {
            "id": self._id(Person),
            "case_id": case_id,
            "role": role,
            "name": f"测试{ROLE_NAMES[role]}{self.ids[Person]}",
            "sex": sex,
            "birth_date": birth,
            "id_number": None,
            "phone": None,
            "address": None,
            "school": None,
            "relation": None,
            "organisation_name": None,
        }
        row.update(extra)
        self.rows[Person].append(row)
        return row

    def _birth(self, on: datetime, lo: int, hi: int) -> date:
        age_days = int(self.rng.uniform(lo, hi + 1) * 365.25)
        return on.date() - timedelta(days=max(age_days, 1))

    def _child_birth(self, on):
        band = self.rng.choices(((0, 5), (6, 13), (14, 17)), (25, 50, 25))[0]
        return self._birth(on, *band)

    def _adult_or_minor_birth(self, on, minors=0.08):
        if self.rng.random() < minors:
            return self._child_birth(on)
        return self._birth(on, 18, 75)

    def _target(self, ctype, created_at):
        weights = TARGETS[ctype]
        recent = (self.as_of - created_at).days < RECENT_DAYS
        if not recent and self.rng.random() < 0.85:
            return self.rng.choice(SETTLED[ctype])
        return self.rng.choices(list(weights), list(weights.values()))[0]

    # one case
    def _case(self, index: int):
        rng, s = self.rng, self.setup
        ctype = rng.choices(list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values()))[0]
        village = rng.choice(s.villages)
        created = self.start + timedelta(seconds=rng.randrange(self.span))
        case_id = self._id(Case)
        case = {
            "id": case_id,
            "number": f"{PREFIX[ctype]}-SYN{self.run_no:04d}-{index:07d}",
            "type": ctype,
            "state": None,
            "version": 1,
            "jurisdiction_id": village.id,
            "owner_org_id": None,
            "owner_user_id": None,
            "created_by_id": None,
            "urgent": False,
            "risk_level": rng.choices(("low", "medium", "high", "critical"), (25, 45, 22, 8))[0],
            "special_protection": [],
            "description": "测试数据：合成案例，仅用于测试与性能评估。",
            "sealed": rng.random() < 0.01,
            "is_test": rng.random() < 0.005,
            "created_at": created,
            "updated_at": created,
            "closed_at": None,
        }
        walk = _Walk(self, case, village.path)
        target = self._target(ctype, created)
        build = getattr(self, "_" + ctype)
        try:
            build(walk, case, village, target)
        except _Stop:
            pass
        walk.finish()
        case["state"] = walk.state
        case["updated_at"] = walk.t
        case["version"] = len(walk.events)
        # As deadlines.ledger keeps it: the earliest due time of the unmet deadlines.
        unmet = [
            d["due_at"]
            for d in walk.deadlines
            if d.get("closed_at") is None and d["status"] in ("open", "missed")
        ]
        case["next_due_at"] = min(unmet) if unmet else None
        self.rows[Case].append(case)
        self._chain(case_id, walk.events)
        for d in walk.deadlines:
            d["id"] = self._id(Deadline)
            d["case_id"] = case_id
            self.rows[Deadline].append(d)
        return case

    def _chain(self, case_id, events):
        prev, (key_id, key) = GENESIS, self.audit_key
        for seq, e in enumerate(events, 1):
            e["id"] = self._id(Event)
            e["case_id"] = case_id
            e["seq"] = seq
            e["prev_hash"] = prev
            e["key_id"] = key_id
            e["hash"] = prev = _digest(prev, SimpleNamespace(**e), key_id, key)
            self.rows[Event].append(e)

    # --- mandatory report (workflows.md §1) -------------------------------------------------

    def _mandatory_report(self, w: _Walk, case, v, target):
        rng = self.rng
        t = v.township
        reporter_type = rng.choice(REPORTER_ORG_TYPES)
        codes = sorted(rng.sample(range(1, 10), rng.choices((1, 2, 3), (70, 22, 8))[0]))
        reported = case["created_at"]
        # Most reports are made within the 24 h limit; some come days later.
        late = rng.random() < 0.12
        hours = rng.uniform(25, 24 * 20) if late else rng.uniform(0.2, 23.5)
        discovered = _utc(reported - timedelta(hours=hours))
        birth = self._child_birth(reported)
        self._person(
            case["id"],
            "subject",
            "F" if 2 in codes or 3 in codes else rng.choice("FM"),
            birth,
            address=f"{v.name}（测试）",
            school=t.school if rng.random() < 0.5 else None,
        )
        self._person(
            case["id"],
            "reporter",
            rng.choice("FM"),
            None,
            organisation_name=v.committee if reporter_type == "village_committee" else "测试单位",
            phone=None,
        )
        report = {
            "case_id": case["id"],
            "reporter_org_type": reporter_type,
            "discovered_at": discovered,
            "reported_at": reported,
            "situation_codes": codes,
            "ongoing_danger": rng.random() < 0.1,
            "guardian_is_suspect": rng.random() < 0.3,
            "child_safety": rng.choices(("safe", "unsafe", "unknown"), (40, 15, 45))[0],
            "verifier_id": None,
            "findings": None,
            "confirmed_situations": [],
            "sexual_abuse": bool(SEXUAL_ABUSE_SITUATIONS & set(codes)),
            "guardian_notified_at": None,
        }
        self.rows[MandatoryReport].append(report)
        case.update(
            urgent=True,  # any of the nine situations makes a report urgent
            special_protection=["minor"],
            owner_org_id=t.police_org,
            created_by_id=v.director,
        )
        police, sup = t.police, self.setup.users["supervisor"]
        w.step(
            "submit",
            reported,
            v.director,
            "submitted",
            case["description"],
            {
                "urgent": True,
                "situation_codes": codes,
                "reporter_org_type": reporter_type,
                "ongoing_danger": report["ongoing_danger"],
                "child_safety": report["child_safety"],
            },
        )
        w.close(w.open("report_late", discovered), reported)
        w.open("accept_due", reported)
        if target == "submitted":
            return
        if rng.random() < 0.06:
            # Sent to the wrong station first: transferred to the county bureau's intake.
            at = w.when("accept_due")
            w.meet("accept_due", at)
            frm, case["owner_org_id"] = case["owner_org_id"], self.setup.orgs["police_bureau"]
            police = self.setup.users["police"]
            to = case["owner_org_id"]
            w.step("transfer", at, t.police, None, "移送管辖", {"from_org": frm, "to_org": to})
            w.open("accept_due", at)
        at = w.when("accept_due")
        w.meet("accept_due", at)
        w.step("accept", at, police, "accepted", "已受理")
        case["owner_user_id"] = police
        w.open("verify_due", at)
        w.open("feedback_due", at)
        # Feedback is told to the reporting unit once the report is handled or verified.
        feedback = rng.random() < 0.92
        if target == "accepted":
            return self._feedback(w, police, feedback)
        verifier = t.supervisor if rng.random() < 0.5 else police
        w.step(
            "start_verification",
            w.later(0.5, 30),
            police,
            "verifying",
            "",
            {"verifier_id": verifier},
        )
        report["verifier_id"] = verifier
        if target == "verifying":
            return self._feedback(w, police, feedback)
        at = w.when("verify_due")
        w.meet("verify_due", at)
        if target == "unfounded":
            report["findings"] = "经核实，未发现侵害情况。（测试数据）"
            w.step("mark_unfounded", at, verifier, "unfounded", report["findings"])
            self._feedback(w, police, feedback)
            w.closure(rng.choice(("closed", "closed", "unfounded")), police, sup, reopen=False)
            return
        confirmed = [c for c in codes if rng.random() < 0.8] or codes[:1]
        report["findings"] = "经入户核实，情况属实。（测试数据）"
        report["confirmed_situations"] = confirmed
        w.step(
            "verify",
            at,
            verifier,
            "verified",
            report["findings"],
            {"confirmed_situations": confirmed, "risk_level": case["risk_level"]},
        )
        self._feedback(w, police, feedback)
        if target == "verified":
            return
        at = w.later(2, 72)
        orgs = rng.sample(MR_REFERRAL_ORGS, rng.choice((1, 1, 2)))
        refs = [self._referral(w, case, self.setup.orgs[o], police, at) for o in orgs]
        w.step(
            "refer",
            at,
            police,
            "referred",
            "转介相关部门处置",
            {"referral_ids": [r["id"] for r in refs], "to_orgs": [r["to_org_id"] for r in refs]},
        )
        for r in refs:
            self._answer(w, r)
        if target == "referred":
            return
        at = w.later(2, 240)
        w.step("start_follow_up", at, police, "following_up", "开始跟踪回访")
        w.open_first_visit("visit_due", "start_follow_up", at)
        w.visits(police)
        w.closure(target, police, sup)

    @staticmethod
    def _feedback(w, police, send):
        if send:
            at = w.when("feedback_due")
            w.meet("feedback_due", at)
            w.step("send_feedback", at, police, None, "已向报告单位反馈处理情况")

    def _referral(self, w, case, to_org, actor, at):
        ref = {
            "id": self._id(Referral),
            "case_id": case["id"],
            "to_org_id": to_org,
            "from_org_id": case["owner_org_id"],
            "reason": "转介处置（测试数据）",
            "status": "sent",
            "sent_at": at,
            "sent_by_id": actor,
            "answered_at": None,
            "answered_by_id": None,
            "answer": None,
        }
        self.rows[Referral].append(ref)
        w.open("referral_due", at, referral_id=ref["id"])
        return ref

    def _answer(self, w, ref):
        """The receiving unit's answer, as services.referrals.settle records it."""
        rng = self.rng
        status = rng.choices(
            ("completed", "accepted", "declined", "withdrawn", "sent"), (58, 22, 10, 5, 5)
        )[0]
        if status == "sent":
            return
        d = next(x for x in w.deadlines if x["referral_id"] == ref["id"])
        at = w.when_due(d)
        answered_by = self.setup.users["civil_affairs"]
        if status == "withdrawn":
            d.update(
                status="waived",
                closed_at=at,
                waived_by_id=ref["sent_by_id"],
                waiver_reason="referral withdrawn",
            )
        else:
            w.close(d, at)
        ref.update(status=status, answered_at=at, answered_by_id=answered_by)
        ref["answer"] = "处置完毕（测试数据）" if status == "completed" else None
        w.step(
            f"referral_{status}",
            at,
            answered_by,
            None,
            ref["answer"] or "",
            {"referral_id": ref["id"], "to_org": ref["to_org_id"]},
        )

    # --- DV call and warning (workflows.md §2) ---------------------------------------------

    def _dv_warning(self, w: _Walk, case, v, target):
        rng = self.rng
        t = v.township
        created = case["created_at"]
        sex = "F" if rng.random() < 0.88 else "M"
        birth = self._adult_or_minor_birth(created)
        relation = rng.choices(*DV_RELATION_WEIGHTS)[0]
        self._person(case["id"], "subject", sex, birth, address=f"{v.name}（测试）")
        self._person(
            case["id"],
            "abuser",
            "M" if sex == "F" and rng.random() < 0.9 else rng.choice("FM"),
            self._birth(created, 20, 70),
            address=f"{v.name}（测试）",
            relation=relation,
        )
        call_at = _utc(created - timedelta(minutes=rng.randint(1, 90)))
        forms = sorted(rng.sample(list(VIOLENCE_FORMS), rng.choice((1, 1, 2, 3))))
        minors_present = rng.random() < 0.3
        incident = {
            "case_id": case["id"],
            "call_at": call_at,
            "attended_at": _utc(call_at + timedelta(minutes=rng.randint(8, 80))),
            "location": f"{v.name}（测试）",
            "relation": relation,
            "violence_forms": forms,
            "injury_level": rng.choices(("none", "minor", "serious", "unknown"), (30, 45, 8, 17))[
                0
            ],
            "injuries": "",
            "minors_present": minors_present,
            "minors_witnessed": minors_present and rng.random() < 0.5,
            "prior_incidents": rng.choices((0, 1, 2, 3, 5), (55, 20, 12, 8, 5))[0],
            "outcome": None,
            "outcome_at": None,
            "outcome_detail": None,
            "warning_number": None,
            "warning_issued_at": None,
            "warning_facts": None,
            "warning_prohibition": None,
            "delivered_abuser_at": None,
            "delivered_victim_at": None,
            "committee_notified_at": None,
            "committee_name": None,
        }
        self.rows[DvIncident].append(incident)
        if incident["attended_at"] > created:
            incident["attended_at"] = created
        logger = rng.choices(
            (t.police, self.setup.users["hotline"], self.setup.users["womens_federation"]),
            (85, 10, 5),
        )[0]
        police, sup = t.police, self.setup.users["supervisor"]
        case.update(
            owner_org_id=t.police_org,
            owner_user_id=police,
            created_by_id=logger,
            special_protection=["minor"] if (created.date() - birth).days < 18 * 365 else [],
        )
        w.step(
            "log_incident",
            created,
            logger,
            "incident_logged",
            case["description"],
            {
                "violence_forms": forms,
                "injury_level": incident["injury_level"],
                "minors_present": minors_present,
                "minors_witnessed": incident["minors_witnessed"],
            },
        )
        if target == "incident_logged":
            return
        if (
            target == "escalated"
            and rng.random() < 0.7
            or (target in CLOSURE and rng.random() < 0.12)
        ):
            self._escalate(w, incident, police)
            w.closure(target, police, sup)
            return
        warn = target in ("warning_issued", "delivered") or rng.random() < 0.45
        if not warn:
            at = w.later(0.5, 48)
            incident.update(outcome="criticism", outcome_at=at)
            w.step(
                "criticize",
                at,
                police,
                "following_up",
                "已批评教育",
                {"outcome": "criticism", "victim_informed": True},
            )
            w.open_first_visit("first_visit_due", "criticize", at)
        else:
            at = w.later(1, 96)
            number = f"告诫SYN{self.run_no:04d}-{case['number'][-7:]}"
            incident.update(
                outcome="warning",
                outcome_at=at,
                warning_number=number,
                warning_issued_at=at,
                warning_facts="测试数据：事实经过从略。",
                warning_prohibition="禁止再次实施家庭暴力。",
            )
            w.step(
                "issue_warning",
                at,
                police,
                "warning_issued",
                incident["warning_facts"],
                {"warning_number": number, "issued_at": at.isoformat()},
            )
            w.open("deliver_due", at)
            if target == "warning_issued":
                return
            at = w.when("deliver_due")
            times = {
                "delivered_abuser_at": _utc(at - timedelta(minutes=rng.randint(0, 600))),
                "delivered_victim_at": _utc(at - timedelta(minutes=rng.randint(0, 600))),
                "committee_notified_at": at,
            }
            for name, value in times.items():
                times[name] = max(value, incident["warning_issued_at"])
            incident.update(times, committee_name=v.committee)
            w.meet("deliver_due", at)
            w.step(
                "deliver",
                at,
                police,
                "delivered",
                "",
                {k: val.isoformat() for k, val in times.items()} | {"committee": v.committee},
            )
            if target == "delivered":
                return
            follower = police if rng.random() < 0.7 else self.setup.users["womens_federation"]
            at = w.later(2, 240)
            w.step("start_follow_up", at, follower, "following_up", "开始查访")
            w.open_first_visit("first_visit_due", "start_follow_up", at)
        w.visits(police, most=2)
        if target == "escalated":
            at = w.later(24, 2000)
            incident.update(
                outcome=rng.choice(("admin_penalty", "criminal_case")),
                outcome_at=at,
                outcome_detail="测试数据：再次施暴",
            )
            w.step("record_repeat", at, police, "escalated", "再次发生家庭暴力")
            return
        w.closure(target, police, sup)

    def _escalate(self, w, incident, police):
        at = w.later(1, 72)
        outcome = self.rng.choice(("admin_penalty", "criminal_case"))
        incident.update(outcome=outcome, outcome_at=at, outcome_detail="测试数据：决定书从略")
        w.step(
            "escalate",
            at,
            police,
            "escalated",
            incident["outcome_detail"],
            {"outcome": outcome, "decided_at": at.isoformat()},
        )

    # --- protection order (workflows.md §3) ------------------------------------------------

    def _protection_order(self, w: _Walk, case, v, target):
        rng, s = self.rng, self.setup
        created = case["created_at"]
        birth = self._adult_or_minor_birth(created, minors=0.06)
        sex = "F" if rng.random() < 0.9 else "M"
        role = rng.choices(*PO_ROLE_WEIGHTS)[0]
        relation = rng.choices(
            ("spouse", "former_spouse", "partner", "parent", "child"), (60, 15, 12, 8, 5)
        )[0]
        self._person(case["id"], "subject", sex, birth, address=f"{v.name}（测试）")
        if role != "victim":
            self._person(case["id"], "applicant", rng.choice("FM"), self._birth(created, 25, 65))
        self._person(
            case["id"],
            "respondent",
            "M" if sex == "F" else rng.choice("FM"),
            self._birth(created, 20, 70),
            address=f"{v.name}（测试）",
            relation=relation,
        )
        drafter_key = rng.choices(
            ("womens_federation", "legal_aid", "hotline", "police"), (45, 30, 15, 10)
        )[0]
        drafter = s.users[drafter_key]
        # A unit applies as the proxy it is (vocab.PROXY_ORG_TYPES): the police and the
        # women's federation as themselves; the other drafters help a close relative.
        if role in PROXY_ORG_TYPES and role != drafter_key:
            role = drafter_key if drafter_key in PROXY_ORG_TYPES else "close_relative"
        owner_org = {
            "womens_federation": s.orgs["womens_federation"],
            "legal_aid": s.orgs["legal_aid_centre"],
            "hotline": s.orgs["hotline_centre"],
            "police": s.orgs["police_bureau"],
        }[drafter_key]
        measures = sorted(rng.sample(list(PO_MEASURES)[:5], rng.choice((1, 2, 3))))
        order = {
            "case_id": case["id"],
            "source_case_id": None,
            "applicant_role": role,
            "proxy_reason": None if role == "victim" else rng.choice(list(PROXY_REASONS)),
            "victim_wishes_confirmed": role != "victim",
            "relation": relation,
            "measures": measures,
            "measures_other": None,
            "evidence": sorted(rng.sample(list(PO_EVIDENCE), rng.choice((1, 2, 3)))),
            "court_id": s.orgs["court"],
            "court_basis": rng.choice(
                ("applicant_residence", "respondent_residence", "place_of_violence")
            ),
            "oral_application": rng.random() < 0.1,
            "filed_at": None,
            "accepted_at": None,
            "court_case_number": None,
            "ruling": None,
            "ruled_at": None,
            "rejection_reason": None,
            "rejection_served_at": None,
            "reconsideration_requested_at": None,
            "reconsideration_decided_at": None,
            "respondent_review_requested_at": None,
            "respondent_review_decided_at": None,
            "respondent_review_outcome": None,
            "order_number": None,
            "issued_at": None,
            "expires_at": None,
            "granted_measures": [],
            "served_applicant_at": None,
            "served_respondent_at": None,
            "served_police_at": None,
            "served_committee_at": None,
            "served_police_name": None,
            "served_committee_name": None,
            "ended_at": None,
            "end_reason": None,
        }
        self.rows[ProtectionOrder].append(order)
        urgent = rng.random() < 0.15
        # The applicant's request; the court's acceptance below finds the same urgency.
        order["urgency_requested"] = urgent
        case.update(
            owner_org_id=owner_org,
            owner_user_id=drafter,
            created_by_id=drafter,
            urgent=urgent,
            special_protection=["minor"] if (created.date() - birth).days < 18 * 365 else [],
        )
        court, sup = s.users["court"], s.users["supervisor"]
        w.step(
            "draft",
            created,
            drafter,
            "drafted",
            case["description"],
            {"urgent": urgent, "applicant_role": role, "measures": measures},
        )
        if target == "drafted":
            return
        at = w.later(1, 72)
        order["filed_at"] = at
        w.step(
            "file",
            at,
            drafter,
            "filed",
            "",
            {"filed_at": at.isoformat(), "court_id": order["court_id"]},
        )
        if target == "filed":
            return
        at = w.later(0.2, 30)
        order.update(
            accepted_at=at, court_case_number=f"（{at.year}）民保令SYN{self.run_no}-{case['id']}"
        )
        w.step(
            "court_accept",
            at,
            court,
            "accepted",
            "",
            {"accepted_at": at.isoformat(), "urgent": urgent},
        )
        w.open("ruling_due", at, rule="ruling_due_urgent" if urgent else "ruling_due")
        if target == "accepted":
            return
        rejected = target in ("rejected", "reconsideration") or rng.random() < 0.15
        at = w.when("ruling_due")
        w.meet("ruling_due", at)
        if rejected:
            # Served on the applicant when pronounced: the window runs from service.
            order.update(
                ruling="rejected",
                ruled_at=at,
                rejection_reason="证据不足（测试数据）",
                rejection_served_at=at,
            )
            w.step(
                "reject",
                at,
                court,
                "rejected",
                order["rejection_reason"],
                {
                    "ruled_at": at.isoformat(),
                    "served_at": at.isoformat(),
                    "acted_at": at.isoformat(),
                },
            )
            w.open("reconsideration_window", at)
            if target == "rejected":
                return
            if target in CLOSURE and rng.random() < 0.6:
                w.closure(target, drafter, sup, reopen=False)
                return
            at = w.when("reconsideration_window")
            order["reconsideration_requested_at"] = at
            w.meet("reconsideration_window", at)
            w.step(
                "request_reconsideration",
                at,
                drafter,
                "reconsideration",
                "申请复议",
                {"requested_at": at.isoformat()},
            )
            if target == "reconsideration":
                return
            at = w.later(24, 240)
            if rng.random() < 0.6:
                order["reconsideration_decided_at"] = at
                w.step(
                    "uphold_rejection",
                    at,
                    court,
                    "closed",
                    "维持驳回",
                    {"decided_at": at.isoformat()},
                )
                case["closed_at"] = at
                return
            self._issue(w, order, court, at, first=False)
        else:
            self._issue(w, order, court, at, first=True)
        if target == "issued" and order["expires_at"] > self.as_of:
            return
        self._serve(w, order, court, v)
        if self.rng.random() < 0.1:
            at = w.later(24, 24 * 60)
            if at < order["expires_at"]:
                w.step(
                    "record_violation",
                    at,
                    drafter,
                    None,
                    "被申请人违反保护令（测试数据）",
                    {"reported_at": at.isoformat()},
                )
        if target == "in_force" and order["expires_at"] > self.as_of:
            return
        if rng.random() < 0.05:
            at = w.later(24, 24 * 30)
            if at < order["expires_at"]:
                order.update(ended_at=at, end_reason="revoked")
                w.step(
                    "revoke", at, court, "ended", "申请人申请撤销", {"decided_at": at.isoformat()}
                )
        if w.state != "ended":
            at = order["expires_at"]
            if at > self.as_of:
                raise _Stop
            order.update(ended_at=at, end_reason="expired")
            w.step("expire", at, None, "ended", "", {"expired_at": at.isoformat()})
        if target == "ended":
            return
        at = w.later(1, 240)
        w.step("start_follow_up", at, drafter, "following_up", "开始跟踪回访")
        w.open_first_visit("visit_due", "start_follow_up", at)
        w.visits(drafter)
        w.closure(target, drafter, sup)

    def _issue(self, w, order, court, at, first):
        issued_day = at.astimezone(self.rules.zone).date()
        months = self.rng.choice((3, 6, 6))
        last_day = add_months(issued_day, months) - timedelta(days=1)
        expires = datetime.combine(
            last_day + timedelta(days=1), dtime(0, 0), tzinfo=self.rules.zone
        )
        expires = _utc(expires)
        granted = sorted(order["measures"])
        order.update(
            order_number=f"民保令SYN{self.run_no}-{order['case_id']}",
            issued_at=at,
            expires_at=expires,
            granted_measures=granted,
        )
        if first:
            order.update(ruling="issued", ruled_at=at)
        else:
            order["reconsideration_decided_at"] = at
        w.step(
            "issue_order",
            at,
            court,
            "issued",
            "",
            {
                "issued_at": at.isoformat(),
                "expires_at": expires.isoformat(),
                "measures": granted,
                "via": "ruling" if first else "reconsideration",
            },
        )

    def _serve(self, w, order, court, v):
        at = w.later(1, 72)
        names = (
            "served_applicant_at",
            "served_respondent_at",
            "served_police_at",
            "served_committee_at",
        )
        for name in names:
            order[name] = max(
                order["issued_at"], _utc(at - timedelta(minutes=self.rng.randint(0, 900)))
            )
        order[names[-1]] = at
        order.update(served_police_name="派出所（测试）", served_committee_name=v.committee)
        w.step(
            "serve",
            at,
            court,
            "in_force",
            "",
            {n: order[n].isoformat() for n in names} | {"acted_at": at.isoformat()},
        )
        w.open("respondent_review_window", order["served_respondent_at"])

    # --- legal aid (workflows.md §4) -------------------------------------------------------

    def _legal_aid(self, w: _Walk, case, v, target):
        rng, s = self.rng, self.setup
        created = case["created_at"]
        birth = self._adult_or_minor_birth(created, minors=0.12)
        sex = "F" if rng.random() < 0.8 else "M"
        self._person(case["id"], "subject", sex, birth, address=f"{v.name}（测试）")
        matter = rng.choices(*MATTER_WEIGHTS)[0]
        exempt = rng.random() < 0.55
        aid = {
            "case_id": case["id"],
            "source_case_id": None,
            "referral_id": None,
            "matter": matter,
            "means_test_exempt_reason": rng.choice(
                ("abuse", "abandonment", "domestic_violence", "domestic_violence")
            )
            if exempt
            else None,
            "household_size": None if exempt else rng.randint(1, 6),
            "monthly_income": None if exempt else rng.randint(300, 2500),
            "honesty_undertaking": not exempt,
            "urgent_pre_provision": False,
            "procedural_deadline": None,
            "received_at": None,
            "materials_requested": None,
            "materials_requested_at": None,
            "materials_supplied_at": None,
            "decision": None,
            "decided_at": None,
            "denial_reason": None,
            "objection_at": None,
            "objection_decided_at": None,
            "lawyer_name": None,
            "law_firm": None,
            "assigned_at": None,
            "concluded_at": None,
            "outcome": None,
        }
        self.rows[LegalAid].append(aid)
        referrer_key = rng.choices(
            ("womens_federation", "hotline", "police", "civil_affairs", "legal_aid"),
            (35, 20, 15, 15, 15),
        )[0]
        referrer = s.users[referrer_key]
        centre, justice, sup = s.users["legal_aid"], s.users["justice"], s.users["supervisor"]
        case.update(
            owner_org_id=s.orgs["legal_aid_centre"],
            owner_user_id=centre,
            created_by_id=referrer,
            special_protection=["minor"] if (created.date() - birth).days < 18 * 365 else [],
        )
        w.step("refer", created, referrer, "referred", case["description"], {})
        if target == "referred":
            return
        at = w.later(1, 120)
        aid["received_at"] = at
        w.step("receive_application", at, centre, "applied", "", {"received_at": at.isoformat()})
        w.open("decision_due", at)
        if target == "applied":
            return
        if target in ("materials_pending", "withdrawn") or rng.random() < 0.12:
            at = w.later(2, 96)
            aid.update(materials_requested="请补充收入证明（测试数据）", materials_requested_at=at)
            w.waive(("decision_due",), at, centre, "awaiting materials (法律援助法 Art. 43 ¶2)")
            w.step("request_materials", at, centre, "materials_pending", aid["materials_requested"])
            if target == "materials_pending":
                return
            if target == "withdrawn" or (target in CLOSURE and rng.random() < 0.2):
                at = w.later(24 * 10, 24 * 40)
                w.step("withdraw", at, centre, "withdrawn", "逾期未补充材料，视为撤回申请")
                w.closure(target, centre, sup, reopen=False)
                return
            at = w.later(24, 24 * 10)
            aid["materials_supplied_at"] = at
            w.step("supply_materials", at, centre, "applied", "", {"supplied_at": at.isoformat()})
            w.open("decision_due", at)
        denied = target in ("denied", "objection") or rng.random() < 0.12
        at = w.when("decision_due")
        w.meet("decision_due", at)
        if denied:
            aid.update(
                decision="denied", decided_at=at, denial_reason="不符合经济困难条件（测试数据）"
            )
            w.step("deny", at, centre, "denied", aid["denial_reason"])
            if target == "denied":
                return
            if target != "objection" and rng.random() < 0.5:
                return  # the denial stands uncontested; the case stays denied
            at = w.later(24, 24 * 10)
            aid["objection_at"] = at
            w.step(
                "file_objection",
                at,
                referrer,
                "objection",
                "申请人提出异议",
                {"lodged_at": at.isoformat()},
            )
            w.open("objection_decision_due", at)
            if target == "objection":
                return
            at = w.when("objection_decision_due")
            aid["objection_decided_at"] = at
            if rng.random() < 0.5:
                w.meet("objection_decision_due", at)
                w.step("uphold_denial", at, justice, "closed", "维持不予援助决定")
                case["closed_at"] = at
                return
            w.meet("decision_due", at)
            w.meet("objection_decision_due", at)
            aid.update(decision="granted", decided_at=at)
            w.step("grant", at, justice, "granted", "", {"on_objection": True})
        else:
            aid.update(decision="granted", decided_at=at)
            w.step("grant", at, centre, "granted", "", {"on_objection": False})
        w.open("assign_due", at)
        if target == "granted":
            return
        at = w.when("assign_due")
        w.meet("assign_due", at)
        aid.update(
            lawyer_name=f"测试律师{rng.randint(1, 200)}", law_firm="测试律师事务所", assigned_at=at
        )
        w.step(
            "assign_lawyer",
            at,
            centre,
            "in_service",
            "已指派律师",
            {"lawyer_name": aid["lawyer_name"], "law_firm": aid["law_firm"]},
        )
        if target == "in_service":
            return
        at = w.later(24 * 20, 24 * 200)
        aid.update(concluded_at=at, outcome="已结案（测试数据）")
        w.step("conclude", at, centre, "concluded", aid["outcome"])
        w.closure(target, centre, sup, reopen=False)

    # --- hotline calls (workflows.md §5) ---------------------------------------------------

    def _calls(self, cases):
        rng, s = self.rng, self.setup
        linkable = [c for c in cases if c["type"] != "mandatory_report"]
        for _ in range(max(1, len(cases) // 10)):
            self.calls += 1
            action = rng.choices(*ACTION_WEIGHTS)[0]
            linked = rng.choice(linkable) if action == "case_created" and linkable else None
            if linked is not None:
                received = _utc(linked["created_at"] - timedelta(minutes=rng.randint(5, 120)))
                place = linked["jurisdiction_id"]
            else:
                if action == "case_created":
                    action = "advice"
                received = self.start + timedelta(seconds=rng.randrange(self.span))
                place = rng.choice(s.villages).id if rng.random() < 0.8 else None
            urgency = (
                "danger"
                if action == "emergency_110"
                else rng.choices(("normal", "urgent"), (85, 15))[0]
            )
            callback = rng.random() < 0.2
            due = _utc(received + timedelta(hours=rng.randint(4, 72))) if callback else None
            done = None
            if callback and rng.random() < 0.8:
                done = _utc(received + timedelta(hours=rng.uniform(1, 96)))
                if done > self.as_of:
                    done = None
            anonymous = rng.random() < 0.15
            self.rows[HotlineCall].append(
                {
                    "id": self._id(HotlineCall),
                    "number": f"HC-SYN{self.run_no:04d}-{self.calls:07d}",
                    "client_token": f"syn-{self.run_no}-{self.calls}",
                    "org_id": s.orgs["hotline_centre"],
                    "agent_id": s.users["hotline"],
                    "line": rng.choices(("12338", "12345", "walk_in", "other"), (75, 15, 7, 3))[0],
                    "received_at": received,
                    "duration_minutes": rng.randint(2, 45),
                    "anonymous": anonymous,
                    "caller_name": None if anonymous else f"测试来电人{self.calls}",
                    "caller_phone": None,
                    "caller_id_number": None,
                    "caller_relation": None if anonymous else rng.choice(list(CALLER_RELATIONS)),
                    "subject_name": None,
                    "subject_sex": rng.choice(("F", "F", "F", "M")),
                    "subject_phone": None,
                    "subject_id_number": None,
                    "jurisdiction_id": place,
                    "category": rng.choices(*CATEGORY_WEIGHTS)[0],
                    "urgency": urgency,
                    "summary": "来电咨询（测试数据）",
                    "action_taken": action,
                    "action_note": None,
                    "danger": action == "emergency_110",
                    "transferred_110_at": received + timedelta(minutes=2)
                    if action == "emergency_110"
                    else None,
                    "callback_needed": callback,
                    "callback_due": due,
                    "callback_done_at": done,
                    "callback_note": "已回访" if done else None,
                    "case_id": linked["id"] if linked else None,
                    "created_at": received,
                }
            )

    # --- running ---------------------------------------------------------------------------

    def _next_run(self) -> int:
        if db.session.get(CaseCounter, RUN_COUNTER) is None:
            db.session.add(CaseCounter(key=RUN_COUNTER, value=0))
            db.session.flush()
        return db.session.execute(
            update(CaseCounter)
            .where(CaseCounter.key == RUN_COUNTER)
            .values(value=CaseCounter.value + 1)
            .returning(CaseCounter.value)
        ).scalar_one()

    def batch(self, b: int) -> dict:
        """The rows of batch `b`, the same whoever makes them: its own random stream and
        its own id ranges (ID_ROOM ids per case and table, from the ids free at the start),
        so workers can make batches in any order and the hash chains, which include the
        case id, are final when computed."""
        o = self.opts
        self.rng = random.Random(f"{o.seed}:{b}")
        self.rows = {m: [] for m in self.TABLES}
        self.ids = {m: self.base[m] + b * o.batch * ID_ROOM[m] for m in self.WITH_IDS}
        first = {m: self.ids[m] for m in self.WITH_IDS}
        self.calls = b * o.batch
        size = min(o.batch, o.n - b * o.batch)
        cases = [self._case(b * o.batch + i + 1) for i in range(size)]
        self._calls(cases)
        for m in self.WITH_IDS:
            if self.ids[m] - first[m] > size * ID_ROOM[m]:
                raise RuntimeError(f"batch {b}: more {m.__tablename__} rows than ids kept")
        return self.rows

    def _write(self, rows_by_model, totals):
        for model in self.TABLES:
            rows = rows_by_model[model]
            if rows:
                db.session.execute(insert(model.__table__), rows)
                totals[model.__tablename__] = totals.get(model.__tablename__, 0) + len(rows)
        db.session.commit()

    @staticmethod
    def _copy(payload, totals):
        """PostgreSQL: COPY the batch's text made by a worker. (psycopg runs a Core
        executemany without RETURNING as one INSERT per row, pipelined rather than
        insertmanyvalues: several times slower at this volume.)"""
        # Each batch is its own transaction; losing the last ones in a crash is harmless
        # here (the run is simply repeated), so the commit does not wait for the disk.
        db.session.execute(text("SET LOCAL synchronous_commit = off"))
        raw = db.session.connection().connection.dbapi_connection
        with raw.cursor() as cursor:
            for name, columns, count, data in payload:
                names = ", ".join(f'"{c}"' for c in columns)
                with cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
                    copy.write(data)
                totals[name] = totals.get(name, 0) + count
        db.session.commit()

    def _fix_sequences(self):
        """Move PostgreSQL's id sequences past the ids given here, so the app's next insert
        does not collide with a generated row."""
        if db.engine.dialect.name != "postgresql":
            return
        for model in self.WITH_IDS:
            table = model.__tablename__
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            )
        db.session.commit()

    def refuse_real_cases(self):
        """Synthetic cases go only into a database of synthetic cases: one real case (a
        number without the SYN run prefix) and nothing is written."""
        real = db.session.scalar(select(Case.number).where(Case.number.not_like("%-SYN%")).limit(1))
        if real is not None:
            raise RealCasesPresent(real)

    def analyze(self):
        """Fresh planner statistics for the tables just loaded (PostgreSQL; SQLite's
        ANALYZE is cheap enough to run too)."""
        tables = [m.__tablename__ for m in self.TABLES]
        if db.engine.dialect.name == "postgresql":
            db.session.commit()
            with db.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                for table in tables:
                    conn.execute(text(f"ANALYZE {table}"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()

    def prepare(self):
        """Places, organisations, users and the run number, committed before the cases."""
        self.refuse_real_cases()
        self.setup = _Setup(self.opts).build()
        self.rules = _Rules(current_app.config["RULE_PACK"], str(timeutil.local_zone()))
        # Workers have no app: they get the audit key with the plan (never stored).
        self.audit_key = current_key()
        self.run_no = self._next_run()
        db.session.commit()
        self.base = {
            m: db.session.scalar(select(func.coalesce(func.max(m.id), 0))) for m in self.WITH_IDS
        }

    def plan(self) -> dict:
        """What a worker process needs to make batches (plain picklable values)."""
        return {
            "opts": self.opts,
            "audit_key": self.audit_key,
            "setup": self.setup,
            "rules": (self.rules.path, self.rules.zone_name, self.rules.years),
            "run_no": self.run_no,
            "base": {m.__tablename__: v for m, v in self.base.items()},
            "as_of": self.as_of,
            "start": self.start,
            "span": self.span,
        }

    @classmethod
    def from_plan(cls, plan: dict) -> "Generator":
        g = cls(plan["opts"])
        g.as_of, g.start, g.span = plan["as_of"], plan["start"], plan["span"]
        g.setup, g.run_no = plan["setup"], plan["run_no"]
        g.audit_key = plan["audit_key"]
        g.rules = _Rules(*plan["rules"])
        by_name = {m.__tablename__: m for m in cls.WITH_IDS}
        g.base = {by_name[name]: v for name, v in plan["base"].items()}
        return g

    def run(self, workers: int | None = None) -> Result:
        began = time.monotonic()
        o = self.opts
        self.prepare()
        result = Result(self.run_no)
        batches = -(-o.n // o.batch)
        parallel = db.engine.dialect.name == "postgresql"
        done = 0

        def progress(size):
            nonlocal done
            done += size
            elapsed = time.monotonic() - began
            rows = sum(result.rows.values())
            self.echo(
                f"  {done}/{o.n} 案件 cases, {rows} 行 rows, {elapsed:.0f} s, "
                f"{rows / max(elapsed, 0.001):.0f} 行/秒 rows/s"
            )

        if not parallel:
            for b in range(batches):
                self._write(self.batch(b), result.rows)
                progress(min(o.batch, o.n - b * o.batch))
        else:
            # Making rows is the slow part (Python); PostgreSQL takes COPY faster than one
            # process makes them. Workers make batches, this process writes them in order,
            # with at most two batches per worker waiting (bounded memory).
            workers = workers or max(1, min(4, os.cpu_count() or 1))
            ctx = multiprocessing.get_context("spawn")
            with ctx.Pool(workers, initializer=_init_worker, initargs=(self.plan(),)) as pool:
                pending, submitted = deque(), 0
                for b in range(batches):
                    while submitted < batches and len(pending) < 2 * workers:
                        pending.append(pool.apply_async(_work, (submitted,)))
                        submitted += 1
                    self._copy(pending.popleft().get(), result.rows)
                    progress(min(o.batch, o.n - b * o.batch))
        self._fix_sequences()
        self.echo("  ANALYZE …")
        self.analyze()
        result.cases = done
        result.seconds = time.monotonic() - began
        return result


# Ids kept per case in each table's range for a batch (more than any case uses).
ID_ROOM = {
    Case: 1,
    Person: 3,
    Referral: 2,
    Event: 40,
    Deadline: 20,
    Visit: 8,
    HotlineCall: 1,
}

_worker: Generator | None = None


def _init_worker(plan):
    global _worker
    _worker = Generator.from_plan(plan)


def _work(b: int):
    rows = _worker.batch(b)
    return [
        (m.__tablename__, *_copy_text(m.__table__, rows[m])) for m in Generator.TABLES if rows[m]
    ]


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]").search


def _text(value) -> str:
    """One value in COPY text format, as the column types would bind it: datetimes as
    UTC (UTCDateTime), lists and dicts as JSON. Called some 20 million times for a
    million cases, hence the checks before the (slow) escaping."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        return value.translate(_ESCAPES) if _NEEDS_ESCAPE(value) else value
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime:
        # A zone in the input of a `timestamp without time zone` is ignored by PostgreSQL,
        # so a UTC value can go as it prints.
        return str(value if value.tzinfo is UTC else value.astimezone(UTC))
    if kind is list or kind is dict:
        data = json.dumps(value, ensure_ascii=False)
        return data.translate(_ESCAPES) if _NEEDS_ESCAPE(data) else data
    return str(value)  # int, date


def _copy_text(table, rows) -> tuple[list[str], int, bytes]:
    columns = [c.name for c in table.columns]
    lines = ["\t".join([_text(row.get(c)) for c in columns]) for row in rows]
    return columns, len(rows), ("\n".join(lines) + "\n").encode()


def _default_as_of() -> datetime:
    """Midnight UTC today: the same seed gives the same data all day long."""
    now = timeutil.now()
    return datetime(now.year, now.month, now.day, tzinfo=UTC)


def generate(opts: Options, echo=print) -> Result:
    return Generator(opts, echo).run()
