"""Rule packs: deadline lengths with their legal basis, overridable per jurisdiction."""

import tomllib
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from pathlib import Path

from .calendar import Due, WorkingCalendar, add_days, add_hours


@dataclass(frozen=True)
class Rule:
    kind: str
    hours: int | None
    days: int | None
    basis: str
    basis_en: str
    counts_from: str | None = None  # the moment a local rule counts from (COUNTS_FROM)

    def due(self, start: datetime, zone: tzinfo, calendar: WorkingCalendar | None = None) -> Due:
        """Counted by caseflow.deadlines.calendar (`calendar`: the county's by default)."""
        if self.hours is not None:
            return add_hours(start, self.hours, zone)
        return add_days(start, self.days, zone, calendar)

    @property
    def length_text(self) -> str:
        return f"{self.hours} h" if self.hours is not None else f"{self.days} d"


class RulePackError(ValueError):
    pass


# Deadlines whose starting moment the pack chooses: the 告诫书's local delivery limit runs
# from the call (南宁: 「自报警之日起5日内」) or from the letter's issue.
COUNTS_FROM = {"deliver_due": ("call", "issue")}


def _rule(kind: str, raw: dict) -> Rule:
    hours, days = raw.get("hours"), raw.get("days")
    if (hours is None) == (days is None):
        raise RulePackError(f"{kind}: give exactly one of hours or days")
    for value in (hours, days):
        # bool is an int in Python: `days = true` in TOML must not mean one day.
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value <= 0
        ):
            raise RulePackError(f"{kind}: length must be a positive whole number")
    if not raw.get("basis"):
        raise RulePackError(f"{kind}: the legal basis is required")
    counts_from = raw.get("counts_from")
    if counts_from is not None and counts_from not in COUNTS_FROM.get(kind, ()):
        raise RulePackError(f"{kind}: counts_from must be one of {COUNTS_FROM.get(kind, ())}")
    return Rule(kind, hours, days, raw["basis"], raw.get("basis_en", raw["basis"]), counts_from)


@dataclass(frozen=True)
class Reminder:
    kind: str
    days_before: tuple[int, ...]
    basis: str


def _reminder(kind: str, raw: dict) -> Reminder:
    days = raw.get("days_before")
    if not isinstance(days, list) or not days:
        raise RulePackError(f"reminder {kind}: days_before must be a list of days")
    if any(isinstance(d, bool) or not isinstance(d, int) or d <= 0 for d in days):
        raise RulePackError(f"reminder {kind}: days must be positive whole numbers")
    return Reminder(kind, tuple(sorted(days, reverse=True)), raw.get("basis", ""))


@dataclass(frozen=True)
class VisitPlan:
    """Follow-up visits of a case type, each `days` after the `after` trigger fired (the
    first one replaces the single first-visit rule when that trigger opens it)."""

    case_type: str
    after: str
    days: tuple[int, ...]
    basis: str
    basis_en: str

    def rule(self, index: int, kind: str = "visit_due") -> Rule:
        """The `index`-th planned visit as a rule counted from the trigger's time."""
        return Rule(kind, None, self.days[index], self.basis, self.basis_en)


def _visit_plan(case_type: str, raw: dict) -> VisitPlan:
    name = f"visit plan {case_type}"
    after = raw.get("after")
    if not isinstance(after, str) or not after:
        raise RulePackError(f"{name}: `after` must name a trigger")
    days = raw.get("days")
    if not isinstance(days, list):
        raise RulePackError(f"{name}: days must be a list of days")
    if any(isinstance(d, bool) or not isinstance(d, int) or d <= 0 for d in days):
        raise RulePackError(f"{name}: days must be positive whole numbers")
    if len(set(days)) != len(days):
        raise RulePackError(f"{name}: a day is given twice")
    if days and not raw.get("basis"):
        raise RulePackError(f"{name}: the legal basis is required")
    basis = raw.get("basis", "")
    return VisitPlan(case_type, after, tuple(sorted(days)), basis, raw.get("basis_en", basis))


@dataclass(frozen=True)
class Reference:
    """A legal provision the pages cite (not a deadline): the citation in each language."""

    key: str
    cite: str
    cite_en: str

    def text(self, locale: str) -> str:
        return self.cite_en if locale.startswith("en") else self.cite


def _reference(key: str, raw: dict) -> Reference:
    if not isinstance(raw, dict) or not isinstance(raw.get("cite"), str) or not raw["cite"]:
        raise RulePackError(f"reference {key}: the citation (`cite`) is required")
    return Reference(key, raw["cite"], raw.get("cite_en", raw["cite"]))


class RulePack:
    def __init__(self, data: dict):
        self.references = {k: _reference(k, v) for k, v in data.get("references", {}).items()}
        self.visit_plans = {k: _visit_plan(k, v) for k, v in data.get("visit_plans", {}).items()}
        self.plan_overrides: dict[str, dict[str, VisitPlan]] = {}
        self.reminders = {k: _reminder(k, v) for k, v in data.get("reminders", {}).items()}
        self.defaults = {k: _rule(k, v) for k, v in data.get("deadlines", {}).items()}
        self.overrides: dict[str, dict[str, Rule]] = {}
        for code, section in data.get("overrides", {}).items():
            rules = {}
            for kind, raw in section.get("deadlines", {}).items():
                if kind not in self.defaults:
                    raise RulePackError(f"override for unknown deadline {kind}")
                merged = {**self.defaults[kind].__dict__, **raw}
                if "hours" in raw:
                    merged["days"] = None
                if "days" in raw:
                    merged["hours"] = None
                rules[kind] = _rule(kind, merged)
            self.overrides[code] = rules
            plans = {}
            for case_type, raw in section.get("visit_plans", {}).items():
                if not isinstance(raw, dict):
                    raise RulePackError(f"visit plan {case_type}: not a table")
                base = self.visit_plans.get(case_type)
                merged = {**(base.__dict__ if base else {}), **raw}
                merged.pop("case_type", None)
                if isinstance(merged.get("days"), tuple):
                    merged["days"] = list(merged["days"])
                plans[case_type] = _visit_plan(case_type, merged)
            self.plan_overrides[code] = plans

    def visit_plan(self, case_type: str, jurisdiction_path: str = "") -> VisitPlan | None:
        """The follow-up plan in force for a case type (None: no plan, the single rule);
        the most specific jurisdiction on the path wins. An empty `days` means no plan."""
        plan = self.visit_plans.get(case_type)
        codes = [c for c in jurisdiction_path.split("/") if c]
        for code in reversed(codes):
            if case_type in self.plan_overrides.get(code, {}):
                plan = self.plan_overrides[code][case_type]
                break
        return plan if plan is not None and plan.days else None

    def reference(self, key: str) -> Reference:
        try:
            return self.references[key]
        except KeyError:
            raise RulePackError(f"no legal reference {key}") from None

    def rule(self, kind: str, jurisdiction_path: str = "") -> Rule:
        """The rule in force: the most specific jurisdiction on the path wins."""
        codes = [c for c in jurisdiction_path.split("/") if c]
        for code in reversed(codes):
            if kind in self.overrides.get(code, {}):
                return self.overrides[code][kind]
        try:
            return self.defaults[kind]
        except KeyError:
            raise RulePackError(f"no rule for deadline {kind}") from None


@lru_cache(maxsize=8)
def load(path: str) -> RulePack:
    with Path(path).open("rb") as fh:
        return RulePack(tomllib.load(fh))
