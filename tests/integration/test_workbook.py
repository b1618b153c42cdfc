"""The annual monitoring workbook (年度监测报表) of 石柱县's plans for 2025 on a small data
set built by hand, opened again with openpyxl; and the background export job. Runs on
both engines.

Data: 县检察院 reports 女性检察官 9/24 for 2020 and 12/30 for 2025 (40 %, inside the
35–65 band the demo sets: 达标); 县公安局 reports 强奸、拐卖 cases 12/600 for 2020 (2 %)
and 9/600 for 2025 (1.5 %, not above the baseline: 得到控制, 达标). Mandatory reports in
2025: 城南社区 3 (two in Q1, one in Q3), 西沱社区 5 (Q2); one in 2024 and one sealed
report are not counted, so MR-01 is 8.
"""

import itertools
from datetime import date, datetime, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from caseflow import policy, timeutil
from caseflow.extensions import db
from caseflow.indicators import catalogue, exports, submissions, workbook
from caseflow.models import Case, ExportJob, Jurisdiction, MandatoryReport, Person, Plan
from caseflow.services.errors import Forbidden, NotFound, ValidationFailed
from caseflow.timeutil import aware
from tests.conftest import user

CHENGNAN = "500240001001"  # 城南社区
XITUO = "500240101001"  # 西沱社区
HEADER = [
    "类别",
    "序号",
    "指标名称",
    "2030年规划值",
    "指标属性",
    "责任单位",
    "2025年数值",
    "状态",
    "说明",
]
_numbers = itertools.count(1)


def L(y, m, d, h=10) -> datetime:
    return aware(datetime(y, m, d, h))


def place(code: str) -> Jurisdiction:
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


def plan(code: str) -> Plan:
    return db.session.scalar(select(Plan).where(Plan.code == code))


def report(where: str, at: datetime, sex="F", sealed=False) -> Case:
    case = Case(
        number=f"WB-{next(_numbers):06d}",
        type="mandatory_report",
        state="submitted",
        jurisdiction=place(where),
        created_by_id=user("child_director").id,
        created_at=at,
        updated_at=at,
        sealed=sealed,
        is_test=False,
    )
    db.session.add(case)
    db.session.flush()
    db.session.add(
        Person(case_id=case.id, role="subject", name="某某", sex=sex, birth_date=date(2015, 6, 1))
    )
    db.session.add(
        MandatoryReport(
            case_id=case.id,
            reporter_org_type="school",
            discovered_at=at - timedelta(hours=2),
            reported_at=at,
            situation_codes=[],
            confirmed_situations=[],
        )
    )
    return case


def figure(username: str, code: str, year: int, numerator: float, denominator: float):
    row = submissions.submit(
        user(username),
        {
            "code": code,
            "year": year,
            "jurisdiction": "500240",
            "numerator": numerator,
            "denominator": denominator,
        },
    )
    submissions.review(user("statistician"), row.id, accept=True)


@pytest.fixture
def data(ctx):
    figure("data_procuratorate", "W-LAW-01", 2020, 9, 24)
    figure("data_procuratorate", "W-LAW-01", 2025, 12, 30)
    figure("data_reporter", "W-LAW-05", 2020, 12, 600)
    figure("data_reporter", "W-LAW-05", 2025, 9, 600)
    report(CHENGNAN, L(2025, 2, 3))
    report(CHENGNAN, L(2025, 3, 9), sex="M")
    report(CHENGNAN, L(2025, 8, 20))
    for day in range(1, 6):
        report(XITUO, L(2025, 5, day))
    report(CHENGNAN, L(2024, 12, 30))  # another year
    report(XITUO, L(2025, 6, 1), sealed=True)  # sealed: never counted
    db.session.commit()


def build(username: str, plans=("500240-women-2021", "500240-children-2021"), progress=None):
    reader = user(username)
    scope = policy.count_scope(reader, place("500240"))
    return load_workbook(
        BytesIO(
            workbook.build(
                [plan(code) for code in plans],
                2025,
                scope,
                policy.suppresses_small_numbers(reader),
                progress,
            )
        )
    )


def rows(ws, first=4):
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True)]


def test_sheets_titles_and_plan_rows(data):
    calls = []
    book = build("statistician", progress=lambda done, total: calls.append((done, total)))

    assert book.sheetnames == [
        "妇女与法律",
        "儿童与安全",
        "儿童与法律",
        "反家庭暴力",
        "人身安全保护令",
        "法律援助",
        "12338热线",
        "强制报告",
        "跟踪回访",
        "按季度",
        "按月份",
        "按乡镇（街道）",
        "按村（社区）",
        "按性别",
        "按年龄段",
        "按案件类型",
        "按报告主体",
        "按报告情形",
        "按接收部门",
        "按来电类别",
        "按处置方式",
        "按热线线路",
        "指标说明",
    ]
    women = book["妇女与法律"]
    assert women["A1"].value == "石柱县妇女发展规划（2021—2030年） 2025年度监测报表——妇女与法律"
    assert women["A1"].font.bold
    assert [c.value for c in women[3]] == HEADER
    assert all(c.font.bold for c in women[3])
    assert women.freeze_panes == "A4"
    assert women.column_dimensions["C"].width == 44

    table_rows = rows(women)
    assert [r[:6] for r in table_rows] == [
        ["妇女与法律", 44, "女性检察官占比", "保持合理比例", "预期性", "县检察院"],
        ["妇女与法律", 45, "女性法官占比", "保持合理比例", "预期性", "县法院"],
        ["妇女与法律", 46, "女性律师占比", "保持合理比例", "预期性", "县司法局"],
        [
            "妇女与法律",
            47,
            catalogue.CATALOGUE["W-LAW-05"].name_zh,
            "得到控制",
            "预期性",
            "县公安局",
        ],
    ]
    # 12 / 30 = 40 %, inside the band 35–65.
    assert table_rows[0][6] == pytest.approx(40.0)
    assert table_rows[0][7] == "达标"
    assert table_rows[0][8]
    assert women["G4"].number_format == "0.00"
    # Nothing reported for judges in 2025.
    assert table_rows[1][6] is None
    assert table_rows[1][7] == "无数据"
    # 9 / 600 = 1.5 % against 12 / 600 = 2 % in 2020: under control.
    assert table_rows[3][6] == pytest.approx(1.5)
    assert table_rows[3][7] == "达标"

    children = book["儿童与法律"]
    assert [r[1] for r in rows(children)] == [32, 33, 34]
    assert rows(children)[0][4] == "约束性"
    assert rows(children)[0][5] == "县公安局、县检察院、县法院、县司法局"

    reports = rows(book["强制报告"])
    assert reports[0][:3] == ["强制报告", None, "强制报告数"]
    assert reports[0][3] is None and reports[0][4] is None
    assert reports[0][6] == 8
    assert book["强制报告"]["G4"].number_format == "0"
    assert reports[0][7] is None  # no 2030 value, so no status

    # Progress: once per plan, per breakdown of each indicator, the notes and the file.
    scope = policy.count_scope(user("statistician"), place("500240"))
    total = workbook.total_steps([plan("500240-women-2021"), plan("500240-children-2021")], scope)
    assert calls == [(n, total) for n in range(1, total + 1)]


def test_breakdown_sheets_and_small_numbers(data):
    book = build("statistician")
    quarters = book["按季度"]
    assert quarters["A1"].value == "石柱土家族自治县 2025年度监测报表——按季度"
    header = [c.value for c in quarters[3]]
    assert header == ["指标编号", "指标名称", "单位", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    by_code = {r[0]: r for r in rows(quarters)}
    # Q1 (2) and Q3 (1) are small; Q4's 0 is hidden with them. Q2 (5) stays: two cells
    # that are not zero are hidden already, so none of them is the year minus the others.
    assert by_code["MR-01"][2:] == ["件", "*", 5, "*", "*"]
    assert "DV-01" in by_code and "C-LAW-01" not in by_code  # submitted: no breakdown

    villages = book["按村（社区）"]
    assert [c.value for c in villages[3]][3:] == ["城南社区", "红井社区", "西沱社区", "云梯村"]
    mr = {r[0]: r for r in rows(villages)}["MR-01"]
    # 3 reports in 城南社区 are a small number; so are its township's 3, which takes the
    # other township with it (8 − 3 would give 5), and that one's villages.
    assert mr[3:] == ["*", "*", "*", "*"]

    townships = {r[0]: r for r in rows(book["按乡镇（街道）"])}["MR-01"]
    assert townships[3:] == ["*", "*"]

    sexes = book["按性别"]
    assert [c.value for c in sexes[3]][3:6] == ["女", "男", "不详"]
    # One boy: hidden, and the girls with him (the county's 8 minus 1); the 0 unknown too.
    assert {r[0]: r for r in rows(sexes)}["MR-01"][3:6] == ["*", "*", "*"]

    # The working committee's supervisor sees every case of the county: no "<5".
    book = build("supervisor")
    mr = {r[0]: r for r in rows(book["按村（社区）"])}["MR-01"]
    assert mr[3:] == [3, 0, 5, 0]


def test_sex_and_age_sheets_list_every_category_in_chinese(data):
    """Every subject here is a girl or a boy born in 2015 (6–13): the unknown sex and the
    other age bands are empty, and still columns, headed in Chinese."""
    for username in ("statistician", "supervisor"):
        book = build(username)
        sexes = [c.value for c in book["按性别"][3]][3:]
        assert sexes == ["女", "男", "不详"]
        ages = [c.value for c in book["按年龄段"][3]][3:]
        assert ages == ["0—5岁", "6—13岁", "14—17岁", "18岁及以上", "年龄不详"]
        mr = {r[0]: r for r in rows(book["按年龄段"])}["MR-01"]
        if username == "supervisor":
            assert mr[3:8] == [0, 8, 0, 0, 0]
        assert all(h.isascii() is False for h in [*sexes, *ages])


def test_notes_sheet_and_sheet_names(data):
    book = build("statistician", plans=("500240-women-2021",))
    notes = book["指标说明"]
    assert [c.value for c in notes[3]] == [
        "指标编号",
        "指标名称",
        "领域",
        "计算方法",
        "单位",
        "数据来源",
        "责任单位",
    ]
    first = rows(notes)[0]
    assert first == [
        "W-LAW-01",
        "女性检察官占比",
        "妇女与法律",
        "女性检察官人数 / 检察官总数",
        "%",
        "责任单位填报",
        "检察院",
    ]
    texts = [r[0] for r in rows(notes) if r[0]]
    assert sum(1 for t in texts if str(t).startswith("生成时间：")) == 1
    assert "注：显示为“*”的数字已隐去，以免识别出具体个人：" in texts
    assert any(str(t).startswith("1至4件") for t in texts), texts
    for name in book.sheetnames:
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\")

    taken: set[str] = set()
    assert workbook.sheet_name("a/b[c]:*?\\", taken) == "a_b_c_____"
    long = "按" * 40
    assert workbook.sheet_name(long, taken) == "按" * 31
    assert workbook.sheet_name(long, taken) == "按" * 28 + "(2)"


def test_village_scope_hides_the_plan_row(data):
    reader = user("statistician")
    scope = policy.count_scope(reader, place(CHENGNAN))
    book = load_workbook(BytesIO(workbook.build([plan("500240-children-2021")], 2025, scope, True)))
    assert book["强制报告"]["A1"].value.endswith("（石柱土家族自治县 南宾街道 城南社区）")
    assert rows(book["强制报告"])[0][6] == "*"


# --- the export job --------------------------------------------------------------------


def jobs() -> int:
    return db.session.scalar(select(func.count()).select_from(ExportJob))


def params(**over):
    return {"plans": ["500240-women-2021"], "year": "2025", "jurisdiction": "500240", **over}


@pytest.mark.parametrize(
    ("username", "over", "error"),
    [
        ("police", {}, Forbidden),
        ("statistician", {"year": "20x5"}, ValidationFailed),
        ("statistician", {"year": "2035"}, ValidationFailed),
        ("statistician", {"year": True}, ValidationFailed),
        ("statistician", {"jurisdiction": "999999"}, NotFound),
        ("statistician", {"jurisdiction": ["500240"]}, NotFound),
        ("child_supervisor", {"jurisdiction": "500240101"}, Forbidden),
        ("statistician", {"plans": ["no-such-plan"]}, NotFound),
        ("statistician", {"plans": ["500101-women-2021"]}, ValidationFailed),
        ("statistician", {"plans": {"a": 1}}, ValidationFailed),
    ],
)
def test_start_refuses_bad_requests_before_creating_a_job(data, username, over, error):
    with pytest.raises(error):
        exports.start(user(username), params(**over))
    db.session.rollback()
    assert jobs() == 0


def test_the_scheduler_builds_a_queued_job(data, app):
    job = exports.start(user("statistician"), params(plans=None))
    assert job.status == "queued" and job.claimed_by is None
    assert job.params == {
        "plans": [plan("500240-women-2021").id, plan("500240-children-2021").id],
        "year": 2025,
        "jurisdiction": "500240",
        "hide_small": True,
    }
    # A second start while the first is pending returns the same job.
    again = exports.start(user("statistician"), params())
    assert again.id == job.id and jobs() == 1

    assert exports.run_pending(app, instance="scheduler-a") == 1
    db.session.expire_all()
    job = db.session.get(ExportJob, job.id)
    assert job.status == "done", job.error
    assert job.claimed_by == "scheduler-a" and job.attempts == 1
    assert job.started_at is not None and job.finished_at >= job.started_at
    assert job.filename == "石柱土家族自治县2025年度监测报表.xlsx"
    assert job.done_steps == job.total_steps > 2
    assert exports.status(job)["percent"] == 100
    book = load_workbook(BytesIO(job.content))
    assert rows(book["妇女与法律"])[0][6] == pytest.approx(40.0)
    # Nothing is left to take: a second run, or another scheduler, builds nothing again.
    assert exports.run_pending(app, instance="scheduler-b") == 0
    assert db.session.get(ExportJob, job.id).claimed_by == "scheduler-a"

    # Done, so a new start makes a new job.
    assert exports.start(user("statistician"), params()).id != job.id


def test_failure_is_recorded(data, app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(workbook, "build", broken)
    job = exports.start(user("statistician"), params())
    exports.run_pending(app)
    db.session.expire_all()
    job = db.session.get(ExportJob, job.id)
    assert job.status == "failed"
    assert job.error == "RuntimeError: disk full"
    assert job.content is None and job.finished_at is not None
    assert exports.run_pending(app) == 0  # a finished job is left alone
    assert db.session.get(ExportJob, job.id).status == "failed"


def test_a_queued_job_waits_for_the_scheduler_however_long(data, app):
    """No web process builds anything: a job queued while no scheduler runs stays queued
    (through restarts: it is a row), and the next scheduler builds it."""
    job_id = exports.start(user("statistician"), params()).id
    timeutil.set_clock(timeutil.now() + timedelta(hours=3))
    assert exports.active_job(user("statistician")).id == job_id
    db.session.commit()
    db.session.remove()  # the web process is gone
    timeutil.set_clock(None)
    assert exports.run_pending(app, instance="after-restart") == 1
    db.session.expire_all()
    assert db.session.get(ExportJob, job_id).status == "done"


def test_a_job_whose_scheduler_died_is_taken_again_once(data, app):
    """Scheduler A claims the job and dies while building it (no more progress, so its
    lease runs out); scheduler B takes the job again and builds it; A's late writes, had
    it come back, change nothing."""
    job_id = exports.start(user("statistician"), params()).id
    assert exports.claim("scheduler-a") == job_id
    db.session.remove()
    # Within the lease nobody else takes it.
    assert exports.claim("scheduler-b") is None
    later = timeutil.now() + timedelta(seconds=app.config["EXPORT_LEASE_SECONDS"] + 1)
    timeutil.set_clock(later)
    assert exports.run_pending(app, instance="scheduler-b") == 1
    db.session.expire_all()
    job = db.session.get(ExportJob, job_id)
    assert job.status == "done" and job.claimed_by == "scheduler-b" and job.attempts == 2
    content = job.content
    with pytest.raises(exports.LeaseLost):
        exports._set(job.id, "scheduler-a", status="failed", error="late")
    exports.run_job(app, job.id, "scheduler-a")  # A coming back does nothing
    db.session.expire_all()
    job = db.session.get(ExportJob, job.id)
    assert job.status == "done" and job.content == content and job.error is None


def test_a_job_interrupted_too_often_fails_with_the_reason(data, app):
    job = exports.start(user("statistician"), params())
    moment = timeutil.now()
    for attempt in range(exports.MAX_ATTEMPTS):
        timeutil.set_clock(moment)
        assert exports.claim(f"dying-{attempt}") == job.id
        moment += timedelta(seconds=app.config["EXPORT_LEASE_SECONDS"] + 1)
    timeutil.set_clock(moment)
    assert exports.claim("last") is None
    db.session.expire_all()
    job = db.session.get(ExportJob, job.id)
    assert job.status == "failed" and job.attempts == exports.MAX_ATTEMPTS
    assert "3" in job.error and job.finished_at is not None
    assert exports.status(job)["error"] == job.error
