"""Small numbers that reveal nothing: which indicator cells a reader without access to
the identities of a place is not shown (issue 12; indicators.md).

The rule, in two steps, for each indicator and period:

1. Primary suppression. A cell resting on 1–4 cases is hidden: a count of 1–4, a rate
   whose numerator or denominator is 1–4, a mean over 1–4 cases. Every level below the
   county: townships, villages, and every breakdown cell (sex, age band, situation,
   reporter type, case type, quarter, month …), the county's breakdowns included. Only the
   county's own totals are always shown.
2. Complementary suppression, to a fixed point. The cells come in additive groups: the
   children of a place add up to the place (with the place's "residual", the cases
   recorded at the place itself, which is never shown), and the cells of a breakdown add
   up to their place's total; the breakdown cells of a place's children add up to the
   place's breakdown cell. In every group where anything is hidden (a member or its
   total): every zero is hidden too, so that "<5" next to zeros cannot tell where the
   case is; and at least two members that are not zero are hidden, the smallest first
   (a residual first, as it costs nothing), so no hidden cell is the total minus the
   shown ones. Hiding one cell can touch other groups (a hidden township's villages, a
   hidden village's breakdown), so the groups are walked again until nothing changes.

Totals are settled first over the tree of places (`hidden_places`); a breakdown then takes
them as given (`hidden_cells`): a breakdown never unhides nor hides a total, so every
breakdown of the same total is protected against it in the same way.

What is hidden shows as MARK, the same for a small number, a zero and a complement, so
the mark itself says nothing about the value.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Jurisdiction
from ..vocab import (
    AGE_BANDS,
    CALL_ACTIONS,
    CALL_CATEGORIES,
    CALL_LINES,
    ORG_TYPES,
    REPORTER_ORG_TYPES,
    SEXES,
    SITUATIONS,
)
from . import compute
from . import periods as P
from .compute import CountScope, Figure

SMALL = 5  # 1..SMALL-1 cases are a small number
MARK = "*"
EXEMPT_LEVEL = "county"  # a county's own totals are always shown

# Every category a breakdown can have: listed even when empty, so that where the cases
# are not is hidden along with where they are.
CATEGORIES = {
    "sex": (*SEXES, "unknown"),
    "age": tuple(AGE_BANDS),
    "situation": tuple(SITUATIONS),
    "reporter_type": REPORTER_ORG_TYPES,
    "receiving_unit": tuple(ORG_TYPES),
    "category": tuple(CALL_CATEGORIES),
    "action": tuple(CALL_ACTIONS),
    "line": tuple(CALL_LINES),
}

# The method as the pages tell it (the workbook's 指标说明 sheet has the same, in Chinese).
METHOD = (
    _l(
        "A figure resting on 1 to 4 cases is hidden at every level below the county — "
        "townships, villages — and in every breakdown (sex, age band, situation, reporter "
        "type, case type, quarter, month), with every rate or share resting on it."
    ),
    _l(
        "So that no hidden figure can be worked out from the others — a place's total minus "
        "its other parts, a breakdown against its total, another breakdown of the same "
        "total — more figures are hidden with it: in every set of figures that add up to a "
        "total and hold a hidden one, every zero and at least two figures that are not zero "
        "are hidden, the smallest first, across places and breakdowns until none is left "
        "exposed."
    ),
    _l(
        "The same mark stands for every hidden figure, small or not. The county's own "
        "totals are always shown; people who may see the identities of every case of a "
        "place see its figures in full."
    ),
)


@dataclass(frozen=True)
class Cell:
    size: float  # the cases the cell rests on
    small: bool  # 1–4 cases: hidden on its own


def kind(code: str) -> str:
    if code in compute.DERIVED:
        return "ratio"
    return compute.MEASURES[code].kind


def cell(code: str, num: float | None, den: float | None) -> Cell:
    def few(x):
        return x is not None and 0 < x < SMALL

    k = kind(code)
    if k == "ratio":
        return Cell(den or 0, few(num) or few(den))
    if k == "mean":
        return Cell(den or 0, few(den))
    return Cell(num or 0, few(num))


def solve(
    cells: dict[Hashable, Cell],
    groups: Iterable[tuple[Hashable | None, list]],
    primary: set,
    locked: frozenset = frozenset(),
    fixed: frozenset = frozenset(),
    free: frozenset = frozenset(),
) -> set:
    """The hidden cells: `primary` and `locked` ones, then complements to a fixed point.

    groups: (total key or None, member keys). `fixed` cells are never hidden (a county's
    totals, and totals a breakdown must leave as they are); `free` cells are never shown
    anyway (residuals), so they are the first complements."""
    groups = list(groups)
    hidden = (set(primary) - set(fixed)) | set(locked)
    changed = True
    while changed:
        changed = False
        for total, members in groups:
            touched = (total is not None and total in hidden) or any(m in hidden for m in members)
            if not touched:
                continue
            for m in members:
                if m not in hidden and m not in fixed and cells[m].size == 0:
                    hidden.add(m)
                    changed = True
            nonzero = sum(1 for m in members if m in hidden and cells[m].size > 0)
            while nonzero < 2:
                candidates = [
                    m for m in members if m not in hidden and m not in fixed and cells[m].size > 0
                ]
                if not candidates:
                    break
                pick = min(candidates, key=lambda m: (m not in free, cells[m].size, str(m)))
                hidden.add(pick)
                nonzero += 1
                changed = True
    return hidden


class Places:
    """The tree of places under a root (the reader's area)."""

    def __init__(self, root: Jurisdiction):
        self.root = root.id
        rows = db.session.execute(
            select(Jurisdiction.id, Jurisdiction.parent_id, Jurisdiction.level).where(
                Jurisdiction.path.startswith(root.path)
            )
        ).all()
        self.level = {jid: level for jid, _parent, level in rows}
        self.parent = {jid: parent for jid, parent, _level in rows if jid != self.root}
        self.children: dict[int, list[int]] = defaultdict(list)
        for jid, parent in self.parent.items():
            self.children[parent].append(jid)

    def up(self, jid: int):
        """The place and its ancestors up to the root."""
        while jid is not None:
            yield jid
            if jid == self.root:
                return
            jid = self.parent.get(jid)

    def exempt(self, jid: int) -> bool:
        return self.level.get(jid) == EXEMPT_LEVEL


def _sums(own: dict[int, Figure], places: Places) -> dict[int, tuple[float, float | None]]:
    """Each place's numerator and denominator: its own cases and all below it."""
    sums: dict[int, list] = {jid: [0.0, None] for jid in places.level}
    for jid, figure in own.items():
        if jid not in places.level:
            continue
        for node in places.up(jid):
            sums[node][0] += figure.numerator or 0
            if figure.denominator is not None:
                sums[node][1] = (sums[node][1] or 0) + figure.denominator
    return {jid: (num, den) for jid, (num, den) in sums.items()}


def _own(own: dict[int, Figure], jid: int) -> tuple[float, float | None]:
    figure = own.get(jid)
    return (figure.numerator or 0, figure.denominator) if figure else (0.0, None)


def _tree(code: str, places: Places, own: dict[int, Figure], key=None):
    """Cells and groups of one indicator over the tree for one category (None: totals)."""
    sums = _sums(own, places)
    cells, groups, primary, free = {}, [], set(), set()
    for jid, (num, den) in sums.items():
        c = cell(code, num, den)
        cells[(jid, key)] = c
        if c.small and (key is not None or not places.exempt(jid)):
            primary.add((jid, key))
        if places.children.get(jid):
            residual = ("residual", jid, key)
            cells[residual] = cell(code, *_own(own, jid))
            free.add(residual)
            if cells[residual].small and not places.exempt(jid):
                primary.add(residual)
            members = [(child, key) for child in places.children[jid]] + [residual]
            groups.append(((jid, key), members))
    return cells, groups, primary, free


def _by_period(figures: dict, places: Places) -> dict[int, dict]:
    """{bucket: {category: {jid: Figure}}} from compute(by_place=True)'s keys."""
    out: dict[int, dict] = defaultdict(lambda: defaultdict(dict))
    for (bucket, (jid, key)), figure in figures.items():
        out[bucket][key][jid] = figure
    return out


def root_scope(scope: CountScope) -> CountScope:
    root = scope.root or scope.jurisdiction
    return CountScope(root, scope.case_types, scope.hotline, root)


def _own_by_period(top: CountScope, places: Places, codes, periods) -> dict[str, dict]:
    """{code: {period index: {place id: Figure of the cases recorded there}}}."""
    figures = compute.compute(top, periods, codes=codes, by_place=True)
    return {
        code: {
            bucket: by_key.get(None, {})
            for bucket, by_key in _by_period(figures.get(code, {}), places).items()
        }
        for code in codes
    }


def _hidden_totals(code: str, places: Places, own: dict[int, Figure]) -> set[int]:
    cells, groups, primary, free = _tree(code, places, own)
    fixed = frozenset((jid, None) for jid in places.level if places.exempt(jid))
    hidden = solve(cells, groups, primary, fixed=fixed, free=frozenset(free))
    return {key[0] for key in hidden if len(key) == 2}


def hidden_places(scope: CountScope, codes, periods: list[P.Period]) -> dict[str, dict[int, set]]:
    """{code: {period index: ids of the places whose total is hidden}} over the reader's
    whole area, for the case-derived `codes`."""
    codes = [c for c in codes if c in compute.CASE_CODES]
    if not codes:
        return {}
    top = root_scope(scope)
    places = Places(top.jurisdiction)
    own = _own_by_period(top, places, codes, periods)
    return {
        code: {
            index: _hidden_totals(code, places, own[code].get(index, {}))
            for index in range(len(periods))
        }
        for code in codes
    }


def categories(by: str, found: Iterable, scope: CountScope, periods: list[P.Period]) -> list:
    if by in ("quarter", "month"):
        return list(range(len(periods)))
    if by == "case_type":
        listed = sorted(scope.case_types)
    else:
        listed = list(CATEGORIES.get(by, ()))
    return listed + sorted({k for k in found if k not in listed}, key=str)


def _layer(top: CountScope, places: Places, code: str, year: int, by: str):
    """One breakdown's categories and {category: {place id: Figure}} for the year."""
    if by in ("quarter", "month"):
        periods = P.split(year, by)
        raw = compute.compute(top, periods, codes=[code], by_place=True).get(code, {})
        per_key = {
            bucket: by_key.get(None, {}) for bucket, by_key in _by_period(raw, places).items()
        }
    else:
        periods = P.years(year, year)
        raw = compute.compute(top, periods, by=by, codes=[code], by_place=True).get(code, {})
        per_key = dict(_by_period(raw, places).get(0, {}))
    return categories(by, per_key, top, periods), per_key


def hidden_cells(scope: CountScope, code: str, year: int, by: str) -> tuple[set, list]:
    """The hidden (place id, category) cells of a breakdown of `code` in `year` over the
    reader's area, and the categories of the breakdown. Quarters and months are
    categories 0, 1, … of the year; they are settled together, as the months of a
    quarter add up to it."""
    top = root_scope(scope)
    places = Places(top.jurisdiction)
    own = _own_by_period(top, places, [code], P.years(year, year))[code].get(0, {})
    totals = _hidden_totals(code, places, own)
    layers = ("quarter", "month") if by in ("quarter", "month") else (by,)
    cells, groups, primary, free = {}, [], set(), set()
    sums = _sums(own, places)
    layer_keys = {}
    for layer in layers:
        keys, per_key = _layer(top, places, code, year, layer)
        layer_keys[layer] = keys
        for key in keys:
            c, g, p, f = _tree(code, places, per_key.get(key, {}), (layer, key))
            cells |= c
            groups += g
            primary |= p
            free |= f
        for jid in sums:
            groups.append(((jid, "total"), [(jid, (layer, key)) for key in keys]))
    if len(layers) == 2:
        for jid in sums:
            for quarter in range(4):
                months = [(jid, ("month", m)) for m in range(3 * quarter, 3 * quarter + 3)]
                groups.append(((jid, ("quarter", quarter)), months))
    # The totals, as settled over the tree: hidden ones stay hidden, shown ones shown.
    for jid, (num, den) in sums.items():
        cells[(jid, "total")] = cell(code, num, den)
    locked = frozenset((jid, "total") for jid in totals)
    fixed = frozenset((jid, "total") for jid in sums if jid not in totals)
    hidden = solve(cells, groups, primary, locked=locked, fixed=fixed, free=frozenset(free))
    wanted = {
        (key[0], key[1][1])
        for key in hidden
        if len(key) == 2 and isinstance(key[1], tuple) and key[1][0] == by
    }
    return wanted, layer_keys[by]
