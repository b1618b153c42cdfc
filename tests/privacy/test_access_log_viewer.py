"""The access-log viewer: who may read it (auditors, supervisors of the case's unit or
place; nobody else), its filters, its own reads logged, the .xlsx export and the
unusual-reading report, on pages and in the API."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import exists, select

from caseflow import timeutil
from caseflow.demo import seed
from caseflow.extensions import db
from caseflow.models import AccessLog, Case, Jurisdiction, Referral, User
from caseflow.services.access_log import log_access
from tests.conftest import api_token, login, purge

ZONE = ZoneInfo("Asia/Shanghai")


def local(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=ZONE)


@pytest.fixture
def world(clean):
    """The demo with its cases, and a known set of reads at known local times."""
    with clean.app_context():
        purge()
        seed(with_cases=True)
        db.session.commit()
        db.session.execute(AccessLog.__table__.delete())  # the demo's own walk-through
        users = {u.username: u for u in db.session.scalars(select(User))}
        police = users["police"]
        own = db.session.scalars(
            select(Case).where(Case.owner_org_id == police.organisation_id).order_by(Case.id)
        ).all()
        fed = users["womens_federation"]
        not_referred = ~exists().where(
            Referral.case_id == Case.id, Referral.to_org_id == fed.organisation_id
        )
        police_dv = db.session.scalars(
            select(Case)
            .where(
                Case.type == "dv_warning",
                Case.owner_org_id == police.organisation_id,
                not_referred,
            )
            .order_by(Case.id)
        ).all()
        everything = db.session.scalars(select(Case).order_by(Case.id)).all()
        xituo = db.session.scalar(select(Jurisdiction).where(Jurisdiction.name == "西沱镇"))
        other_township = next(c for c in everything if c.jurisdiction.path.startswith(xituo.path))
        reads = []

        def read(user, case, at, channel="page"):
            timeutil.set_clock(at)
            log_access(user, case, channel)
            reads.append((user.username, case.number, channel))

        for case in own[:3]:
            read(police, case, local(10, 10))  # own work, daytime
        for case in everything[:10]:
            read(users["supervisor"], case, local(11, 14), "api_detail")
        for case in police_dv[:5]:
            read(fed, case, local(12, 15))
        read(users["civil_affairs"], everything[0], local(13, 23, 30), "search")
        read(users["child_director_2"], other_township, local(14, 9), "print")
        timeutil.set_clock(local(20, 9))
        db.session.commit()
        data = {
            "users": {name: u.id for name, u in users.items()},
            "police_case": own[0].id,
            "police_case_number": own[0].number,
            "other_township": other_township.id,
            "reads": reads,
            "fed_cases": {c.number for c in police_dv[:5]},
        }
    yield clean, data
    timeutil.set_clock(None)


def page(app, username, path):
    client = app.test_client()
    login(client, username)
    return client.get(path)


def _viewer_rows(app, username):
    with app.app_context():
        return db.session.scalars(
            select(Case.number)
            .join(AccessLog, AccessLog.case_id == Case.id)
            .join(User, AccessLog.user_id == User.id)
            .where(User.username == username, AccessLog.channel == "log_viewer")
        ).all()


def test_who_may_read_the_log(world):
    app, data = world
    case_id = data["police_case"]
    for username in ("auditor", "supervisor"):
        assert page(app, username, "/access-log").status_code == 200, username
        assert page(app, username, f"/access-log/cases/{case_id}").status_code == 200
    # The township's child supervisor audits the cases of its township only.
    assert page(app, "child_supervisor", f"/access-log/cases/{case_id}").status_code == 200
    other = data["other_township"]
    assert page(app, "child_supervisor", f"/access-log/cases/{other}").status_code == 404
    for username in ("police", "womens_federation", "statistician", "admin", "hotline"):
        assert page(app, username, "/access-log").status_code == 403, username
        assert page(app, username, f"/access-log/cases/{case_id}").status_code == 404
        assert page(app, username, "/access-log/unusual").status_code == 403
        assert page(app, username, "/access-log/export.xlsx").status_code == 403
        client = app.test_client()
        answer = client.get("/api/v1/access-log", headers=api_token(client, username))
        assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "forbidden"
    assert "nav-access-log" in page(app, "auditor", "/").get_data(as_text=True)
    assert "nav-access-log" not in page(app, "police", "/").get_data(as_text=True)


def test_a_cases_readers_and_the_viewers_own_read(world):
    app, data = world
    response = page(app, "auditor", f"/access-log/cases/{data['police_case']}")
    text = response.get_data(as_text=True)
    assert "谁以何种方式查阅" in text  # Chinese first
    assert 'data-user="police"' in text and 'data-user="supervisor"' in text
    assert 'data-user="civil_affairs" data-channel="search"' in text
    # Showing who read the case is itself a read of the case.
    assert _viewer_rows(app, "auditor") == [data["police_case_number"]]


def test_filters_by_date_user_case_and_channel(world):
    app, data = world
    client = app.test_client()
    headers = api_token(client, "auditor")

    def items(query):
        answer = client.get(f"/api/v1/access-log?{query}", headers=headers)
        assert answer.status_code == 200, answer.get_json()
        return [
            (i["user"]["username"], i["case"]["number"], i["channel"])
            for i in answer.get_json()["items"]
        ]

    everything = items("per_page=500&channel=page") + items("per_page=500&channel=api_detail")
    assert len(everything) == 3 + 10 + 5
    assert {r for r in items("from=2026-11-12&to=2026-11-12")} == {
        ("womens_federation", n, "page") for n in data["fed_cases"]
    }
    assert items("user=civil_affairs&channel=search") == [
        ("civil_affairs", data["reads"][18][1], "search")
    ]
    assert items("user=civil_affairs&channel=page") == []
    by_case = items(f"case={data['police_case_number']}&to=2026-11-19")
    assert {u for u, _n, _c in by_case} == {"police", "supervisor", "civil_affairs"}
    # Local days: 23:30 on the 13th in 石柱 is still the 13th.
    assert items("from=2026-11-13&to=2026-11-13") == [
        ("civil_affairs", data["reads"][18][1], "search")
    ]
    # Bad filters: 422 with the field named, never a 500.
    for query, field in (
        ("from=2026-13-01", "from"),
        ("from=2026-11-20&to=2026-11-01", "to"),
        ("user=nobody", "user"),
        ("case=MR-0000-000000", "case"),
        ("channel=telepathy", "channel"),
        ("per_page=0", "per_page"),
        ("colour=red", "colour"),
    ):
        answer = client.get(f"/api/v1/access-log?{query}", headers=headers)
        assert answer.status_code == 422, query
        assert field in answer.get_json()["error"]["fields"], query
    bad = page(app, "auditor", "/access-log?from=yesterday")
    assert bad.status_code == 422 and 'data-error="from"' in bad.get_data(as_text=True)


def test_a_supervisor_of_a_township_sees_only_its_places_reads(world):
    app, data = world
    client = app.test_client()
    headers = api_token(client, "child_supervisor")
    numbers = {
        i["case"]["number"]
        for i in client.get("/api/v1/access-log?per_page=500", headers=headers).get_json()["items"]
    }
    with app.app_context():
        other = db.session.get(Case, data["other_township"]).number
    assert numbers and other not in numbers
    everyone = {
        i["case"]["number"]
        for i in client.get(
            "/api/v1/access-log?per_page=500", headers=api_token(client, "auditor")
        ).get_json()["items"]
    }
    assert other in everyone


def test_export_to_xlsx(world):
    app, data = world
    response = page(app, "auditor", "/access-log/export.xlsx?user=womens_federation")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "用户名", "姓名")
    assert {r[5] for r in rows[1:]} == data["fed_cases"] and len(rows) == 6
    assert all(
        r[1] == "womens_federation" and r[0].startswith("2026-11-12 15:00") for r in rows[1:]
    )
    with app.app_context():
        exported = db.session.scalars(
            select(Case.number)
            .join(AccessLog, AccessLog.case_id == Case.id)
            .where(AccessLog.channel == "export")
        ).all()
    assert set(exported) == data["fed_cases"]  # the export is a read of each case in it


def test_the_unusual_reading_report(world):
    app, data = world
    text = page(app, "auditor", "/access-log/unusual?from=2026-11-01&to=2026-11-19").get_data(
        as_text=True
    )
    sections = {
        user: text.split(f'data-user="{user}"', 1)[1].split("</section>", 1)[0]
        for user in ("supervisor", "womens_federation", "civil_affairs")
    }
    assert 'data-reason="outside_work"' in sections["supervisor"]
    assert 'data-reason="other_unit"' in sections["womens_federation"]
    assert 'data-reason="night"' in sections["civil_affairs"]
    assert 'data-reason="night"' not in sections["supervisor"]
    # The police read only their own unit's cases, in the daytime: not in the report.
    assert 'data-user="police"' not in text
    # Thresholds can be asked for; a bad one is 422.
    stricter = page(app, "auditor", "/access-log/unusual?from=2026-11-01&to=2026-11-19&outside=11")
    assert 'data-reason="outside_work"' not in stricter.get_data(as_text=True)
    assert page(app, "auditor", "/access-log/unusual?outside=-1").status_code == 422
    # A period without reads: nobody stands out.
    empty = page(app, "auditor", "/access-log/unusual?from=2026-10-01&to=2026-10-31")
    assert "nothing-unusual" in empty.get_data(as_text=True)
