"""The annual monitoring workbook (年度监测报表, indicators.md §C) as an .xlsx file.

The workbook is the official Chinese form, so its sheet names and headers are Chinese
literals and the whole build runs under the Chinese locale. Its figures come from
caseflow/indicators/table.py, the same rows the indicators page and the API show:

- one sheet per 类别 of the plans' 专栏一 tables (妇女与法律, 儿童与安全, 儿童与法律), with
  the plan's rows in order;
- one sheet per catalogue domain for the case-derived indicators the plans' measures
  call for (反家庭暴力, 人身安全保护令, 强制报告, 法律援助, 跟踪回访, 12338热线), in the same
  layout, with no 2030 value of their own;
- one sheet per breakdown (按季度, 按村（社区）…): indicators as rows, categories as columns;
- 指标说明: what each indicator is, how it is computed and who reports it.

Hidden figures (suppression.py) are written as "*"; every other figure is a number cell.
"""

from collections.abc import Callable
from io import BytesIO

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .. import timeutil
from ..models import Plan
from ..vocab import AGE_BANDS, SEXES
from . import catalogue, suppression, table
from .compute import CountScope
from .plans import CASE_INDICATORS_BY_KIND

HEADER = ["类别", "序号", "指标名称", "2030年规划值", "指标属性", "责任单位"]
TAIL = ["状态", "说明"]
WIDTHS = [14, 6, 44, 16, 10, 34, 14, 12, 60]

STATUS_ZH = {
    "met": "达标",
    "on_track": "正常推进",
    "at_risk": "预警",
    "off_track": "滞后",
    "no_data": "无数据",
}
ATTRIBUTE_ZH = {"binding": "约束性", "expected": "预期性"}
SOURCE_ZH = {
    "cases": "案件数据自动计算",
    "submitted": "责任单位填报",
    "mixed": "案件数据与填报数据结合",
}
BREAKDOWN_SHEETS = {
    "quarter": "按季度",
    "month": "按月份",
    "township": "按乡镇（街道）",
    "village": "按村（社区）",
    "sex": "按性别",
    "age": "按年龄段",
    "case_type": "按案件类型",
    "reporter_type": "按报告主体",
    "situation": "按报告情形",
    "receiving_unit": "按接收部门",
    "category": "按来电类别",
    "action": "按处置方式",
    "line": "按热线线路",
}
# Breakdowns whose every category is a column even when no case falls in it, headed by
# the form's Chinese words (never a code such as `unknown`).
FIXED_COLUMNS = {
    "sex": {"F": "女", "M": "男", "unknown": "不详"},
    "age": {
        "0-5": "0—5岁",
        "6-13": "6—13岁",
        "14-17": "14—17岁",
        "18+": "18岁及以上",
        "unknown": "年龄不详",
    },
}
NOTES_SHEET = "指标说明"
FORBIDDEN_IN_NAMES = str.maketrans({c: "_" for c in "[]:*?/\\"})
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")

Progress = Callable[[int, int], None]


def sheet_name(text: str, taken: set[str]) -> str:
    """A name Excel accepts: at most 31 characters, none of []:*?/\\, unique."""
    name = text.translate(FORBIDDEN_IN_NAMES)[:31] or "Sheet"
    base, n = name, 2
    while name in taken:
        suffix = f"({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def number_format(indicator: catalogue.Indicator) -> str:
    return "0.00" if indicator.is_rate or indicator.unit == "hours" else "0"


def _plan_codes(plan: Plan) -> list[str]:
    codes = [t.indicator_code for t in plan.targets]
    return codes + [c for c in CASE_INDICATORS_BY_KIND.get(plan.kind, ()) if c not in codes]


def breakdown_pairs(plans: list[Plan], scope: CountScope) -> list[tuple[str, str]]:
    """(indicator code, breakdown) for every case-derived indicator of the plans that this
    scope may count, in breakdown order and then in the plans' order."""
    codes: list[str] = []
    for plan in plans:
        for code in _plan_codes(plan):
            indicator = catalogue.CATALOGUE[code]
            if (
                code not in codes
                and indicator.source == "cases"
                and indicator.breakdowns
                and table.countable(code, scope)
            ):
                codes.append(code)
    return [
        (code, by)
        for by in BREAKDOWN_SHEETS
        for code in codes
        if by in catalogue.CATALOGUE[code].breakdowns
    ]


def total_steps(plans: list[Plan], scope: CountScope) -> int:
    """Rows of each plan, each breakdown of each indicator, the notes, the file."""
    return len(plans) + len(breakdown_pairs(plans, scope)) + 2


def build(
    plans: list[Plan],
    year: int,
    scope: CountScope,
    hide_small: bool,
    progress: Progress | None = None,
) -> bytes:
    with force_locale("zh_Hans_CN"):
        return _Builder(plans, year, scope, hide_small, progress).build()


class _Builder:
    def __init__(self, plans, year, scope, hide_small, progress):
        self.plans = list(plans)
        self.year = year
        self.scope = scope
        self.place = scope.jurisdiction
        self.hide_small = hide_small
        self.progress = progress or (lambda done, total: None)
        self.pairs = breakdown_pairs(self.plans, scope)
        self.total = len(self.plans) + len(self.pairs) + 2
        self.done = 0
        self.book = Workbook()
        self.book.remove(self.book.active)
        self.names: set[str] = set()

    def step(self) -> None:
        self.done += 1
        self.progress(self.done, self.total)

    def build(self) -> bytes:
        # Plan sheets: one per 类别 of the targets, then one per domain of the measures'
        # case-derived rows, each titled after the plan its first row comes from.
        sections: dict[str, tuple[Plan, list]] = {}
        domains: dict[str, tuple[Plan, list]] = {}
        seen: set[str] = set()
        for plan in self.plans:
            for row in table.plan_rows(plan, self.year, self.scope, self.hide_small):
                if row.target is not None:
                    sections.setdefault(row.target.section, (plan, []))[1].append(row)
                elif row.code not in seen:
                    domain = row.indicator.domain_name
                    domains.setdefault(domain, (plan, []))[1].append(row)
                    seen.add(row.code)
            self.step()
        for name, (plan, rows) in [*sections.items(), *domains.items()]:
            self.plan_sheet(name, plan, rows)
        for by in BREAKDOWN_SHEETS:
            codes = [code for code, b in self.pairs if b == by]
            if codes:
                self.breakdown_sheet(by, codes)
        codes = [r.code for _, rows in [*sections.values(), *domains.values()] for r in rows]
        self.notes_sheet(codes)
        self.step()
        out = BytesIO()
        self.book.properties.creator = "caseflow"
        self.book.save(out)
        self.step()
        return out.getvalue()

    # --- layout helpers -----------------------------------------------------------------

    def sheet(self, name: str, title: str, header: list[str], widths: list[int]):
        ws = self.book.create_sheet(sheet_name(name, self.names))
        ws.append([title])
        ws["A1"].font = TITLE
        ws.append([f"统计地区：{self.place.full_name}", None, f"统计年度：{self.year}年"])
        ws.append(header)
        for cell in ws[3]:
            cell.font = BOLD
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A4"
        return ws

    def title(self, plan: Plan | None, name: str) -> str:
        head = plan.title if plan is not None else self.place.name
        text = f"{head} {self.year}年度监测报表——{name}"
        if plan is not None and plan.jurisdiction_id != self.place.id:
            text += f"（{self.place.full_name}）"
        return text

    def put_value(self, cell, indicator, value, suppressed: bool) -> None:
        if suppressed:
            cell.value = suppression.MARK
            cell.alignment = Alignment(horizontal="right")
        elif value is not None:
            cell.value = value
            cell.number_format = number_format(indicator)

    # --- sheets ---------------------------------------------------------------------------

    def plan_sheet(self, name: str, plan: Plan, rows: list[table.Row]) -> None:
        header = [*HEADER, f"{self.year}年数值", *TAIL]
        ws = self.sheet(name, self.title(plan, name), header, WIDTHS)
        for row in rows:
            indicator, target = row.indicator, row.target
            note = row.status.reason if row.status else ""
            if row.median is not None:
                median = f"中位数 {table.fmt(row.median)} 小时"
                note = f"{note}；{median}" if note else median
            ws.append(
                [
                    target.section if target else indicator.domain_name,
                    target.row_number if target else None,
                    indicator.name_zh,
                    target.target_text if target else None,
                    ATTRIBUTE_ZH.get(target.attribute) if target else None,
                    target.responsible if target else indicator.responsible_zh,
                    None,
                    STATUS_ZH[row.status.code] if row.status else None,
                    note or None,
                ]
            )
            line = ws.max_row
            self.put_value(ws.cell(line, 7), indicator, row.value, row.suppressed)
            for column in (3, 6, 9):
                ws.cell(line, column).alignment = WRAP

    def breakdown_sheet(self, by: str, codes: list[str]) -> None:
        name = BREAKDOWN_SHEETS[by]
        results = {}
        columns: dict = {}
        for code in codes:
            results[code] = table.breakdown(code, self.scope, self.year, by, self.hide_small)
            for item in results[code]:
                columns.setdefault(item["key"], item["label"])
            self.step()
        keys = _ordered(by, columns, results)
        fixed = FIXED_COLUMNS.get(by)
        if fixed is not None:
            keys = [*fixed, *(k for k in keys if k not in fixed)]
            columns = {**columns, **fixed}
        header = ["指标编号", "指标名称", "单位", *[str(columns[k]) for k in keys]]
        widths = [10, 40, 8, *[12] * len(keys)]
        ws = self.sheet(name, self.title(None, name), header, widths)
        for code in codes:
            indicator = catalogue.CATALOGUE[code]
            ws.append([code, indicator.name_zh, catalogue.UNITS[indicator.unit][0]])
            line = ws.max_row
            ws.cell(line, 2).alignment = WRAP
            by_key = {item["key"]: item for item in results[code]}
            # A category this indicator does not have is an empty cell of its group: hidden
            # like the others when any of them is.
            any_hidden = any(item["suppressed"] for item in results[code])
            for offset, key in enumerate(keys):
                cell = ws.cell(line, 4 + offset)
                item = by_key.get(key)
                if item is None:
                    # No case in this category: a count is 0, a rate has no value.
                    counted = not indicator.is_rate and indicator.unit != "hours"
                    self.put_value(cell, indicator, 0 if counted else None, any_hidden)
                else:
                    self.put_value(cell, indicator, item["value"], item["suppressed"])

    def notes_sheet(self, codes: list[str]) -> None:
        header = ["指标编号", "指标名称", "领域", "计算方法", "单位", "数据来源", "责任单位"]
        ws = self.sheet(
            NOTES_SHEET, self.title(None, NOTES_SHEET), header, [10, 40, 16, 60, 8, 22, 30]
        )
        for code in codes:
            indicator = catalogue.CATALOGUE[code]
            ws.append(
                [
                    code,
                    indicator.name_zh,
                    catalogue.DOMAINS[indicator.domain][0],
                    indicator.formula_zh,
                    catalogue.UNITS[indicator.unit][0],
                    SOURCE_ZH[indicator.source],
                    indicator.responsible_zh,
                ]
            )
            for column in (2, 4, 7):
                ws.cell(ws.max_row, column).alignment = WRAP
        ws.append([])
        ws.append(["注：状态按规划值、基线年份和近年趋势判定；案件数据不含封存和测试案件。"])
        if self.hide_small:
            ws.append([f"注：显示为“{suppression.MARK}”的数字已隐去，以免识别出具体个人："])
            for line in suppression.METHOD:
                ws.append([str(line)])  # the sheet is built in Chinese (force_locale)
        at = timeutil.to_local(timeutil.now())
        ws.append([f"生成时间：{at:%Y-%m-%d %H:%M}"])


def _ordered(by: str, columns: dict, results: dict) -> list:
    """Columns in the order the breakdown itself gives them (vocabulary, place code, period),
    merged over indicators that may each lack some categories."""
    order: list = []
    for items in results.values():
        keys = [item["key"] for item in items]
        for index, key in enumerate(keys):
            if key in order:
                continue
            # Insert after the nearest earlier key of this list that is already placed.
            before = [k for k in keys[:index] if k in order]
            position = order.index(before[-1]) + 1 if before else 0
            if not before:
                # No anchor before it: place it before the first later key already placed.
                later = [k for k in keys[index + 1 :] if k in order]
                position = order.index(later[0]) if later else len(order)
            order.insert(position, key)
    vocabulary = {"age": list(AGE_BANDS), "sex": [*SEXES, "unknown"]}.get(by)
    if vocabulary:
        order.sort(key=lambda k: vocabulary.index(k) if k in vocabulary else len(vocabulary))
    return [k for k in order if k in columns]
