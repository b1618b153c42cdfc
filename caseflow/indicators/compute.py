"""Case-derived indicators (indicators.md §B), computed by GROUP BY queries.

Each *source* is one FROM clause with the time column of the event its indicators count
("a case counts in the period of the event the formula names"); each *measure* is a
conditional sum over that source. All measures of a source come from one query, so the
whole table for a year is about a dozen indexed range scans — never a case in Python.

Sealed and test cases are never counted. What is counted is limited by a CountScope: a
jurisdiction subtree and the case types the user may count (policy.count_scope).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import String, and_, case, cast, distinct, exists, false, func, or_, select, true
from sqlalchemy.orm import aliased

from .. import timeutil
from ..extensions import db
from ..models import (
    Case,
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
)
from ..vocab import SITUATIONS
from . import periods as P
from .sql import age_band, hours_between, json_list_has

Subject = aliased(Person, name="subject")
ToOrg = aliased(Organisation, name="to_org")
CallOrg = aliased(Organisation, name="call_org")

# Situations of 强制报告意见 Art. 4 that are violence against the child (injury to private
# parts, sexual abuse, multiple injuries from beating or abuse): C-SAFE-03's numerator.
VIOLENCE_SITUATIONS = (1, 2, 3, 4)
VISIT_KINDS = ("visit_due", "first_visit_due")


@dataclass(frozen=True)
class CountScope:
    jurisdiction: Jurisdiction
    case_types: frozenset[str]
    hotline: bool = True
    # The reader's whole area (None: the jurisdiction): small-number suppression weighs a
    # place against its neighbours there (suppression.py).
    root: Jurisdiction | None = None


@dataclass(frozen=True)
class Figure:
    value: float | None
    numerator: float | None = None
    denominator: float | None = None

    @property
    def base(self) -> float:
        """How many cases the figure rests on (small-number suppression)."""
        n = self.denominator if self.denominator is not None else self.numerator
        return n or 0


@dataclass(frozen=True)
class Measure:
    code: str
    kind: str  # count / ratio / distinct / mean
    numerator: Callable | None = None  # () -> SQL condition (or expression for mean)
    denominator: Callable | None = None
    scale: float = 1.0
    distinct_of: Callable | None = None


@dataclass(frozen=True)
class Source:
    name: str
    time: Callable  # () -> the column of the event counted
    joins: Callable  # (select) -> select with FROM and joins
    case_types: tuple[str, ...] | None  # None: every type; () : not case-based (hotline)
    where: Callable = lambda: true()
    needs_subject: bool = False
    dimensions: dict = field(default_factory=dict)
    measures: tuple[Measure, ...] = ()


def _on_time(kind: str):
    """The deadline of this kind was met in time: one met and none missed (a transfer
    opens a new acceptance deadline, so a case can hold several of one kind)."""
    met = exists().where(
        Deadline.case_id == Case.id, Deadline.kind == kind, Deadline.status == "met"
    )
    missed = exists().where(
        Deadline.case_id == Case.id, Deadline.kind == kind, Deadline.status == "missed"
    )
    return and_(met, ~missed)


def _fired(trigger: str):
    return exists().where(Event.case_id == Case.id, Event.trigger == trigger)


def _subject_key():
    # One person granted aid twice in a year counts once (by ID number when known).
    return func.coalesce(Subject.id_number, cast(Case.id, String))


def _count(code, cond=None):
    return Measure(code, "count", numerator=cond)


def _ratio(code, num, den=None, scale=100.0):
    return Measure(code, "ratio", numerator=num, denominator=den, scale=scale)


def _case_dimensions(time):
    return {
        "sex": lambda: func.coalesce(Subject.sex, "unknown"),
        "age": lambda: age_band(Subject.birth_date, time()),
        "case_type": lambda: Case.type,
    }


def _from(table, on=None):
    def joins(stmt):
        stmt = stmt.select_from(table)
        if table is not Case:
            stmt = stmt.join(Case, on() if on else Case.id == table.case_id)
        return stmt

    return joins


def _mr_time():
    return MandatoryReport.reported_at


def _mr_event_time():
    return Event.at


def _mr_events(stmt):
    return (
        stmt.select_from(Event)
        .join(Case, Case.id == Event.case_id)
        .join(MandatoryReport, MandatoryReport.case_id == Case.id)
    )


def _referral_joins(stmt):
    return (
        stmt.select_from(Referral)
        .join(Case, Case.id == Referral.case_id)
        .join(ToOrg, ToOrg.id == Referral.to_org_id)
    )


def _call_joins(stmt):
    return stmt.select_from(HotlineCall).join(CallOrg, CallOrg.id == HotlineCall.org_id)


def _situations():
    return {
        code: (lambda code=code: json_list_has(MandatoryReport.situation_codes, code))
        for code in SITUATIONS
    }


def _accepted():
    return _fired("accept")


SOURCES: tuple[Source, ...] = (
    Source(
        "mr_reported",
        _mr_time,
        _from(MandatoryReport),
        ("mandatory_report",),
        dimensions={
            **_case_dimensions(_mr_time),
            "reporter_type": lambda: MandatoryReport.reporter_org_type,
        },
        measures=(
            _count("MR-01"),
            _ratio("MR-02", lambda: _on_time("report_late")),
            _ratio("MR-03", _accepted),
            _ratio("MR-03T", lambda: _on_time("accept_due"), _accepted),
            _ratio("MR-05", lambda: _on_time("feedback_due"), _accepted),
        ),
    ),
    Source(
        "mr_verified",
        _mr_event_time,
        _mr_events,
        ("mandatory_report",),
        where=lambda: Event.trigger.in_(("verify", "mark_unfounded")),
        dimensions={
            **_case_dimensions(_mr_event_time),
            "reporter_type": lambda: MandatoryReport.reporter_org_type,
        },
        measures=(
            _ratio("MR-04", lambda: Event.trigger == "verify"),
            _count(
                "C-SAFE-03",
                lambda: and_(
                    Event.trigger == "verify",
                    or_(
                        *(
                            json_list_has(MandatoryReport.confirmed_situations, code)
                            for code in VIOLENCE_SITUATIONS
                        )
                    ),
                ),
            ),
        ),
    ),
    Source(
        "mr_referrals",
        lambda: Referral.sent_at,
        _referral_joins,
        ("mandatory_report",),
        where=lambda: Referral.status != "withdrawn",
        dimensions={
            **_case_dimensions(lambda: Referral.sent_at),
            "receiving_unit": lambda: ToOrg.type,
        },
        measures=(_ratio("MR-06", lambda: Referral.status == "completed"),),
    ),
    Source(
        "dv_calls",
        lambda: DvIncident.call_at,
        _from(DvIncident),
        ("dv_warning",),
        dimensions=_case_dimensions(lambda: DvIncident.call_at),
        measures=(_count("DV-01"),),
    ),
    Source(
        "dv_warnings",
        lambda: DvIncident.warning_issued_at,
        _from(DvIncident),
        ("dv_warning",),
        dimensions=_case_dimensions(lambda: DvIncident.warning_issued_at),
        measures=(_count("DV-02"), _ratio("DV-04", lambda: _on_time("deliver_due"))),
    ),
    Source(
        "visits_due",
        lambda: Deadline.due_at,
        _from(Deadline),
        None,
        # Visits that have fallen due and were made or missed (waived ones are excused).
        where=lambda: and_(Deadline.kind.in_(VISIT_KINDS), Deadline.status.in_(("met", "missed"))),
        dimensions=_case_dimensions(lambda: Deadline.due_at),
        measures=(
            _ratio(
                "DV-05",
                lambda: Deadline.status == "met",
                lambda: Case.type == "dv_warning",
            ),
            Measure(
                "FU-01",
                "distinct",
                numerator=lambda: Deadline.status == "missed",
                distinct_of=lambda: Deadline.case_id,
            ),
        ),
    ),
    Source(
        "po_filed",
        lambda: ProtectionOrder.filed_at,
        _from(ProtectionOrder),
        ("protection_order",),
        dimensions=_case_dimensions(lambda: ProtectionOrder.filed_at),
        measures=(_count("PO-01"),),
    ),
    Source(
        "po_issued",
        lambda: ProtectionOrder.issued_at,
        _from(ProtectionOrder),
        ("protection_order",),
        dimensions=_case_dimensions(lambda: ProtectionOrder.issued_at),
        measures=(_count("PO-02"),),
    ),
    Source(
        "po_ruled",
        lambda: ProtectionOrder.ruled_at,
        _from(ProtectionOrder),
        ("protection_order",),
        dimensions=_case_dimensions(lambda: ProtectionOrder.ruled_at),
        measures=(
            _ratio("PO-03", lambda: ProtectionOrder.ruling == "issued"),
            _ratio("PO-04", lambda: _on_time("ruling_due")),
            Measure(
                "PO-05",
                "mean",
                numerator=lambda: hours_between(
                    ProtectionOrder.accepted_at, ProtectionOrder.ruled_at
                ),
                denominator=lambda: ProtectionOrder.accepted_at.is_not(None),
            ),
        ),
    ),
    Source(
        "po_violations",
        lambda: Event.at,
        _from(Event),
        ("protection_order",),
        where=lambda: Event.trigger == "record_violation",
        dimensions=_case_dimensions(lambda: Event.at),
        measures=(_count("PO-06"),),
    ),
    Source(
        "la_decided",
        lambda: LegalAid.decided_at,
        _from(LegalAid),
        ("legal_aid",),
        needs_subject=True,
        dimensions=_case_dimensions(lambda: LegalAid.decided_at),
        measures=(
            Measure(
                "LA-01",
                "distinct",
                numerator=lambda: and_(
                    LegalAid.decision == "granted",
                    Subject.sex == "F",
                    age_band(Subject.birth_date, LegalAid.decided_at) == "18+",
                ),
                distinct_of=_subject_key,
            ),
            Measure(
                "LA-01C",
                "distinct",
                numerator=lambda: and_(
                    LegalAid.decision == "granted",
                    age_band(Subject.birth_date, LegalAid.decided_at).in_(("0-5", "6-13", "14-17")),
                ),
                distinct_of=_subject_key,
            ),
            _ratio("LA-02", lambda: _on_time("decision_due")),
        ),
    ),
    Source(
        "hotline",
        lambda: HotlineCall.received_at,
        _call_joins,
        (),
        dimensions={
            "sex": lambda: func.coalesce(HotlineCall.subject_sex, "unknown"),
            "category": lambda: HotlineCall.category,
            "action": lambda: HotlineCall.action_taken,
            "line": lambda: HotlineCall.line,
        },
        measures=(_count("HL-01"),),
    ),
)

# Multi-valued breakdowns: a report can name several situations, so each is a condition.
MULTI_DIMENSIONS = {("mr_reported", "situation"): _situations}

LEVEL_BREAKDOWNS = ("township", "village")

# Indicators computed from other indicators of the same period and breakdown.
DERIVED = {"DV-03": ("DV-02", "DV-01", 100.0)}


def _measure_columns(measure: Measure, extra=None):
    """The SQL columns of one measure: numerator and denominator sums."""
    extra = extra if extra is not None else true()
    den = and_(extra, measure.denominator()) if measure.denominator else extra
    if measure.kind == "count":
        num = and_(den, measure.numerator()) if measure.numerator else den
        return func.sum(case((num, 1), else_=0)), None
    if measure.kind == "ratio":
        return (
            func.sum(case((and_(den, measure.numerator()), 1), else_=0)),
            func.sum(case((den, 1), else_=0)),
        )
    if measure.kind == "distinct":
        cond = and_(den, measure.numerator())
        return func.count(distinct(case((cond, measure.distinct_of()), else_=None))), None
    if measure.kind == "mean":
        return (
            func.sum(case((den, measure.numerator()), else_=None)),
            func.sum(case((den, 1), else_=0)),
        )
    raise ValueError(measure.kind)


def _figure(measure: Measure, num, den) -> Figure:
    num = float(num or 0)
    if measure.kind in ("count", "distinct"):
        return Figure(num, num, None)
    den = float(den or 0)
    if den == 0:
        return Figure(None, num, den)
    scale = measure.scale if measure.kind == "ratio" else 1.0
    return Figure(num / den * scale, num, den)


def _subtree(scope: CountScope):
    """The ids of the scope's place and every place under it (one prefix match)."""
    return select(Jurisdiction.id).where(Jurisdiction.path.startswith(scope.jurisdiction.path))


def _scope_where(source: Source, scope: CountScope):
    subtree = _subtree(scope)
    if source.case_types == ():
        place = func.coalesce(HotlineCall.jurisdiction_id, CallOrg.jurisdiction_id)
        return and_(place.in_(subtree)) if scope.hotline else false()
    types = (
        scope.case_types
        if source.case_types is None
        else (scope.case_types & frozenset(source.case_types))
    )
    if not types:
        return false()
    return and_(
        Case.sealed.is_(False),
        Case.is_test.is_(False),
        Case.type.in_(sorted(types)),
        Case.jurisdiction_id.in_(subtree),
    )


def _countable(source: Source, scope: CountScope) -> bool:
    if source.case_types == ():
        return scope.hotline
    if source.case_types is None:
        return bool(scope.case_types)
    return bool(scope.case_types & frozenset(source.case_types))


def _place_column(source: Source):
    if source.case_types == ():
        return func.coalesce(HotlineCall.jurisdiction_id, CallOrg.jurisdiction_id)
    return Case.jurisdiction_id


def _run_source(source, measures, scope, periods, by, by_place=False):
    """One GROUP BY query for the measures of a source. Rows: {(bucket, key): {code: Figure}};
    with `by_place` the key is (jurisdiction id, key): the cells small-number suppression
    works on (suppression.py), each case at the exact place it is recorded."""
    group = []
    if len(periods) > 1:
        group.append(P.bucket(source.time(), periods).label("bucket"))
    multi = MULTI_DIMENSIONS.get((source.name, by))
    if by_place:
        group.append(_place_column(source).label("place"))
    if by in LEVEL_BREAKDOWNS:
        group.append(_place_column(source).label("key"))
    elif by and not multi:
        group.append(source.dimensions[by]().label("key"))
    columns, layout = [], []
    keys = list(multi()) if multi else [None]
    for key in keys:
        extra = multi()[key]() if multi else None
        for measure in measures:
            num, den = _measure_columns(measure, extra)
            columns.append(num)
            columns.append(den if den is not None else func.count())
            layout.append((key, measure))
    stmt = source.joins(select(*group, *columns))
    needs_subject = source.needs_subject or by in ("sex", "age")
    if needs_subject and source.case_types != ():
        stmt = stmt.outerjoin(Subject, and_(Subject.case_id == Case.id, Subject.role == "subject"))
    stmt = stmt.where(P.within(source.time(), periods), source.where(), _scope_where(source, scope))
    if group:
        stmt = stmt.group_by(*group)
    results: dict = defaultdict(dict)
    for row in db.session.execute(stmt):
        values = list(row)
        bucket = values.pop(0) if len(periods) > 1 else 0
        place = values.pop(0) if by_place else None
        row_key = values.pop(0) if (by and not multi) else None
        for i, (key, measure) in enumerate(layout):
            num, den = values[2 * i], values[2 * i + 1]
            cell = key if multi else row_key
            results[(int(bucket), (place, cell) if by_place else cell)][measure.code] = _figure(
                measure, num, den
            )
    return results


def _roll_up(rows: dict, scope: CountScope, level: str) -> dict:
    """Add up figures grouped by jurisdiction into their ancestors at `level` (township or
    village) under the scope. Numerators and denominators add; rates are taken after."""
    parents = level_map(scope.jurisdiction, level)
    sums: dict = defaultdict(dict)
    for (bucket, place), figures in rows.items():
        target = parents.get(place)
        if target is None:
            continue
        for code, figure in figures.items():
            num, den = sums[(bucket, target)].get(code, (0.0, None))
            if figure.denominator is not None:
                den = (den or 0.0) + figure.denominator
            sums[(bucket, target)][code] = (num + (figure.numerator or 0), den)
    return {
        key: {code: _figure(MEASURES[code], num, den) for code, (num, den) in by_code.items()}
        for key, by_code in sums.items()
    }


def level_map(root: Jurisdiction, level: str) -> dict[int, int]:
    """Each jurisdiction id under `root` → the id of its ancestor (or itself) at `level`."""
    nodes = db.session.execute(
        select(Jurisdiction.id, Jurisdiction.path, Jurisdiction.level).where(
            Jurisdiction.path.startswith(root.path)
        )
    ).all()
    anchors = {path: jid for jid, path, lvl in nodes if lvl == level}
    result = {}
    for jid, path, _lvl in nodes:
        for anchor_path, anchor_id in anchors.items():
            if path.startswith(anchor_path):
                result[jid] = anchor_id
                break
    return result


MEASURES: dict[str, Measure] = {m.code: m for s in SOURCES for m in s.measures}
CASE_CODES = (*MEASURES, *DERIVED)


def compute(
    scope: CountScope,
    periods: list[P.Period],
    by: str | None = None,
    codes=None,
    by_place: bool = False,
) -> dict[str, dict[tuple[int, object], Figure]]:
    """Case-derived figures: {code: {(period index, breakdown key): Figure}}.

    `by` is a breakdown name (catalogue.BREAKDOWNS, except the time ones, which are
    expressed by the periods). The key is None without a breakdown, a jurisdiction id for
    township/village, else the value of the dimension. With `by_place` (not with a
    township/village breakdown) the key is (the jurisdiction a case is recorded at, key).
    """
    if by_place and by in LEVEL_BREAKDOWNS:
        raise ValueError("by_place already gives every place")
    wanted = set(codes) if codes is not None else set(CASE_CODES)
    for code, (num, den, _scale) in DERIVED.items():
        if code in wanted:
            wanted |= {num, den}
    out: dict[str, dict] = defaultdict(dict)
    for source in SOURCES:
        measures = [m for m in source.measures if m.code in wanted]
        if not measures or not _countable(source, scope):
            continue
        if (
            by
            and by not in LEVEL_BREAKDOWNS
            and by not in source.dimensions
            and ((source.name, by) not in MULTI_DIMENSIONS)
        ):
            continue
        rows = _run_source(source, measures, scope, periods, by, by_place)
        if by in LEVEL_BREAKDOWNS:
            rows = _roll_up(rows, scope, by)
        for key, figures in rows.items():
            for code, figure in figures.items():
                out[code][key] = figure
    for code, (num_code, den_code, scale) in DERIVED.items():
        if code not in wanted or num_code not in out or den_code not in out:
            continue
        for key, den in out[den_code].items():
            num = out[num_code].get(key, Figure(0.0, 0.0))
            value = (num.numerator or 0) / den.numerator * scale if den.numerator else None
            out[code][key] = Figure(value, num.numerator or 0, den.numerator or 0)
    return {code: dict(values) for code, values in out.items() if code in (codes or wanted)}


def first_record_year(scope: CountScope) -> int | None:
    """The local year of the first case recorded at the place (years before it have no
    data rather than zeros). Uses the index on cases.created_at."""
    subtree = _subtree(scope)
    first = db.session.scalar(
        select(func.min(Case.created_at)).where(
            Case.jurisdiction_id.in_(subtree), Case.is_test.is_(False)
        )
    )
    if first is None:
        return None
    return timeutil.to_local(first).year


def empty(code: str) -> Figure:
    """The figure of a period with nothing to count: 0 for counts, no rate for rates."""
    measure = MEASURES.get(code)
    if measure is not None and measure.kind in ("count", "distinct"):
        return Figure(0.0, 0.0, None)
    return Figure(None, 0.0, 0.0)


def median_hours(scope: CountScope, period: P.Period) -> float | None:
    """PO-05's median hours from acceptance to ruling: the middle of the ordered list,
    fetched with LIMIT/OFFSET so no engine-specific percentile function is needed."""
    source = next(s for s in SOURCES if s.name == "po_ruled")
    hours = hours_between(ProtectionOrder.accepted_at, ProtectionOrder.ruled_at)
    where = and_(
        P.within(ProtectionOrder.ruled_at, [period]),
        ProtectionOrder.accepted_at.is_not(None),
        _scope_where(source, scope),
    )
    n = db.session.scalar(source.joins(select(func.count())).where(where)) or 0
    if n == 0:
        return None
    stmt = source.joins(select(hours)).where(where).order_by(hours)
    middle = db.session.scalars(stmt.limit(2 - n % 2).offset((n - 1) // 2)).all()
    return sum(float(v) for v in middle) / len(middle)
