"""The indicator table of a plan for a year and a place: what the page, the API and the
workbook all show. One function builds it, so the three cannot disagree.

Each row joins a plan target (or a case-derived indicator the plan's measures call for)
with its value for the year, the values of the earlier years (the trend), and its status.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, select

from ..extensions import db
from ..models import Jurisdiction, Plan, PlanTarget
from . import catalogue, compute, submissions, suppression
from . import periods as P
from .compute import CountScope, Figure
from .plans import CASE_INDICATORS_BY_KIND
from .status import Rule, Status, evaluate, fmt
from .suppression import MARK, SMALL

# Registry figures about places, not people: never hidden.
NOT_SUPPRESSED = frozenset({"C-LAW-03"})


@dataclass
class Row:
    indicator: catalogue.Indicator
    target: PlanTarget | None
    figure: Figure | None
    series: dict[int, float | None] = field(default_factory=dict)
    status: Status | None = None
    median: float | None = None  # PO-05
    suppressed: bool = False

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def value(self) -> float | None:
        return None if self.suppressed or self.figure is None else self.figure.value

    @property
    def display(self) -> str:
        if self.suppressed:
            return MARK
        return fmt(self.figure.value if self.figure else None)


def rule_for(target: PlanTarget) -> Rule:
    plan = target.plan
    return Rule(
        direction=target.direction,
        text=target.target_text,
        value=target.value,
        band_low=target.band_low,
        band_high=target.band_high,
        baseline_year=plan.baseline_year,
        end_year=plan.end_year,
        trend_years=plan.trend_years,
        swing_percent=plan.swing_percent,
    )


def hidden_years(
    codes, scope: CountScope, first: int, last: int, series: dict[str, dict[int, Figure]]
) -> dict[str, set[int]]:
    """The years each indicator's figure at the scope's place is hidden from a reader
    without access to the identities there (suppression.py: small numbers and the cells
    that would give them away). Figures the units report are not case counts and form no
    groups the system knows: theirs are hidden when they rest on 1–4, below the county."""
    codes = list(codes)
    place = scope.jurisdiction
    case_codes = [c for c in codes if c in compute.CASE_CODES and c not in NOT_SUPPRESSED]
    years = list(range(first, last + 1))
    hidden_at = suppression.hidden_places(scope, case_codes, P.years(first, last))
    out: dict[str, set[int]] = {}
    for code in codes:
        if code in NOT_SUPPRESSED:
            out[code] = set()
        elif code in hidden_at:
            out[code] = {y for i, y in enumerate(years) if place.id in hidden_at[code].get(i, ())}
        else:
            out[code] = {
                y
                for y, figure in series.get(code, {}).items()
                if place.level != suppression.EXEMPT_LEVEL
                and figure is not None
                and 0 < figure.base < SMALL
            }
    return out


def workstation_coverage(jurisdiction: Jurisdiction, years: list[int]) -> dict[int, Figure]:
    """C-LAW-03: townships under the place with a workstation open by the end of the year,
    over all townships of the registry."""
    if not years:
        return {}
    columns = [
        func.sum(
            case(
                (
                    and_(
                        Jurisdiction.workstation_since.is_not(None),
                        Jurisdiction.workstation_since <= date(year, 12, 31),
                    ),
                    1,
                ),
                else_=0,
            )
        )
        for year in years
    ]
    row = db.session.execute(
        select(func.count(), *columns).where(
            Jurisdiction.path.startswith(jurisdiction.path), Jurisdiction.level == "township"
        )
    ).one()
    total, counts = row[0], row[1:]
    if not total:
        return {year: Figure(None, 0.0, 0.0) for year in years}
    return {
        year: Figure(float(n or 0) / total * 100, float(n or 0), float(total))
        for year, n in zip(years, counts, strict=True)
    }


def series_for(codes, scope: CountScope, first: int, last: int) -> dict[str, dict[int, Figure]]:
    """Yearly figures first..last of the given indicators at the scope's place."""
    codes = list(codes)
    years = list(range(first, last + 1))
    out: dict[str, dict[int, Figure]] = {code: {} for code in codes}
    case_codes = [c for c in codes if c in compute.CASE_CODES]
    if "C-SAFE-03" in codes:
        case_codes.append("C-SAFE-03")
    if case_codes:
        figures = compute.compute(scope, P.years(first, last), codes=case_codes)
        # Before the place kept its cases here there is nothing to count, not zero.
        since = compute.first_record_year(scope)
        for code in case_codes:
            by_key = figures.get(code, {})
            out[code] = {
                year: (
                    by_key.get((index, None), compute.empty(code))
                    if since is not None and year >= since
                    else Figure(None)
                )
                for index, year in enumerate(years)
            }
    submitted = [c for c in codes if catalogue.CATALOGUE[c].source == "submitted"]
    if "C-SAFE-03" in codes:
        submitted.append("POP-CHILD")
    if submitted:
        rows = submissions.accepted_values(submitted, scope.jurisdiction, first, last)
        for (code, year), row in rows.items():
            out.setdefault(code, {})[year] = Figure(row.value, row.numerator, row.denominator)
    if "C-LAW-03" in codes:
        out["C-LAW-03"] = workstation_coverage(scope.jurisdiction, years)
    if "C-SAFE-03" in codes:
        # Violent harm per 1000 children: cases counted here, children reported by the unit.
        harmed, children = out.get("C-SAFE-03", {}), out.pop("POP-CHILD", {})
        rates = {}
        for year in years:
            num = harmed.get(year)
            population = children.get(year)
            if num is None or num.value is None or population is None or not population.value:
                rates[year] = Figure(None, num.numerator if num else None, None)
            else:
                rates[year] = Figure(
                    num.numerator / population.value * 1000, num.numerator, population.value
                )
        out["C-SAFE-03"] = rates
    return out


def plan_rows(
    plan: Plan, year: int, scope: CountScope, hide_small: bool, with_case_rows: bool = True
) -> list[Row]:
    """The rows of the plan's table for `year` at the scope's place, with status."""
    targets = list(plan.targets)
    codes = [t.indicator_code for t in targets]
    extra = [c for c in CASE_INDICATORS_BY_KIND.get(plan.kind, ()) if c not in codes]
    if with_case_rows:
        codes += extra
    counted = [c for c in codes if countable(c, scope)]
    first = min(plan.baseline_year, year)
    series = series_for(counted, scope, first, year)
    hidden_in = hidden_years(counted, scope, first, year, series) if hide_small else {}
    rows = []
    by_code = {t.indicator_code: t for t in targets}
    for code in codes:
        indicator = catalogue.CATALOGUE[code]
        target = by_code.get(code)
        if code not in counted:
            continue
        figures = series.get(code, {})
        figure = figures.get(year)
        hidden_years_ = hidden_in.get(code, set())
        hidden = year in hidden_years_
        # A hidden number must not leak through the trend, nor through the status and
        # its reason, which are worked out from the values shown.
        values = {
            y: (None if y in hidden_years_ or f is None else f.value) for y, f in figures.items()
        }
        row = Row(indicator, target, figure, values, suppressed=hidden)
        if target is not None:
            row.status = evaluate(rule_for(target), values, year)
        if code == "PO-05" and figure is not None and not hidden:
            row.median = compute.median_hours(scope, P.years(year, year)[0])
        rows.append(row)
    return rows


def countable(code: str, scope: CountScope) -> bool:
    """Whether this scope may count the indicator at all (a child supervisor counts
    mandatory reports only; submitted and registry figures are open to all readers)."""
    if code not in compute.CASE_CODES:
        return True
    if code == "HL-01":
        return scope.hotline
    needs = {
        "MR": "mandatory_report",
        "DV": "dv_warning",
        "PO": "protection_order",
        "LA": "legal_aid",
    }.get(code[:2])
    if needs is None:  # FU-01 counts every type the scope may count
        return bool(scope.case_types)
    return needs in scope.case_types


def breakdown(code: str, scope: CountScope, year: int, by: str, hide_small: bool) -> list[dict]:
    """One indicator cut by a breakdown for a year: [{key, label, value, numerator,
    denominator, display, suppressed}], in a stable order, every category listed (an empty
    one as 0, or no rate). With `hide_small`, small numbers and the cells that would give
    them away are hidden (suppression.py)."""
    from flask_babel import lazy_gettext as _l

    from ..vocab import AGE_BANDS, ORG_TYPES, SEXES, SITUATIONS, label
    from ..workflows import WORKFLOWS

    periods = P.split(year, by) if by in ("quarter", "month") else P.years(year, year)
    dimension = None if by in ("quarter", "month") else by
    source_code = "C-SAFE-03" if code == "C-SAFE-03" else code
    figures = compute.compute(scope, periods, by=dimension, codes=[source_code]).get(
        source_code, {}
    )
    places = {}
    if by in compute.LEVEL_BREAKDOWNS:
        places = {
            j.id: j
            for j in db.session.scalars(
                select(Jurisdiction).where(
                    Jurisdiction.path.startswith(scope.jurisdiction.path),
                    Jurisdiction.level == by,
                )
            )
        }
    if by in ("quarter", "month"):
        figures = {
            (index, None): figures.get((index, None), compute.empty(source_code))
            for index in range(len(periods))
        }
    elif by not in compute.LEVEL_BREAKDOWNS and source_code in compute.CASE_CODES:
        found = [key for _index, key in figures]
        for key in suppression.categories(by, found, scope, periods):
            figures.setdefault((0, key), compute.empty(source_code))
    hidden_cells: set = set()
    if hide_small and source_code in compute.CASE_CODES:
        if by in compute.LEVEL_BREAKDOWNS:
            hidden_at = suppression.hidden_places(scope, [source_code], P.years(year, year))
            hidden_cells = {(jid, None) for jid in hidden_at.get(source_code, {}).get(0, ())}
        else:
            hidden_cells, _keys = suppression.hidden_cells(scope, source_code, year, by)
    labels = {
        "sex": lambda k: label({**SEXES, "unknown": _l("Unknown")}, k),
        "age": lambda k: label(AGE_BANDS, k),
        "case_type": lambda k: str(WORKFLOWS[k].label) if k in WORKFLOWS else str(k),
        "reporter_type": lambda k: label(ORG_TYPES, k),
        "receiving_unit": lambda k: label(ORG_TYPES, k),
        "situation": lambda k: f"{k}. {label(SITUATIONS, k)}",
    }
    rows = []
    for (index, key), figure in figures.items():
        if by in ("quarter", "month"):
            key, text = periods[index].key, periods[index].key
            place = scope.jurisdiction
        elif by in compute.LEVEL_BREAKDOWNS:
            place = places.get(key)
            if place is None:
                continue
            text = place.name
        else:
            place = scope.jurisdiction
            text = labels.get(by, _call_label(by))(key)
        if by in compute.LEVEL_BREAKDOWNS:
            hidden = (place.id, None) in hidden_cells
        else:
            cell_key = index if by in ("quarter", "month") else key
            hidden = (scope.jurisdiction.id, cell_key) in hidden_cells
        rows.append(
            {
                "key": key,
                "label": text,
                "value": None if hidden else figure.value,
                "numerator": None if hidden else figure.numerator,
                "denominator": None if hidden else figure.denominator,
                "display": MARK if hidden else fmt(figure.value),
                "suppressed": hidden,
            }
        )
    if by in compute.LEVEL_BREAKDOWNS:
        # Places without a single case still appear, with 0 (or no rate).
        seen = {row["key"] for row in rows}
        for jid, place in places.items():
            if jid not in seen:
                rows.append(_empty_row(code, jid, place.name, (jid, None) in hidden_cells))
    order = {"age": list(AGE_BANDS), "sex": [*SEXES, "unknown"]}.get(by)
    if order:
        rows.sort(key=lambda r: order.index(r["key"]) if r["key"] in order else len(order))
    elif by in compute.LEVEL_BREAKDOWNS:
        rows.sort(key=lambda r: places[r["key"]].code)
    else:
        rows.sort(key=lambda r: str(r["key"]))
    return rows


def _empty_row(code: str, key, text: str, hidden: bool = False) -> dict:
    """A place without a case: 0 (or no rate) — or hidden, next to a hidden neighbour."""
    count = not catalogue.CATALOGUE[code].is_rate and code != "PO-05"
    value = 0.0 if count else None
    if hidden:
        return {
            "key": key,
            "label": text,
            "value": None,
            "numerator": None,
            "denominator": None,
            "display": MARK,
            "suppressed": True,
        }
    return {
        "key": key,
        "label": text,
        "value": value,
        "numerator": 0.0,
        "denominator": None if count else 0.0,
        "display": fmt(value),
        "suppressed": False,
    }


def _call_label(by: str):
    from ..vocab import CALL_ACTIONS, CALL_CATEGORIES, CALL_LINES, label

    vocabulary = {"category": CALL_CATEGORIES, "action": CALL_ACTIONS, "line": CALL_LINES}.get(by)
    return (lambda k: label(vocabulary, k)) if vocabulary else str
