"""The law-domain rows of the seed plans' 专栏一 tables (shared/seeds), as data, and the
loader that turns them into Plan rows.

Rows: (类别, 序号, indicator code, 2030年规划值 as printed, 指标属性, 责任单位 as printed).
万州区's tables print no 责任单位 column; its rows carry the catalogue's unit in brackets.
"""

from flask_babel import lazy_gettext as _l

from .. import timeutil
from ..extensions import db
from ..models import Jurisdiction, Plan, PlanTarget
from ..services.errors import Forbidden, ValidationFailed
from .catalogue import CATALOGUE
from .status import read_target

EXPECTED, BINDING = "expected", "binding"

SHIZHU_WOMEN = [
    ("妇女与法律", 44, "W-LAW-01", "保持合理比例", EXPECTED, "县检察院"),
    ("妇女与法律", 45, "W-LAW-02", "保持合理比例", EXPECTED, "县法院"),
    ("妇女与法律", 46, "W-LAW-03", "保持合理比例", EXPECTED, "县司法局"),
    ("妇女与法律", 47, "W-LAW-05", "得到控制", EXPECTED, "县公安局"),
]
SHIZHU_CHILDREN = [
    ("儿童与安全", 16, "C-SAFE-01", "下降", EXPECTED, "县公安局、县教委"),
    (
        "儿童与安全",
        17,
        "C-SAFE-02",
        "< 0.1",
        BINDING,
        "县应急管理局、县公安局、县教委、县卫生健康委",
    ),
    ("儿童与安全", 18, "C-SAFE-03", "减少", EXPECTED, "县公安局、县教委"),
    ("儿童与法律", 32, "C-LAW-01", "降低", BINDING, "县公安局、县检察院、县法院、县司法局"),
    ("儿童与法律", 33, "C-LAW-02", "降低", BINDING, "县公安局"),
    ("儿童与法律", 34, "C-LAW-03", "100", EXPECTED, "县民政局"),
]
WANZHOU_WOMEN = [
    ("妇女与法律", 42, "W-LAW-01", "提高", EXPECTED, "（检察院）"),
    ("妇女与法律", 43, "W-LAW-02", "提高", EXPECTED, "（法院）"),
    ("妇女与法律", 44, "W-LAW-03", "提高", EXPECTED, "（司法局）"),
    ("妇女与法律", 45, "W-LAW-04", "得到控制", EXPECTED, "（公安局）"),
]
WANZHOU_CHILDREN = [
    ("儿童与安全", 16, "C-SAFE-01", "下降", EXPECTED, "（公安局、教委）"),
    ("儿童与安全", 17, "C-SAFE-02", "<0.1", BINDING, "（应急管理局、公安局、教委、卫生健康委）"),
    ("儿童与安全", 18, "C-SAFE-03", "减少", EXPECTED, "（公安局、教委）"),
    ("儿童与法律", 32, "C-LAW-01", "降低", BINDING, "（公安局、检察院、法院、司法局）"),
    ("儿童与法律", 33, "C-LAW-02", "降低", BINDING, "（公安局）"),
    ("儿童与法律", 34, "C-LAW-03", "100", EXPECTED, "（民政局）"),
]
DADUKOU_CHILDREN = [
    ("儿童与安全", 18, "C-SAFE-01", "下降", EXPECTED, "区公安分局、区教委、区卫健委"),
    ("儿童与安全", 19, "C-SAFE-02", "＜0.1", BINDING, "区公安分局、区教委、区卫健委"),
    ("儿童与安全", 20, "C-SAFE-03", "减少", EXPECTED, "区公安分局、区教委、区卫健委"),
    ("儿童与法律", 37, "C-LAW-01", "降低", BINDING, "区法院"),
    ("儿童与法律", 38, "C-LAW-02", "降低", BINDING, "区公安分局"),
    ("儿童与法律", 39, "C-LAW-03", "100", EXPECTED, "区民政局"),
]

# (code, jurisdiction code, kind, Chinese title, English title, rows)
SEED_PLANS = [
    (
        "500240-women-2021",
        "500240",
        "women",
        "石柱县妇女发展规划（2021—2030年）",
        "Shizhu County Women's Development Plan (2021–2030)",
        SHIZHU_WOMEN,
    ),
    (
        "500240-children-2021",
        "500240",
        "children",
        "石柱县儿童发展规划（2021—2030年）",
        "Shizhu County Children's Development Plan (2021–2030)",
        SHIZHU_CHILDREN,
    ),
    (
        "500101-women-2021",
        "500101",
        "women",
        "重庆市万州区妇女发展规划（2021—2030年）",
        "Wanzhou District Women's Development Plan (2021–2030)",
        WANZHOU_WOMEN,
    ),
    (
        "500101-children-2021",
        "500101",
        "children",
        "重庆市万州区儿童发展规划（2021—2030年）",
        "Wanzhou District Children's Development Plan (2021–2030)",
        WANZHOU_CHILDREN,
    ),
    (
        "500104-children-2021",
        "500104",
        "children",
        "重庆市大渡口区儿童发展规划（2021—2030年）",
        "Dadukou District Children's Development Plan (2021–2030)",
        DADUKOU_CHILDREN,
    ),
]

# Case-derived indicators the plans' measures call for (indicators.md §B), shown under a
# plan of each kind without a 2030 value of their own.
CASE_INDICATORS_BY_KIND = {
    "women": (
        "DV-01",
        "DV-02",
        "DV-03",
        "DV-04",
        "DV-05",
        "PO-01",
        "PO-02",
        "PO-03",
        "PO-04",
        "PO-05",
        "PO-06",
        "LA-01",
        "LA-02",
        "HL-01",
    ),
    "children": (
        "MR-01",
        "MR-02",
        "MR-03",
        "MR-03T",
        "MR-04",
        "MR-05",
        "MR-06",
        "LA-01C",
        "FU-01",
    ),
}


def build_plan(code, jurisdiction, kind, title, title_en, rows) -> Plan:
    plan = Plan(
        code=code,
        title=title,
        title_en=title_en,
        kind=kind,
        jurisdiction=jurisdiction,
        start_year=2021,
        end_year=2030,
        baseline_year=2020,
        trend_years=3,
        swing_percent=20.0,
    )
    for position, (section, number, indicator, text, attribute, responsible) in enumerate(rows):
        if indicator not in CATALOGUE:
            raise ValueError(f"{indicator} is not in the catalogue")
        direction, value = read_target(text)
        plan.targets.append(
            PlanTarget(
                indicator_code=indicator,
                position=position,
                section=section,
                row_number=number,
                target_text=text,
                direction=direction,
                value=value,
                attribute=attribute,
                responsible=responsible,
                history=[],
            )
        )
    return plan


def load_seed_plans() -> list[Plan]:
    """Add the seed plans whose jurisdiction exists and that are not loaded yet."""
    added = []
    for code, place, kind, title, title_en, rows in SEED_PLANS:
        if db.session.scalar(db.select(Plan.id).where(Plan.code == code)):
            continue
        jurisdiction = db.session.scalar(db.select(Jurisdiction).where(Jurisdiction.code == place))
        if jurisdiction is None:
            continue
        plan = build_plan(code, jurisdiction, kind, title, title_en, rows)
        db.session.add(plan)
        added.append(plan)
    db.session.flush()
    return added


def covering(place: Jurisdiction) -> list[Plan]:
    """Plans of this place or of a place above it, in the order they were loaded."""
    plans = db.session.scalars(db.select(Plan).order_by(Plan.id))
    return [plan for plan in plans if plan.jurisdiction.contains(place)]


def readable(user) -> list[Plan]:
    """Plans a reader may open: of a place containing their area (their county's) first,
    then of places inside it; by code within each."""
    root = user.organisation.jurisdiction
    plans = db.session.scalars(db.select(Plan).order_by(Plan.code)).all()
    above = [plan for plan in plans if plan.jurisdiction.contains(root)]
    below = [plan for plan in plans if plan not in above and root.contains(plan.jurisdiction)]
    return above + below


def area(user, plan: Plan) -> Jurisdiction:
    """The top place of the plan the user may count: the plan's place, or a township
    reader's own township under a county plan."""
    root = user.organisation.jurisdiction
    return plan.jurisdiction if root.contains(plan.jurisdiction) else root


def can_edit(user, plan: Plan) -> bool:
    """The plan owner: a supervisor (the working committee) of the plan's place or above."""
    return user.role == "supervisor" and user.organisation.jurisdiction.contains(plan.jurisdiction)


def set_band(user, target: PlanTarget, low, high) -> PlanTarget:
    """Set the reasonable band of a 保持合理比例 target; the change is kept in its history."""
    if not can_edit(user, target.plan):
        raise Forbidden(_l("Only the plan owner may set the band."))
    if target.direction != "band":
        raise ValidationFailed(_l("Only a 保持合理比例 target has a band."))
    errors = {}
    numbers = []
    for name, raw in (("band_low", low), ("band_high", high)):
        try:
            number = float(raw)
            if not 0 <= number <= 100:
                raise ValueError
            numbers.append(number)
        except (TypeError, ValueError):
            errors[name] = [_l("Enter a percentage between 0 and 100.")]
    if not errors and numbers[0] > numbers[1]:
        errors["band_high"] = [_l("The upper bound must not be below the lower bound.")]
    if errors:
        raise ValidationFailed(fields=errors)
    target.history = [
        *target.history,
        {
            "at": timeutil.now().isoformat(),
            "by": user.id,
            "from": [target.band_low, target.band_high],
            "to": numbers,
        },
    ]
    target.band_low, target.band_high = numbers
    db.session.flush()
    return target
