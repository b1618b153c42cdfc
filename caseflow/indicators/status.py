"""Targets and early warning (indicators.md §C): how a plan's written target reads, and
the status of an indicator in a year with the reason shown to people.

Pure functions over a series of yearly values, so each rule is tested without a database.
"""

import re
from dataclasses import dataclass

from flask_babel import gettext as _

NUMERIC = ("ge", "gt", "le", "lt", "eq")

_WORDS = (
    (("提高", "增加", "提升", "上升"), "increase"),
    (("降低", "减少", "下降"), "decrease"),
    (("得到控制", "控制"), "controlled"),
    (("保持合理比例", "合理比例"), "band"),
)
_SIGNS = {"≥": "ge", ">=": "ge", ">": "gt", "≤": "le", "<=": "le", "<": "lt", "=": "eq"}
_NUMBER = re.compile(r"^(≥|>=|>|≤|<=|<|=)?\s*(\d+(?:\.\d+)?)\s*%?$")


def read_target(text: str) -> tuple[str, float | None]:
    """The direction and value of a target as printed in a plan's 专栏一 table:
    提高/增加 → increase; 降低/减少/下降 → decrease; 得到控制 → controlled; 保持合理比例 →
    band; "≥ 93", "<0.1", "＜0.1" (full-width), "100" (= 100) as written."""
    cleaned = text.strip().translate(str.maketrans("＜＞＝≧≦％", "<>=≥≤%"))
    for words, direction in _WORDS:
        if any(word in cleaned for word in words):
            return direction, None
    match = _NUMBER.match(cleaned.replace(" ", ""))
    if not match:
        raise ValueError(f"unreadable target: {text!r}")
    sign, number = match.groups()
    return _SIGNS.get(sign or "=", "eq"), float(number)


@dataclass(frozen=True)
class Rule:
    direction: str
    text: str  # the target as written, for reasons
    value: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    baseline_year: int = 2020
    end_year: int = 2030
    trend_years: int = 3
    swing_percent: float = 20.0


@dataclass(frozen=True)
class Status:
    code: str  # met / on_track / at_risk / off_track / no_data
    reason: str


def fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _met(rule: Rule, value: float, baseline: float | None) -> bool | None:
    """Whether the target holds now; None when it needs a baseline there is not."""
    d, t = rule.direction, rule.value
    if d in ("increase", "decrease", "controlled"):
        if baseline is None:
            return None
        return {
            "increase": value > baseline,
            "decrease": value < baseline,
            "controlled": value <= baseline,
        }[d]
    if d == "band":
        return rule.band_low <= value <= rule.band_high
    return {
        "ge": value >= t,
        "gt": value > t,
        "le": value <= t,
        "lt": value < t,
        "eq": abs(value - t) < 1e-9,
    }[d]


def _wanted_sign(rule: Rule, value: float) -> int:
    """+1 if the target wants the value higher, -1 lower, 0 if it is where it should be."""
    d = rule.direction
    if d in ("increase", "ge", "gt"):
        return 1
    if d in ("decrease", "controlled", "le", "lt"):
        return -1
    if d == "band":
        return 1 if value < rule.band_low else -1 if value > rule.band_high else 0
    return (value < rule.value) - (value > rule.value)  # eq


def _baseline(rule: Rule, series: dict[int, float | None], year: int):
    """The plan's baseline year, or else the first earlier year with a value."""
    if series.get(rule.baseline_year) is not None:
        return rule.baseline_year, series[rule.baseline_year]
    for y in range(rule.baseline_year, year):
        if series.get(y) is not None:
            return y, series[y]
    return None, None


def evaluate(rule: Rule, series: dict[int, float | None], year: int) -> Status:
    """The status of an indicator in `year` from its yearly values (rules of §C):

    1. no value → no_data;
    2. the last `trend_years` changes all moved away from the target → at_risk (trend);
    3. the target holds now → met;
    4. the last change moved away by more than `swing_percent` → at_risk (swing);
    5. otherwise on_track if moving toward the target (numbers: the pace since the
       first year reaches it by the plan's end), else off_track.
    """
    value = series.get(year)
    if value is None:
        return Status("no_data", _("No value for %(year)d.", year=year))
    if rule.direction == "band" and (rule.band_low is None or rule.band_high is None):
        return Status("no_data", _("The plan owner has not set the band for this target."))
    sign = _wanted_sign(rule, value)
    target = rule.text
    changes = []
    for y in range(year - rule.trend_years, year):
        before, after = series.get(y), series.get(y + 1)
        if before is None or after is None:
            changes = []
            break
        changes.append(after - before)
    if changes and sign != 0 and all(change * sign < 0 for change in changes):
        if sign < 0:
            reason = _("%(n)d years rising, target %(target)s", n=len(changes), target=target)
        else:
            reason = _("%(n)d years falling, target %(target)s", n=len(changes), target=target)
        return Status("at_risk", reason)

    base_year, baseline = _baseline(rule, series, year)
    met = _met(rule, value, baseline)
    if met is None:
        return Status(
            "on_track",
            _("First value (%(value)s); no earlier year to compare with.", value=fmt(value)),
        )
    if met:
        if rule.direction in ("increase", "decrease", "controlled"):
            return Status(
                "met",
                _(
                    "%(value)s against %(base)s in %(year)d, target %(target)s",
                    value=fmt(value),
                    base=fmt(baseline),
                    year=base_year,
                    target=target,
                ),
            )
        return Status("met", _("%(value)s, target %(target)s", value=fmt(value), target=target))

    previous = series.get(year - 1)
    if previous not in (None, 0) and (value - previous) * sign < 0:
        swing = abs(value - previous) / abs(previous) * 100
        if swing > rule.swing_percent:
            return Status(
                "at_risk",
                _(
                    "Moved %(swing)s%% away from the target since %(year)d (threshold "
                    "%(limit)s%%), target %(target)s",
                    swing=fmt(swing),
                    year=year - 1,
                    limit=fmt(rule.swing_percent),
                    target=target,
                ),
            )

    if rule.direction in ("increase", "decrease", "controlled"):
        if previous is not None and (value - previous) * sign > 0:
            return Status(
                "on_track",
                _(
                    "Moving toward the target but not yet past %(base)s in %(year)d, target "
                    "%(target)s",
                    base=fmt(baseline),
                    year=base_year,
                    target=target,
                ),
            )
        return Status(
            "off_track",
            _(
                "%(value)s against %(base)s in %(year)d, target %(target)s",
                value=fmt(value),
                base=fmt(baseline),
                year=base_year,
                target=target,
            ),
        )

    first_year = next(
        (y for y in range(rule.baseline_year, year) if series.get(y) is not None), None
    )
    if first_year is None:
        return Status(
            "off_track",
            _(
                "%(value)s, target %(target)s; no earlier year to project from",
                value=fmt(value),
                target=target,
            ),
        )
    pace = (value - series[first_year]) / (year - first_year)
    projected = value + pace * (rule.end_year - year)
    if rule.direction in ("eq", "band"):
        # Reaching the value (or the band's near edge) at some point before the end counts.
        edge = (
            rule.value
            if rule.direction == "eq"
            else (rule.band_low if value < rule.band_low else rule.band_high)
        )
        reached = (projected - edge) * sign >= 0
    else:
        reached = _met(rule, projected, None)
    status = "on_track" if reached else "off_track"
    return Status(
        status,
        _(
            "%(value)s now; %(projected)s by %(end)d at the pace since %(first)d, target "
            "%(target)s",
            value=fmt(value),
            projected=fmt(projected),
            end=rule.end_year,
            first=first_year,
            target=target,
        ),
    )
