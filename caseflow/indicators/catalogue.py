"""The indicator catalogue (shared/domain/indicators.md §A and §B) as data.

One entry per indicator: what it is called in Chinese and English, its domain and unit,
the formula as people read it, where the figure comes from (`cases`: computed from the
cases by caseflow/indicators/compute.py; `submitted`: reported yearly by the responsible
unit; `mixed`: both), who is responsible, and the breakdowns it can be cut by.
"""

from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

DOMAINS = {
    "women_law": ("妇女与法律", "Women and the law"),
    "children_law": ("儿童与法律", "Children and the law"),
    "children_safety": ("儿童与安全", "Children and safety"),
    "domestic_violence": ("反家庭暴力", "Domestic violence"),
    "protection_orders": ("人身安全保护令", "Personal safety protection orders"),
    "mandatory_reporting": ("强制报告", "Mandatory reporting"),
    "legal_aid": ("法律援助", "Legal aid"),
    "follow_up": ("跟踪回访", "Follow-up visits"),
    "hotline": ("12338热线", "12338 hotline"),
    "base_data": ("基础数据", "Base data"),
}

UNITS = {
    "%": ("%", "%"),
    "‰": ("‰", "‰"),
    "cases": ("件", "cases"),
    "persons": ("人", "persons"),
    "hours": ("小时", "hours"),
    "calls": ("个", "calls"),
    "times": ("次", "times"),
}

# Decimals a figure is shown with, by unit: rates to two places (as the tables show them),
# hours to one, counts whole.
DECIMALS = {"%": 2, "‰": 2, "hours": 1}


def rounded(value: float | None, unit: str) -> float | int | None:
    """A figure rounded for its unit (chart labels: no 3.9603960396039604)."""
    if value is None:
        return None
    places = DECIMALS.get(unit, 0)
    if places == 0 and value != int(value):
        places = 1  # a mean of counts
    result = round(float(value), places)
    return int(result) if result == int(result) else result


# Breakdowns (indicators.md: year, quarter, jurisdiction level, sex, age band, case type,
# reporter type) and the ones particular to one source.
BREAKDOWNS = {
    "quarter": _l("Quarter"),
    "month": _l("Month"),
    "township": _l("Township / sub-district"),
    "village": _l("Village / community"),
    "sex": _l("Sex"),
    "age": _l("Age band"),
    "case_type": _l("Case type"),
    "reporter_type": _l("Reporter type"),
    "situation": _l("Situation reported"),
    "receiving_unit": _l("Receiving department"),
    "category": _l("Call category"),
    "action": _l("Action taken"),
    "line": _l("Line"),
}

CASE_BREAKDOWNS = ("quarter", "month", "township", "village", "sex", "age")
MR_BREAKDOWNS = (*CASE_BREAKDOWNS, "reporter_type")


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    domain: str
    unit: str
    source: str  # cases / submitted / mixed
    formula_zh: str
    formula_en: str
    responsible_zh: str
    # Organisation types whose users report a submitted figure.
    responsible_orgs: tuple[str, ...] = ()
    breakdowns: tuple[str, ...] = ()
    # A submitted figure is entered as a value, or as numerator and denominator.
    entry: str = "value"
    # A figure other indicators need (child population) rather than a plan indicator.
    auxiliary: bool = False

    @property
    def name(self) -> str:
        return self.name_zh if _chinese() else self.name_en

    @property
    def formula(self) -> str:
        return self.formula_zh if _chinese() else self.formula_en

    @property
    def domain_name(self) -> str:
        return domain_name(self.domain)

    @property
    def unit_label(self) -> str:
        zh, en = UNITS[self.unit]
        return zh if _chinese() else en

    @property
    def is_rate(self) -> bool:
        return self.unit in ("%", "‰")

    @property
    def submittable(self) -> bool:
        return self.source == "submitted"

    @property
    def ceiling(self) -> float | None:
        """The largest value the unit allows: a percentage cannot pass 100."""
        return {"%": 100.0, "‰": 1000.0}.get(self.unit)


def _chinese() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "zh"


def domain_name(domain: str) -> str:
    zh, en = DOMAINS[domain]
    return zh if _chinese() else en


POLICE = ("police_bureau",)
_ALL = (
    # §A — the plans' own indicators, reported by the responsible units.
    Indicator(
        "W-LAW-01",
        "女性检察官占比",
        "Share of women among prosecutors",
        "women_law",
        "%",
        "submitted",
        "女性检察官人数 / 检察官总数",
        "women prosecutors / all prosecutors",
        "检察院",
        ("procuratorate",),
        entry="ratio",
    ),
    Indicator(
        "W-LAW-02",
        "女性法官占比",
        "Share of women among judges",
        "women_law",
        "%",
        "submitted",
        "女性法官人数 / 法官总数",
        "women judges / all judges",
        "法院",
        ("court",),
        entry="ratio",
    ),
    Indicator(
        "W-LAW-03",
        "女性律师占比",
        "Share of women among lawyers",
        "women_law",
        "%",
        "submitted",
        "女性律师人数 / 律师总数",
        "women lawyers / all lawyers",
        "司法局",
        ("justice_bureau",),
        entry="ratio",
    ),
    Indicator(
        "W-LAW-04",
        "杀害、强奸、伤害、侮辱、拐卖妇女刑事案件发生数",
        "Criminal cases of murder, rape, injury, insult or trafficking of women",
        "women_law",
        "cases",
        "submitted",
        "年度立案数",
        "cases filed in the year",
        "公安局",
        POLICE,
    ),
    Indicator(
        "W-LAW-05",
        "强奸案件、拐卖妇女案件占刑事案件比重",
        "Rape and trafficking of women as a share of criminal cases",
        "women_law",
        "%",
        "submitted",
        "强奸、拐卖妇女案件数 / 刑事案件总数",
        "rape and trafficking cases / all criminal cases",
        "公安局",
        POLICE,
        entry="ratio",
    ),
    Indicator(
        "C-LAW-01",
        "未成年人犯罪人数占未成年人人口数量的比重",
        "Juvenile offenders as a share of the juvenile population",
        "children_law",
        "%",
        "submitted",
        "未成年人犯罪人数 / 未成年人人口数",
        "juvenile offenders / juvenile population",
        "公安局、检察院、法院、司法局",
        ("police_bureau", "procuratorate", "court", "justice_bureau"),
        entry="ratio",
    ),
    Indicator(
        "C-LAW-02",
        "抓获刑事案件犯罪嫌疑人中未成年人占比",
        "Juveniles among arrested criminal suspects",
        "children_law",
        "%",
        "submitted",
        "抓获未成年犯罪嫌疑人数 / 抓获犯罪嫌疑人总数",
        "juvenile suspects / all suspects arrested",
        "公安局",
        POLICE,
        entry="ratio",
    ),
    Indicator(
        "C-LAW-03",
        "乡镇（街道）未成年人保护工作站覆盖率",
        "Townships with a minors' protection workstation",
        "children_law",
        "%",
        "mixed",
        "已建未成年人保护工作站的乡镇（街道）数 / 乡镇（街道）总数（辖区名录）",
        "townships with a workstation / all townships in the registry",
        "民政局",
        ("civil_affairs",),
    ),
    Indicator(
        "C-SAFE-01",
        "儿童自杀、自伤率",
        "Child suicide and self-harm rate",
        "children_safety",
        "‰",
        "submitted",
        "儿童自杀、自伤人数 / 儿童人口数 × 1000",
        "children with suicide or self-harm / child population × 1000",
        "公安局、教委",
        ("police_bureau", "education_bureau"),
        entry="ratio",
    ),
    Indicator(
        "C-SAFE-02",
        "儿童意外伤害死亡率",
        "Child accidental injury death rate",
        "children_safety",
        "‰",
        "submitted",
        "儿童意外伤害死亡人数 / 儿童人口数 × 1000",
        "child deaths from accidental injury / child population × 1000",
        "应急管理局、公安局、教委、卫生健康委",
        ("police_bureau", "education_bureau", "health_bureau"),
        entry="ratio",
    ),
    Indicator(
        "C-SAFE-03",
        "儿童暴力伤害发生率",
        "Rate of violent harm to children",
        "children_safety",
        "‰",
        "mixed",
        "核实属实且涉及暴力（强制报告情形1–4）的强制报告数 / 儿童人口数（填报）× 1000",
        "verified mandatory reports involving violence (situations 1–4) / child population "
        "(submitted) × 1000",
        "公安局、教委",
        ("police_bureau", "education_bureau"),
        breakdowns=CASE_BREAKDOWNS,
    ),
    Indicator(
        "POP-CHILD",
        "未成年人口数（0—17岁）",
        "Child population (0–17)",
        "base_data",
        "persons",
        "submitted",
        "年末户籍未成年人口数",
        "registered population aged 0–17 at year end",
        "公安局",
        POLICE,
        auxiliary=True,
    ),
    # §B — computed from the cases.
    Indicator(
        "DV-01",
        "家庭暴力警情数",
        "Domestic-violence police calls",
        "domestic_violence",
        "cases",
        "cases",
        "期内接报的家庭暴力警情（案件）数",
        "dv_warning cases logged in the period",
        "公安局",
        breakdowns=(*CASE_BREAKDOWNS,),
    ),
    Indicator(
        "DV-02",
        "出具告诫书数",
        "Warning letters issued",
        "domestic_violence",
        "cases",
        "cases",
        "期内出具告诫书数",
        "warnings issued in the period",
        "公安局",
        breakdowns=CASE_BREAKDOWNS,
    ),
    Indicator(
        "DV-03",
        "告诫书出具率",
        "Warning letters per DV call",
        "domestic_violence",
        "%",
        "cases",
        "出具告诫书数（DV-02）/ 家庭暴力警情数（DV-01）",
        "DV-02 / DV-01",
        "公安局",
        breakdowns=CASE_BREAKDOWNS,
    ),
    Indicator(
        "DV-04",
        "告诫书按期送达率",
        "Warning letters delivered on time",
        "domestic_violence",
        "%",
        "cases",
        "期内出具且在送达期限内送达的告诫书数 / 期内出具的告诫书数",
        "warnings delivered by deliver_due / warnings issued in the period",
        "公安局",
        breakdowns=CASE_BREAKDOWNS,
    ),
    Indicator(
        "DV-05",
        "家暴案件跟踪回访完成率",
        "DV follow-up visits done on time",
        "domestic_violence",
        "%",
        "cases",
        "期内到期且按期完成的回访数 / 期内到期的回访数",
        "DV visits done by their due date / DV visits due in the period",
        "公安局、妇联",
        breakdowns=CASE_BREAKDOWNS,
    ),
    Indicator(
        "PO-01",
        "人身安全保护令申请数",
        "Protection-order applications",
        "protection_orders",
        "cases",
        "cases",
        "期内向法院提出的申请数",
        "applications filed in the period",
        "法院",
        breakdowns=CASE_BREAKDOWNS,
    ),
    Indicator(
        "PO-02",
        "人身安全保护令签发数",
        "Protection orders issued",
        "protection_orders",
        "cases",
        "cases",
        "期内签发（首次）的保护令数",
        "orders issued (first issue) in the period",
        "法院",
        breakdowns=CASE_BREAKDOWNS,
    ),
    Indicator(
        "PO-03",
        "审核签发率",
        "Share of rulings issuing an order",
        "protection_orders",
        "%",
        "cases",
        "期内裁定签发数 / 期内裁定数（签发 + 驳回）",
        "issued / (issued + rejected) among rulings in the period",
        "法院",
        breakdowns=CASE_BREAKDOWNS,
    ),
    Indicator(
        "PO-04",
        "法定期限内裁定率",
        "Rulings within the legal time limit",
        "protection_orders",
        "%",
        "cases",
        "在72小时（紧急24小时）内作出的裁定数 / 期内裁定数",
        "rulings made by ruling_due (72 h / 24 h) / rulings in the period",
        "法院",
        breakdowns=CASE_BREAKDOWNS,
    ),
    Indicator(
        "PO-05",
        "平均裁定用时（小时）",
        "Mean hours from acceptance to ruling",
        "protection_orders",
        "hours",
        "cases",
        "期内裁定的受理至裁定平均小时数（另列中位数）",
        "mean (and median) hours from acceptance to ruling, rulings in the period",
        "法院",
        breakdowns=CASE_BREAKDOWNS,
    ),
    Indicator(
        "PO-06",
        "违反保护令次数",
        "Violations of protection orders",
        "protection_orders",
        "times",
        "cases",
        "期内记录的违反保护令次数",
        "record_violation events in the period",
        "法院、公安局",
        breakdowns=CASE_BREAKDOWNS,
    ),
    Indicator(
        "MR-01",
        "强制报告数",
        "Mandatory reports",
        "mandatory_reporting",
        "cases",
        "cases",
        "期内提交的强制报告数（按报告主体、情形）",
        "mandatory reports submitted in the period (by reporter type and situation)",
        "民政局、公安局",
        breakdowns=(*MR_BREAKDOWNS, "situation"),
    ),
    Indicator(
        "MR-02",
        "及时报告率",
        "Reports made in time",
        "mandatory_reporting",
        "%",
        "cases",
        "发现至报告在规定时限内的报告数 / 期内报告数",
        "reports made within the limit after discovery / reports in the period",
        "民政局、公安局",
        breakdowns=MR_BREAKDOWNS,
    ),
    Indicator(
        "MR-03",
        "受理率",
        "Reports accepted",
        "mandatory_reporting",
        "%",
        "cases",
        "期内提交的报告中已受理数 / 期内提交的报告数",
        "accepted / submitted, reports of the period",
        "公安局、民政局",
        breakdowns=MR_BREAKDOWNS,
    ),
    Indicator(
        "MR-03T",
        "按时受理率",
        "Reports accepted on time",
        "mandatory_reporting",
        "%",
        "cases",
        "期内提交并在受理期限内受理的报告数 / 期内提交的报告中已受理数",
        "accepted by accept_due / accepted, reports of the period",
        "公安局、民政局",
        breakdowns=MR_BREAKDOWNS,
    ),
    Indicator(
        "MR-04",
        "核实属实率",
        "Reports found true",
        "mandatory_reporting",
        "%",
        "cases",
        "期内核实属实数 / 期内核实完成数（属实 + 不属实）",
        "verified / (verified + unfounded) in the period",
        "民政局、公安局",
        breakdowns=MR_BREAKDOWNS,
    ),
    Indicator(
        "MR-05",
        "反馈率",
        "Feedback to reporters on time",
        "mandatory_reporting",
        "%",
        "cases",
        "期内提交、已受理且在反馈期限内反馈报告单位的报告数 / 其中已受理的报告数",
        "reports with feedback sent by feedback_due / accepted reports of the period",
        "公安局、民政局",
        breakdowns=MR_BREAKDOWNS,
    ),
    Indicator(
        "MR-06",
        "转介完成率",
        "Referrals completed",
        "mandatory_reporting",
        "%",
        "cases",
        "期内发出的强制报告转介中已完成数 / 期内发出的转介数（不含撤回）",
        "referrals completed / referrals sent in the period (withdrawn excluded)",
        "民政局",
        breakdowns=(*CASE_BREAKDOWNS, "receiving_unit"),
    ),
    Indicator(
        "LA-01",
        "获得法律援助的妇女人数",
        "Women granted legal aid",
        "legal_aid",
        "persons",
        "cases",
        "期内获准法律援助的18岁以上女性受援人（去重）",
        "distinct women (18+) granted legal aid in the period",
        "司法局",
        breakdowns=("quarter", "month", "township", "village"),
    ),
    Indicator(
        "LA-01C",
        "获得法律援助的未成年人数",
        "Minors granted legal aid",
        "legal_aid",
        "persons",
        "cases",
        "期内获准法律援助的未成年受援人（去重）",
        "distinct minors (under 18) granted legal aid in the period",
        "司法局",
        breakdowns=("quarter", "month", "township", "village", "sex", "age"),
    ),
    Indicator(
        "LA-02",
        "七日内作出决定率",
        "Legal-aid decisions within 7 days",
        "legal_aid",
        "%",
        "cases",
        "在决定期限内作出的决定数 / 期内决定数",
        "decisions by decision_due / decisions in the period",
        "司法局",
        breakdowns=CASE_BREAKDOWNS,
    ),
    Indicator(
        "FU-01",
        "逾期未回访案件数",
        "Cases with a missed follow-up visit",
        "follow_up",
        "cases",
        "cases",
        "期内到期而未按期回访的案件数（去重）",
        "distinct cases with a follow-up visit due in the period and not made on time",
        "各承办单位",
        breakdowns=(*CASE_BREAKDOWNS, "case_type"),
    ),
    Indicator(
        "HL-01",
        "12338 来电数",
        "12338 hotline calls",
        "hotline",
        "calls",
        "cases",
        "期内接听的来电数（按类别、处理方式、线路）",
        "calls received in the period (by category, action, line)",
        "妇联",
        breakdowns=("quarter", "month", "township", "village", "sex", "category", "action", "line"),
    ),
)

CATALOGUE: dict[str, Indicator] = {indicator.code: indicator for indicator in _ALL}

CASE_DERIVED = tuple(code for code, i in CATALOGUE.items() if i.source == "cases")


def get(code: str) -> Indicator | None:
    return CATALOGUE.get(code) if isinstance(code, str) else None
