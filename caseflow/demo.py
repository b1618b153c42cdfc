"""The demo district: 石柱土家族自治县, two townships with two villages each, one
organisation of each type, one user per role, and mandatory reports in every state.

Cases are walked through the real services, so the demo shows honest timelines.
"""

from datetime import timedelta

from . import timeutil
from .deadlines.store import seed_from_package
from .extensions import db
from .models import Jurisdiction, Organisation, User

PASSWORD = "caseflow-demo"

PLACES = [
    ("500240", "石柱土家族自治县", "county", None),
    ("500240001", "南宾街道", "township", "500240"),
    ("500240001001", "城南社区", "village", "500240001"),
    ("500240001002", "红井社区", "village", "500240001"),
    ("500240101", "西沱镇", "township", "500240"),
    ("500240101001", "西沱社区", "village", "500240101"),
    ("500240101002", "云梯村", "village", "500240101"),
    # The other seed plans' districts (their plans are loaded; no cases there).
    ("500101", "重庆市万州区", "county", None),
    ("500104", "重庆市大渡口区", "county", None),
]

ORGS = [
    ("county_police", "石柱县公安局", "police_bureau", "500240"),
    ("nanbin_police", "南宾派出所", "police_station", "500240001"),
    ("xituo_police", "西沱派出所", "police_station", "500240101"),
    ("civil_affairs", "石柱县民政局", "civil_affairs", "500240"),
    ("court", "石柱县人民法院", "court", "500240"),
    ("procuratorate", "石柱县人民检察院", "procuratorate", "500240"),
    ("legal_aid", "石柱县法律援助中心", "legal_aid_centre", "500240"),
    ("justice", "石柱县司法局", "justice_bureau", "500240"),
    ("womens_federation", "石柱县妇联", "womens_federation", "500240"),
    ("hotline", "石柱县12338妇女维权热线", "hotline_centre", "500240"),
    ("education", "石柱县教育委员会", "education_bureau", "500240"),
    ("health", "石柱县卫生健康委员会", "health_bureau", "500240"),
    ("committee", "石柱县妇女儿童工作委员会办公室", "working_committee", "500240"),
    ("statistics", "石柱县统计局", "other", "500240"),
    ("nanbin_office", "南宾街道办事处", "township_government", "500240001"),
    ("xituo_office", "西沱镇人民政府", "township_government", "500240101"),
    ("chengnan", "城南社区居民委员会", "village_committee", "500240001001"),
    ("yunti", "云梯村村民委员会", "village_committee", "500240101002"),
    ("school", "石柱县南宾小学", "school", "500240001"),
    ("kindergarten", "南宾幼儿园", "kindergarten", "500240001"),
    ("hospital", "石柱县人民医院", "hospital", "500240"),
    ("social_work", "石柱县社会工作服务中心", "social_work", "500240"),
    ("relief", "石柱县救助管理站", "relief_agency", "500240"),
    ("welfare", "石柱县儿童福利院", "welfare_institution", "500240"),
    ("shelter", "石柱县反家暴庇护所", "shelter", "500240"),
    ("disabled", "石柱县残疾人联合会", "disabled_federation", "500240"),
    ("elderly", "石柱县老年人协会", "elderly_organisation", "500240"),
]

# Units no case is referred to: the statistics bureau only reads the indicators.
NOT_REFERRED = {"statistics"}

USERS = [
    ("child_director", "谭春梅", "chengnan", "child_director"),
    ("child_director_2", "马小凤", "yunti", "child_director"),
    ("child_supervisor", "冉光明", "nanbin_office", "child_supervisor"),
    ("civil_affairs", "秦文静", "civil_affairs", "civil_affairs"),
    ("police", "向建军", "nanbin_police", "police"),
    ("court_liaison", "陈立平", "court", "court_liaison"),
    ("legal_aid", "黄晓琳", "legal_aid", "legal_aid"),
    # Objections to a legal-aid denial are decided by the justice bureau (法律援助法 Art. 49).
    ("justice_bureau", "周法宁", "justice", "legal_aid"),
    ("hotline", "刘芳", "hotline", "hotline"),
    ("womens_federation", "崔玉兰", "womens_federation", "womens_federation"),
    ("supervisor", "谭志强", "committee", "supervisor"),
    ("statistician", "马丽", "statistics", "statistician"),
    # Responsible units (责任单位) reporting the plans' yearly figures.
    ("data_reporter", "冉德华", "county_police", "data_reporter"),
    ("data_court", "陈静怡", "court", "data_reporter"),
    ("data_procuratorate", "秦正", "procuratorate", "data_reporter"),
    ("data_justice", "周敏", "justice", "data_reporter"),
    ("admin", "系统管理员", "committee", "admin"),
    # 查访 after a warning letter, in its community (反家庭暴力法 Art. 17).
    ("committee", "谭立群", "chengnan", "committee"),
    # Institutions filing their own mandatory reports (强制报告意见 Art. 3).
    ("institution_reporter", "向明德", "school", "institution_reporter"),
    ("institution_reporter_2", "冉仁心", "hospital", "institution_reporter"),
    # A proxy applicant for protection orders (法释〔2022〕17号 Art. 2): the 残联.
    ("assisting_org", "马自强", "disabled", "assisting_org"),
    # Reads the access log of the whole county: who read which case, and how.
    ("auditor", "龙审言", "committee", "auditor"),
]

# Children of the demo reports (invented; the ID numbers pass the GB 11643 check).
CHILDREN = [
    ("冉小雨", "F", "2015-03-08", "500240201503080024"),
    ("谭小军", "M", "2013-07-21", "500240201307210012"),
    ("马小花", "F", "2017-11-02", None),
    ("秦小龙", "M", "2012-01-15", None),
    ("向小丽", "F", "2014-05-30", None),
    ("陈小宝", "M", "2019-09-09", None),
    ("黄小燕", "F", "2011-12-12", None),
    ("刘小虎", "M", "2016-04-04", None),
    ("崔小梅", "F", "2010-08-18", None),
    ("谭小兰", "F", "2018-02-28", None),
]

# The state each demo report is walked to, in the order of CHILDREN.
TARGETS = [
    "submitted",
    "accepted",
    "verifying",
    "verified",
    "unfounded",
    "referred",
    "following_up",
    "closure_requested",
    "closed",
    "submitted",  # in 西沱镇, filed by child_director_2
]


_hash_cache: dict[str, str] = {}


def _password_hash(user: User) -> str:
    # argon2id is slow on purpose; every demo user has the same password, so hash it once.
    if PASSWORD not in _hash_cache:
        user.set_password(PASSWORD)
        _hash_cache[PASSWORD] = user.password_hash
    return _hash_cache[PASSWORD]


def seed(with_cases: bool = True) -> bool:
    """Load the demo data once; returns False if it is already there."""
    if db.session.scalar(db.select(Jurisdiction).where(Jurisdiction.code == "500240")):
        return False
    places = {}
    for code, name, level, parent in PLACES:
        places[code] = Jurisdiction.make(code, name, level, places.get(parent))
        db.session.add(places[code])
    orgs = {}
    for key, name, type_, place in ORGS:
        orgs[key] = Organisation(
            name=name,
            type=type_,
            jurisdiction=places[place],
            serves=[places[place]],
            referable=key not in NOT_REFERRED,
        )
        db.session.add(orgs[key])
    users = {}
    for username, name, org, role in USERS:
        user = User(username=username, display_name=name, role=role, organisation=orgs[org])
        user.password_hash = _password_hash(user)
        users[username] = user
        db.session.add(user)
    db.session.flush()
    _demo_plans(places)
    seed_from_package()  # the working-day calendar of the years the package covers
    if not with_cases:
        return True
    _demo_figures(users)
    for index, target in enumerate(TARGETS):
        _demo_case(index, target, users, orgs)
    _demo_domestic_violence(users, orgs)
    _demo_hotline_and_legal_aid(users)
    _demo_digest_readers(users)
    _demo_history(users, orgs)
    return True


# Two demo users read a daily digest instead of single emails, so the demo's scheduler
# has digests to write (addresses under .invalid: nothing is ever delivered there).
DIGEST_READERS = ("supervisor", "child_supervisor")


def _demo_digest_readers(users) -> None:
    for username in DIGEST_READERS:
        users[username].notify_mode = "digest"
        users[username].email = f"{username}@demo.invalid"


# Earlier years: each year two reports and one warning case, walked to closure, and one
# protection order issued and run to its end, at the times they happened, so every year of the indicator
# pages (the default one too) has case-derived figures.
HISTORY_YEARS = tuple(range(2020, 2026))
HISTORY_CHILDREN = [
    ("谭小川", "M", "2012-06-01", None),
    ("冉小荷", "F", "2014-09-15", None),
]
HISTORY_DV = ("何丽娟", "黄建华", "spouse")
HISTORY_PO = ("秦月", "马林", "spouse", "in_force", 0)


def _history_time(year, month, day, hour):
    from datetime import datetime

    return datetime(year, month, day, hour, tzinfo=timeutil.local_zone())


def _demo_history(users, orgs):
    from .services import cases, visits
    from .services.protection_order import expire_due

    police, supervisor = users["police"], users["supervisor"]
    village = db.session.scalar(db.select(Jurisdiction).where(Jurisdiction.code == "500240001001"))
    try:
        for year in HISTORY_YEARS:
            for n, month in enumerate((3, 9)):
                _clock(_history_time(year, month, 10 + n, 10))
                _demo_case(n, "closed", users, orgs, child=HISTORY_CHILDREN[n])
            victim, abuser, relation = HISTORY_DV
            t = _clock(_history_time(year, 5, 12, 21))
            case = cases.create_case(
                police, "dv_warning", _dv_data(village, victim, abuser, relation, t)
            )
            t = _clock(t + timedelta(hours=2))
            cases.fire(
                police,
                case,
                "issue_warning",
                {
                    "warning_number": f"石公（南）告字〔{year}〕101号",
                    "issued_at": t,
                    "facts": f"{abuser}因家庭琐事殴打{victim}，致其手臂软组织挫伤。",
                    "prohibition": "禁止加害人对受害人实施家庭暴力。",
                },
                case.version,
            )
            t = _clock(t + timedelta(days=1))
            cases.fire(
                police,
                case,
                "deliver",
                {
                    "delivered_abuser_at": t,
                    "delivered_victim_at": t,
                    "committee_notified_at": t,
                    "committee_name": "城南社区居民委员会",
                },
                case.version,
            )
            t = _clock(t + timedelta(hours=1))
            cases.fire(police, case, "start_follow_up", {}, case.version)
            t = _clock(t + timedelta(days=10))
            visits.record(case, police, t, "home", "safe", "未再发生家庭暴力。", None, case.version)
            t = _clock(t + timedelta(days=1))
            cases.fire(police, case, "request_closure", {"summary": "查访未见再犯。"}, case.version)
            cases.fire(supervisor, case, "approve_closure", {"comment": "同意结案。"}, case.version)
            _clock(_history_time(year, 7, 6, 9))
            order = _demo_order(
                users["womens_federation"], users["court_liaison"], village, HISTORY_PO, None
            )
            # The order ran its term; the sweep of the day after ended it.
            _clock(order.protection_order.expires_at + timedelta(hours=1))
            expire_due()
    finally:
        timeutil.set_clock(None)


def _demo_case(index, target, users, orgs, child=None):
    from datetime import date

    from .services import cases, visits

    name, sex, born, id_number = child or CHILDREN[index]
    in_xituo = index == len(TARGETS) - 1
    reporter = users["child_director_2" if in_xituo else "child_director"]
    village = db.session.scalar(
        db.select(Jurisdiction).where(
            Jurisdiction.code == ("500240101002" if in_xituo else "500240001001")
        )
    )
    now = timeutil.now()
    data = {
        "jurisdiction_id": village.id,
        "intake_org_id": None,
        "reporter_org_type": "village_committee",
        "discovered_at": now - timedelta(hours=3 + index),
        # Phoned to the police station two hours ago, entered now.
        "reported_at": now - timedelta(hours=2),
        "report_channel": "phone",
        "reported_to": None,
        "situation_codes": [4] if index % 3 == 0 else [],
        "ongoing_danger": index == 0,
        "guardian_is_suspect": index % 2 == 0,
        "child_safety": "unsafe" if index == 0 else "unknown",
        "urgent": False,
        "description": "入户走访时发现儿童身上有多处淤青，监护人解释不清。（演示数据）",
        "subject": {
            "name": name,
            "sex": sex,
            "birth_date": date.fromisoformat(born),
            "id_number": id_number,
            "phone": None,
            "address": "城南社区（演示）",
            "school": "南宾小学" if index % 2 else None,
        },
        "reporter": {},
    }
    case = cases.create_case(reporter, "mandatory_report", data)
    police, supervisor = users["police"], users["supervisor"]
    steps = {
        "accepted": [(police, "accept", {"comment": "已受理，安排核实。"})],
        "verifying": [
            (police, "start_verification", {"verifier": users["child_supervisor"].id}),
        ],
        "verified": [
            (
                users["child_supervisor"],
                "verify",
                {"findings": "经入户核实，情况属实。", "risk_level": "high"},
            )
        ],
        "referred": [
            (
                police,
                "refer",
                {"to_orgs": [orgs["civil_affairs"].id], "reason": "申请临时监护评估。"},
            )
        ],
        "following_up": [(police, "start_follow_up", {"comment": "每月回访一次。"})],
        "closure_requested": [
            (police, "request_closure", {"summary": "儿童已安全，监护人已接受家庭教育指导。"})
        ],
        "closed": [(supervisor, "approve_closure", {"comment": "同意结案。"})],
    }
    path = [
        "accepted",
        "verifying",
        "verified",
        "referred",
        "following_up",
        "closure_requested",
        "closed",
    ]
    if target == "unfounded":
        walk = ["accepted", "verifying"]
    else:
        walk = path[: path.index(target) + 1] if target in path else []
    for state in walk:
        for actor, trigger, payload in steps[state]:
            cases.fire(actor, case, trigger, payload, case.version)
        if state == "following_up":
            visits.record(
                case,
                users["child_director"],
                now - timedelta(minutes=30),
                "home",
                "safe",
                "儿童状态良好。",
                now + timedelta(days=30),
                case.version,
            )
    if target == "unfounded":
        cases.fire(
            users["child_supervisor"],
            case,
            "mark_unfounded",
            {"reason": "经核实，伤痕系意外摔伤，有医院记录。"},
            case.version,
        )


# Domestic-violence demo cases (invented): (victim, abuser, relation, the state to walk to).
DV_CASES = [
    ("李红梅", "张大勇", "spouse", "incident_logged"),
    ("王秀英", "赵建国", "spouse", "warning_issued"),
    ("陈丽", "刘强", "partner", "delivered"),
    ("杨芳", "杨德明", "parent", "following_up"),
    ("周晓燕", "吴志刚", "former_spouse", "escalated"),
]

# Protection orders: (victim, respondent, relation, state, days ago the draft was started).
PO_CASES = [
    ("黄玉兰", "孙伟", "spouse", "filed", 1),
    ("谢春花", "郑军", "spouse", "accepted", 1),
    ("冯小琴", "何平", "partner", "in_force", 160),
    ("邓美玲", "邓志华", "sibling", "rejected", 3),
]


def _clock(value):
    """Demo cases are walked at the times they would have happened."""
    timeutil.set_clock(value)
    return value


def _dv_data(village, victim, abuser, relation, call_at):
    return {
        "jurisdiction_id": village.id,
        "call_at": call_at,
        "attended_at": call_at + timedelta(minutes=25),
        "location": "城南社区（演示）",
        "subject": {
            "name": victim,
            "sex": "F",
            "phone": "13800000000",
            "address": "城南社区（演示）",
        },
        "abuser": {"name": abuser, "sex": "M", "relation": relation, "address": "城南社区（演示）"},
        "violence_forms": ["physical", "psychological"],
        "injury_level": "minor",
        "injuries": "面部、手臂软组织挫伤。",
        "minors_present": True,
        "minors_witnessed": False,
        "prior_incidents": 1,
        "special_protection": [],
        "urgent": False,
        "description": "邻居报警称听到争吵和哭喊，民警到场时受害人面部有伤。（演示数据）",
    }


def _demo_domestic_violence(users, orgs):
    from .services import cases, visits

    police, wf, court = users["police"], users["womens_federation"], users["court_liaison"]
    village = db.session.scalar(db.select(Jurisdiction).where(Jurisdiction.code == "500240001001"))
    real_now = timeutil.now()
    order = ["incident_logged", "warning_issued", "delivered", "following_up", "escalated"]
    try:
        for index, (victim, abuser, relation, target) in enumerate(DV_CASES):
            t = _clock(real_now - timedelta(days=12 - 2 * index, hours=3))
            case = cases.create_case(
                police, "dv_warning", _dv_data(village, victim, abuser, relation, t)
            )
            if target == "incident_logged":
                continue
            if target == "following_up":
                _clock(t + timedelta(hours=1))
                cases.fire(police, case, "criticize", {"comment": "已批评教育。"}, case.version)
                continue
            t = _clock(t + timedelta(hours=2))
            number = f"石公（南）告字〔{t.year}〕{index:03d}号"
            cases.fire(
                police,
                case,
                "issue_warning",
                {
                    "warning_number": number,
                    "issued_at": t,
                    "facts": f"{abuser}因家庭琐事殴打{victim}，致其面部软组织挫伤。",
                    "prohibition": "禁止加害人对受害人实施家庭暴力。再次实施家庭暴力的，依法予以处理。",
                },
                case.version,
            )
            if order.index(target) < order.index("delivered"):
                continue
            t = _clock(t + timedelta(days=1))
            cases.fire(
                police,
                case,
                "deliver",
                {
                    "delivered_abuser_at": t,
                    "delivered_victim_at": t,
                    "committee_notified_at": t,
                    "committee_name": "城南社区居民委员会",
                },
                case.version,
            )
            if target == "delivered":
                continue
            _clock(t + timedelta(hours=1))
            cases.fire(police, case, "start_follow_up", {}, case.version)
            t = _clock(t + timedelta(days=3))
            visits.record(
                case,
                police,
                t,
                "home",
                "concern",
                "受害人称加害人仍有言语威胁。",
                None,
                case.version,
            )
            t = _clock(t + timedelta(days=1))
            cases.fire(
                police,
                case,
                "record_repeat",
                {"occurred_at": t - timedelta(hours=2), "description": "加害人再次殴打受害人。"},
                case.version,
            )
            _clock(t + timedelta(hours=2))
            _demo_order(
                wf, court, village, ("周晓燕", "吴志刚", "former_spouse", "drafted", 0), case
            )
        for spec in PO_CASES:
            _clock(real_now - timedelta(days=spec[4], hours=5))
            _demo_order(wf, court, village, spec, None)
        _clock(real_now - timedelta(hours=6))
        _demo_persons(police, users["supervisor"], village)
    finally:
        timeutil.set_clock(None)


def _demo_persons(police, supervisor, village):
    """One person across cases: a second DV call about 吴志刚 (his new partner called), so
    that he is the abuser of two calls and the respondent of the order started from the
    first — a repeat abuser; 周晓燕 is the victim of the first call and of the order. The
    county supervisor links them."""
    from .models import Case, Person
    from .services import cases, persons

    data = _dv_data(village, "罗秀芬", "吴志刚", "partner", timeutil.now())
    data["description"] = "受害人报警称同居男友酒后殴打。（演示数据）"
    cases.create_case(police, "dv_warning", data)
    records = {}
    parties = db.session.scalars(
        db.select(Person)
        .join(Case, Case.id == Person.case_id)
        .where(Person.name.in_(("周晓燕", "吴志刚")), Person.role != "reporter")
        .order_by(Case.id, Person.id)
    ).all()
    for party in parties:
        case = party.case
        linked = persons.link(supervisor, case, party, records.get(party.name))
        records.setdefault(party.name, linked.record_id)


def _demo_order(wf, court_user, village, spec, source):
    from .deadlines.calendar import add_months
    from .services import cases

    victim, respondent, relation, target, _days = spec
    court = court_user.organisation
    case = cases.create_case(
        wf,
        "protection_order",
        {
            "jurisdiction_id": village.id,
            "source_case_id": source.id if source else None,
            "subject": {
                "name": victim,
                "sex": "F",
                "phone": "13900000000",
                "address": "城南社区（演示）",
            },
            "applicant_role": "victim",
            "proxy_reason": None,
            "applicant": {},
            "respondent": {"name": respondent, "sex": "M", "relation": relation},
            "measures": ["no_violence", "no_contact"],
            "measures_other": None,
            "evidence": ["statement", "police_documents", "medical"],
            "court_id": court.id,
            "court_basis": "applicant_residence",
            "victim_wishes_confirmed": False,
            "oral_application": False,
            "special_protection": [],
            "urgent": False,
            "description": f"{respondent}多次殴打、威胁申请人，申请人面临家庭暴力的现实危险。（演示数据）",
        },
    )
    if target == "drafted":
        return case
    t = _clock(timeutil.now() + timedelta(hours=1))
    cases.fire(wf, case, "file", {"filed_at": t}, case.version)
    if target == "filed":
        return case
    t = _clock(t + timedelta(hours=2))
    cases.fire(court_user, case, "court_accept", {"accepted_at": t, "urgent": False}, case.version)
    if target == "accepted":
        return case
    t = _clock(t + timedelta(hours=30))
    if target == "rejected":
        cases.fire(
            court_user,
            case,
            "reject",
            {"ruled_at": t, "served_at": t, "reason": "现有证据不足以证明存在家庭暴力的现实危险。"},
            case.version,
        )
        return case
    issued_day = timeutil.to_local(t).date()
    cases.fire(
        court_user,
        case,
        "issue_order",
        {
            "order_number": f"（{t.year}）渝0240民保令{case.id}号",
            "issued_at": t,
            "expires_on": add_months(issued_day, 6),
            "granted_measures": ["no_violence", "no_contact"],
        },
        case.version,
    )
    t = _clock(t + timedelta(hours=20))
    cases.fire(
        court_user,
        case,
        "serve",
        {
            "served_applicant_at": t,
            "served_respondent_at": t,
            "served_police_at": t,
            "served_committee_at": t,
            "police_name": "南宾派出所",
            "committee_name": "城南社区居民委员会",
        },
        case.version,
    )
    return case


def _demo_hotline_and_legal_aid(users):
    """Calls to 12338 (one opening a DV case that is referred to legal aid, one with a
    callback now overdue, one anonymous question) and legal-aid cases at several steps."""
    from .services import cases, hotline

    agent, centre = users["hotline"], users["legal_aid"]
    village = db.session.scalar(db.select(Jurisdiction).where(Jurisdiction.code == "500240001002"))
    real_now = timeutil.now()
    try:
        t = _clock(real_now - timedelta(days=4, hours=2))
        call, _ = hotline.log_call(
            agent,
            {
                "client_token": "demo-call-1",
                "line": "12338",
                "received_at": t,
                "duration_minutes": 18,
                "caller_phone": "13700000001",
                "caller_name": "罗晓梅",
                "caller_relation": "self",
                "subject_name": "罗晓梅",
                "subject_sex": "F",
                "subject_phone": "13700000001",
                "jurisdiction_id": village.id,
                "category": "domestic_violence",
                "urgency": "urgent",
                "summary": "来电人称丈夫长期酗酒后殴打她，昨晚再次动手，想了解如何申请保护令。（演示数据）",
                "action_taken": "case_created",
                "callback_needed": True,
                "callback_due": t + timedelta(days=1),
            },
        )
        case = cases.create_case(
            agent,
            "dv_warning",
            {
                **_dv_data(village, "罗晓梅", "彭志勇", "spouse", t - timedelta(hours=10)),
                "subject": {"name": "罗晓梅", "sex": "F", "phone": "13700000001"},
                "attended_at": None,
                "description": "12338热线来电：丈夫酗酒后殴打。已转南宾派出所处理。（演示数据）",
            },
        )
        hotline.attach(call, case, agent)
        _clock(t + timedelta(minutes=30))
        aid = cases.create_case(
            agent,
            "legal_aid",
            {
                "source_case_id": case.id,
                "subject": {"name": "罗晓梅", "sex": "F", "phone": "13700000001"},
                "matter": "protection_order",
                "description": "申请人身安全保护令及离婚诉讼代理。（演示数据）",
                "means_test_exempt_reason": "domestic_violence",
            },
        )
        _clock(t + timedelta(days=1))
        cases.fire(centre, aid, "receive_application", {}, aid.version)
        hotline.log_call(
            agent,
            {
                "client_token": "demo-call-2",
                "line": "12338",
                "received_at": real_now - timedelta(hours=30),
                "anonymous": True,
                "caller_phone": None,
                "category": "legal_consultation",
                "summary": "匿名咨询：离婚后抚养费不按时支付怎么办。已告知可申请法律援助。（演示数据）",
                "action_taken": "advice",
            },
        )
        _clock(real_now - timedelta(days=2))
        hotline.log_call(
            agent,
            {
                "client_token": "demo-call-3",
                "line": "12345",
                "received_at": real_now - timedelta(days=2),
                "caller_phone": "13600000002",
                "caller_relation": "neighbour",
                "category": "child_protection",
                "summary": "邻居反映一名儿童经常独自在家、夜间哭闹。已约定回访核实。（演示数据）",
                "action_taken": "referral",
                "callback_needed": True,
                "callback_due": real_now - timedelta(days=1),
            },
        )
        # A standalone application, granted and with a lawyer.
        _clock(real_now - timedelta(days=6))
        standalone = cases.create_case(
            centre,
            "legal_aid",
            {
                "jurisdiction_id": village.id,
                "subject": {"name": "廖桂芳", "sex": "F"},
                "matter": "maintenance",
                "description": "请求前夫支付子女抚养费。（演示数据）",
                "means_test_exempt_reason": None,
                "household_size": 3,
                "monthly_income": 900,
                "honesty_undertaking": True,
            },
        )
        cases.fire(centre, standalone, "receive_application", {}, standalone.version)
        _clock(real_now - timedelta(days=4))
        cases.fire(centre, standalone, "grant", {}, standalone.version)
        _clock(real_now - timedelta(days=3))
        cases.fire(
            centre,
            standalone,
            "assign_lawyer",
            {"lawyer_name": "冉志远", "law_firm": "重庆石柱民兴律师事务所"},
            standalone.version,
        )
    finally:
        timeutil.set_clock(None)


def _demo_plans(places):
    """The seed plans (石柱县, 万州区, 大渡口区) and 石柱县's workstation registry."""
    from datetime import date

    from .indicators.plans import load_seed_plans

    for plan in load_seed_plans():
        # 保持合理比例: the plan owner sets the band; one is left for the owner to set.
        for target in plan.targets:
            if plan.code == "500240-women-2021" and target.indicator_code in (
                "W-LAW-01",
                "W-LAW-02",
            ):
                target.band_low, target.band_high = 35.0, 65.0
    places["500240001"].workstation_since = date(2022, 6, 1)


# Figures 石柱县's units reported for 2020–2025 (invented for the demo): (code, user,
# {year: value or (numerator, denominator)}). C-LAW-02 rises three years running, so the
# page shows an early warning; W-LAW-05 stays under its 2020 baseline.
DEMO_FIGURES = [
    (
        "W-LAW-01",
        "data_procuratorate",
        {2020: (9, 24), 2022: (10, 25), 2024: (11, 25), 2025: (12, 26)},
    ),
    ("W-LAW-02", "data_court", {2020: (14, 31), 2022: (15, 31), 2024: (16, 32), 2025: (16, 31)}),
    ("W-LAW-03", "data_justice", {2020: (21, 88), 2023: (27, 95), 2025: (33, 104)}),
    (
        "W-LAW-05",
        "data_reporter",
        {2020: (12, 612), 2023: (10, 640), 2024: (9, 655), 2025: (8, 630)},
    ),
    (
        "C-LAW-01",
        "data_reporter",
        {2020: (31, 98500), 2023: (26, 97200), 2024: (22, 96800), 2025: (20, 96100)},
    ),
    (
        "C-LAW-02",
        "data_reporter",
        {2020: (40, 1010), 2022: (38, 1002), 2023: (41, 998), 2024: (45, 1005), 2025: (52, 1012)},
    ),
    ("C-SAFE-01", "data_reporter", {2020: (5, 98500), 2024: (4, 96800), 2025: (4, 96100)}),
    ("C-SAFE-02", "data_reporter", {2020: (12, 98500), 2024: (9, 96800), 2025: (8, 96100)}),
    (
        "POP-CHILD",
        "data_reporter",
        {2020: 98500, 2023: 97200, 2024: 96800, 2025: 96100, 2026: 95700},
    ),
]


def _demo_figures(users):
    """Submitted and accepted figures, and one 2026 figure awaiting the statistician."""
    from .indicators import submissions

    for code, username, by_year in DEMO_FIGURES:
        for year, figure in by_year.items():
            data = {"code": code, "year": year, "jurisdiction": "500240"}
            if isinstance(figure, tuple):
                data["numerator"], data["denominator"] = figure
            else:
                data["value"] = figure
            row = submissions.submit(users[username], data)
            submissions.review(users["statistician"], row.id, accept=True)
    submissions.submit(
        users["data_court"],
        {
            "code": "W-LAW-02",
            "year": 2026,
            "jurisdiction": "500240",
            "numerator": 17,
            "denominator": 32,
        },
    )
