"""A county's administration (issue 16): users, units, places, rule overrides and the
administration log, as pages and as /api/v1/admin endpoints. Each as the county's
administrator, as the administrator of another county (404 for the county's things, its
lists without them) and as every other role (403); every change an audit event with
before and after; imports that save nothing until the whole file is clean."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import (
    AdminEvent,
    Case,
    Jurisdiction,
    Organisation,
    RuleOverride,
    RuleOverrideChange,
    User,
    UserSession,
)
from caseflow.vocab import ROLES
from tests.conftest import api_token, csrf_token, login, user
from tests.integration.test_api import report

OTHER_COUNTY = "500101"  # 重庆市万州区, a county of the demo data without cases
VILLAGE = "500240001001"
OTHER_ROLES = sorted(set(ROLES) - {"admin"})


@pytest.fixture
def world(clean):
    """The demo county and an administrator of another county (万州区)."""
    with clean.app_context():
        county = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == OTHER_COUNTY))
        org = Organisation(name="万州区妇儿工委办", type="working_committee", jurisdiction=county)
        db.session.add(org)
        other = User(
            username="admin_wanzhou", display_name="万州管理员", role="admin", organisation=org
        )
        other.password_hash = user("admin").password_hash
        db.session.add(other)
        db.session.commit()
        ids = {
            "user": user("hotline").id,
            "unit": org_id("南宾派出所"),
            "place": place_id("500240001"),
            "other_unit": org.id,
        }
    return ids


def org_id(name: str) -> int:
    return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


def place_id(code: str) -> int:
    return db.session.scalar(select(Jurisdiction.id).where(Jurisdiction.code == code))


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def events(action: str) -> list[AdminEvent]:
    return db.session.scalars(
        select(AdminEvent).where(AdminEvent.action == action).order_by(AdminEvent.id)
    ).all()


def pages(ids) -> list[str]:
    return [
        "/admin/",
        "/admin/users",
        f"/admin/users/{ids['user']}",
        "/admin/users/import",
        "/admin/units",
        f"/admin/units/{ids['unit']}",
        "/admin/places",
        "/admin/places/import",
        "/admin/overrides",
        f"/admin/overrides?place={ids['place']}",
        "/admin/log",
    ]


def api_calls(ids) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", "/api/v1/admin/users", None),
        ("get", f"/api/v1/admin/users/{ids['user']}", None),
        ("patch", f"/api/v1/admin/users/{ids['user']}", {"display_name": "改名"}),
        ("post", f"/api/v1/admin/users/{ids['user']}/end-sessions", None),
        ("get", "/api/v1/admin/organisations", None),
        ("patch", f"/api/v1/admin/organisations/{ids['unit']}", {"phone": "023-1"}),
        ("get", "/api/v1/admin/places", None),
        ("patch", f"/api/v1/admin/places/{ids['place']}", {"name": "南宾"}),
        ("get", f"/api/v1/admin/places/{ids['place']}/rules", None),
        (
            "put",
            f"/api/v1/admin/places/{ids['place']}/rules/visit_due",
            {"unit": "days", "length": 5, "basis": "本县规定"},
        ),
        ("get", "/api/v1/admin/log", None),
    ]


# --- who may ----------------------------------------------------------------------


def test_every_page_as_the_admin_of_the_county(client, world):
    login(client, "admin")
    for path in pages(world):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<script>" not in response.get_data(as_text=True)


def test_my_work_shows_the_administration(client, world):
    login(client, "admin")
    page = client.get("/").get_data(as_text=True)
    assert 'id="admin-work"' in page and "/admin/users" in page and "/admin/log" in page


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_page_refused_to_other_roles(clean, world, role):
    with clean.app_context():
        name = db.session.scalar(select(User.username).where(User.role == role))
    client = clean.test_client()
    login(client, name)
    for path in pages(world):
        assert client.get(path).status_code == 403, (role, path)
    token = csrf_token(client, "/")
    response = client.post("/admin/users", data={"csrf_token": token, "username": "x1"})
    assert response.status_code == 403


def test_pages_of_another_county_are_not_found(client, world):
    login(client, "admin_wanzhou")
    for path in (
        f"/admin/users/{world['user']}",
        f"/admin/units/{world['unit']}",
        f"/admin/overrides?place={world['place']}",
    ):
        assert client.get(path).status_code == 404, path
    page = client.get("/admin/users").get_data(as_text=True)
    assert "admin_wanzhou" in page and 'data-username="police"' not in page
    page = client.get("/admin/places").get_data(as_text=True)
    assert "500101" in page and "500240001" not in page
    token = csrf_token(client, "/admin/users")
    response = client.post(f"/admin/users/{world['user']}/deactivate", data={"csrf_token": token})
    assert response.status_code == 404
    with client.application.app_context():
        assert db.session.get(User, world["user"]).active


def test_every_api_endpoint_by_role_and_county(client, world):
    admin = api_token(client, "admin")
    other = api_token(client, "admin_wanzhou")
    police = api_token(client, "police")
    for method, path, body in api_calls(world):
        kwargs = {"json": body} if body is not None else {}
        assert getattr(client, method)(path, headers=police, **kwargs).status_code == 403, path
        answer = getattr(client, method)(path, headers=other, **kwargs)
        if path.endswith(("/users", "/organisations", "/places", "/log")):
            assert answer.status_code == 200, path
            text = answer.get_data(as_text=True)
            assert "南宾" not in text and '"hotline"' not in text, path
        else:
            assert answer.status_code == 404, (path, answer.get_data(as_text=True))
        answer = getattr(client, method)(path, headers=admin, **kwargs)
        assert answer.status_code == 200, (path, answer.get_data(as_text=True))
    # The other county's administrator left no trace in this county's log.
    with client.application.app_context():
        assert not count(AdminEvent, AdminEvent.actor_id == user("admin_wanzhou").id)


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_api_endpoint_refused_to_other_roles(clean, world, role):
    client = clean.test_client()
    with clean.app_context():
        name = db.session.scalar(select(User.username).where(User.role == role))
    headers = api_token(client, name)
    for method, path, body in api_calls(world):
        kwargs = {"json": body} if body is not None else {}
        response = getattr(client, method)(path, headers=headers, **kwargs)
        assert response.status_code == 403, (role, path)
        assert response.get_json()["error"]["code"] == "forbidden"


# --- users ------------------------------------------------------------------------


def test_create_edit_reset_deactivate_and_reactivate_a_user(client, world):
    headers = api_token(client, "admin")
    with client.application.app_context():
        unit = org_id("西沱派出所")
    created = client.post(
        "/api/v1/admin/users",
        headers=headers,
        json={
            "username": "new_police",
            "display_name": "新民警",
            "role": "police",
            "organisation_id": unit,
        },
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert body["must_change_password"] is True and body["one_time_password"]
    new_id = body["id"]
    # The one-time password logs in and leads to the change form (forced change).
    login(client, "new_police", body["one_time_password"])
    assert client.get("/", follow_redirects=False).status_code in (302, 303)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/password")})

    edited = client.patch(
        f"/api/v1/admin/users/{new_id}",
        headers=headers,
        json={"role": "civil_affairs", "organisation_id": org_id_app(client, "石柱县民政局")},
    )
    assert edited.status_code == 200 and edited.get_json()["role"] == "civil_affairs"
    reset = client.post(f"/api/v1/admin/users/{new_id}/reset-password", headers=headers)
    assert reset.status_code == 200 and reset.get_json()["one_time_password"]
    off = client.post(f"/api/v1/admin/users/{new_id}/deactivate", headers=headers)
    assert off.status_code == 200 and off.get_json()["active"] is False
    again = client.post(f"/api/v1/admin/users/{new_id}/deactivate", headers=headers)
    assert again.status_code == 409
    on = client.post(f"/api/v1/admin/users/{new_id}/reactivate", headers=headers)
    assert on.status_code == 200 and on.get_json()["active"] is True

    with client.application.app_context():
        [create] = events("user.create")
        assert create.before is None and create.after["role"] == "police"
        assert create.actor_id == user("admin").id and create.at is not None
        [edit] = events("user.edit")
        assert edit.before["role"] == "police" and edit.after["role"] == "civil_affairs"
        assert edit.before["organisation"] == "西沱派出所"
        assert edit.after["organisation"] == "石柱县民政局"
        [off_event] = events("user.deactivate")
        assert off_event.before["active"] is True and off_event.after["active"] is False
        assert events("user.reactivate") and events("user.reset_password")
    log = client.get("/api/v1/admin/log", headers=headers).get_json()
    assert log["total"] == 5
    assert [e["action"] for e in log["items"]][:2] == ["user.reactivate", "user.deactivate"]


def org_id_app(client, name):
    with client.application.app_context():
        return org_id(name)


def test_create_user_refusals_change_nothing(client, world):
    headers = api_token(client, "admin")
    with client.application.app_context():
        before = count(User)
    cases = [
        ({"username": "police"}, "username"),
        ({"role": "king"}, "role"),
        ({"organisation_id": world["other_unit"]}, "organisation_id"),
        ({"username": "a b"}, "username"),
    ]
    for change, field in cases:
        body = {
            "username": "someone",
            "display_name": "某人",
            "role": "police",
            "organisation_id": world["unit"],
            **change,
        }
        response = client.post("/api/v1/admin/users", headers=headers, json=body)
        assert response.status_code == 422, change
        assert field in response.get_json()["error"]["fields"]
    with client.application.app_context():
        assert count(User) == before and not events("user.create")


def test_end_sessions_of_a_user(client, world):
    other = clean_client(client)
    login(other, "hotline")
    headers = api_token(client, "admin")
    response = client.post(f"/api/v1/admin/users/{world['user']}/end-sessions", headers=headers)
    assert response.status_code == 200
    with client.application.app_context():
        assert not count(
            UserSession, UserSession.user_id == world["user"], UserSession.ended_at.is_(None)
        )
    assert other.get("/").status_code in (302, 303)


def clean_client(client):
    return client.application.test_client()


def test_the_last_active_administrator_is_kept(client, world):
    headers = api_token(client, "admin")
    with client.application.app_context():
        admin_id = user("admin").id
    response = client.post(f"/api/v1/admin/users/{admin_id}/deactivate", headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "state_conflict"
    response = client.patch(
        f"/api/v1/admin/users/{admin_id}", headers=headers, json={"role": "supervisor"}
    )
    assert response.status_code == 409
    with client.application.app_context():
        admin = user("admin")
        assert admin.active and admin.role == "admin" and not count(AdminEvent)
    # With a second administrator, one of the two may go; then the other is the last.
    second = client.post(
        "/api/v1/admin/users",
        headers=headers,
        json={
            "username": "admin2",
            "display_name": "第二管理员",
            "role": "admin",
            "organisation_id": world["unit"],
        },
    ).get_json()
    gone = client.post(f"/api/v1/admin/users/{second['id']}/deactivate", headers=headers)
    assert gone.status_code == 200
    # The page shows the refusal in words.
    login(client, "admin")
    token = csrf_token(client, f"/admin/users/{admin_id}")
    page = client.post(f"/admin/users/{admin_id}/deactivate", data={"csrf_token": token})
    assert page.status_code == 409 and "最后" in page.get_data(as_text=True)


# --- the users' import -------------------------------------------------------------


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, path, headers, data: bytes, name: str, dry_run: bool):
    return client.post(
        path,
        headers=headers,
        data={"file": (io.BytesIO(data), name), "dry_run": "true" if dry_run else "false"},
        content_type="multipart/form-data",
    )


USER_HEADER = ["用户名", "姓名", "角色", "单位", "邮箱"]


def test_user_import_lists_every_bad_row_and_saves_nothing(client, world):
    headers = api_token(client, "admin")
    data = workbook(
        [
            USER_HEADER,
            ["good_one", "好人", "police", "南宾派出所", ""],
            ["police", "重名", "police", "南宾派出所", ""],
            ["dup", "甲", "police", "南宾派出所", ""],
            ["dup", "乙", "police", "南宾派出所", ""],
            ["role_bad", "丙", "king", "南宾派出所", ""],
            ["unit_bad", "丁", "police", "不存在的单位", ""],
            ["unit_far", "戊", "police", "万州区妇儿工委办", ""],
            ["mail_bad", "己", "police", "南宾派出所", "not-mail"],
            ["", "庚", "police", "南宾派出所", ""],
        ]
    )
    with client.application.app_context():
        before = count(User)
    for dry_run in (True, False):
        response = upload(client, "/api/v1/admin/users/import", headers, data, "u.xlsx", dry_run)
        if dry_run:
            assert response.status_code == 200
            problems = response.get_json()["problems"]
        else:
            assert response.status_code == 422
        with client.application.app_context():
            assert count(User) == before and not count(AdminEvent)
    found = {(p["row"], p["field"]) for p in problems}
    assert found == {
        (3, "username"),
        (5, "username"),
        (6, "role"),
        (7, "unit"),
        (8, "unit"),
        (9, "email"),
        (10, "username"),
    }
    assert all(p["message"] for p in problems)


def test_user_import_wrong_header_and_a_clean_file(client, world):
    headers = api_token(client, "admin")
    bad = workbook([["账号名", "姓名", "角色"], ["x", "y", "police"]])
    response = upload(client, "/api/v1/admin/users/import", headers, bad, "u.xlsx", True)
    found = {(p["row"], p["field"]) for p in response.get_json()["problems"]}
    assert found == {(1, "username"), (1, "unit")}
    response = upload(client, "/api/v1/admin/users/import", headers, b"not a zip", "u.xlsx", True)
    assert response.status_code == 422
    assert "file" in response.get_json()["error"]["fields"]


def test_user_import_saves_a_clean_file(client, world):
    headers = api_token(client, "admin")
    good = workbook(
        [
            USER_HEADER,
            ["imp_a", "甲", "police", "南宾派出所", ""],
            ["imp_b", "乙", "civil_affairs", "石柱县民政局", "b@example.cn"],
        ]
    )
    response = upload(client, "/api/v1/admin/users/import", headers, good, "u.xlsx", False)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["saved"] and {c["username"] for c in body["created"]} == {"imp_a", "imp_b"}
    assert all(c["one_time_password"] for c in body["created"])
    with client.application.app_context():
        assert user("imp_a").must_change_password and user("imp_b").email == "b@example.cn"
        assert len(events("user.create")) == 2


def test_user_import_page_dry_run(client, world):
    login(client, "admin")
    token = csrf_token(client, "/admin/users/import")
    data = workbook([USER_HEADER, ["x_bad", "某", "king", "南宾派出所", ""]])
    page = client.post(
        "/admin/users/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), "u.xlsx"), "apply": "1"},
        content_type="multipart/form-data",
    )
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert 'id="import-problems"' in text and "<td>2</td><td>role</td>" in text


# --- places -----------------------------------------------------------------------

PLACE_HEADER = "统计用区划代码,名称,级别\n"


def test_place_import_names_each_bad_row_and_saves_nothing(client, world):
    headers = api_token(client, "admin")
    text = PLACE_HEADER + (
        "500240001000,南宾街道,township\n"  # 2 known: unchanged
        "500240001003,新村,village\n"  # 3 good
        "500240001003,新村二,village\n"  # 4 duplicate code
        "500240999004,孤村,village\n"  # 5 parent does not exist
        "50024000100,短码,village\n"  # 6 wrong length
        "500101001001,外县村,village\n"  # 7 outside the county
        "500240002000,新镇,village\n"  # 8 level does not fit the code
        "500240001005,,village\n"  # 9 no name
        "500240001006,某村,city\n"  # 10 unknown level
    )
    with client.application.app_context():
        before = count(Jurisdiction)
    dry = upload(client, "/api/v1/admin/places/import", headers, text.encode(), "p.csv", True)
    assert dry.status_code == 200
    found = {(p["row"], p["field"]) for p in dry.get_json()["problems"]}
    assert found == {
        (4, "code"),
        (5, "code"),
        (6, "code"),
        (7, "code"),
        (8, "level"),
        (9, "name"),
        (10, "level"),
    }
    real = upload(client, "/api/v1/admin/places/import", headers, text.encode(), "p.csv", False)
    assert real.status_code == 422
    with client.application.app_context():
        assert count(Jurisdiction) == before and not count(AdminEvent)
    wrong = upload(
        client, "/api/v1/admin/places/import", headers, b"code,name\n1,2\n", "p.csv", True
    )
    assert {(p["row"], p["field"]) for p in wrong.get_json()["problems"]} == {(1, "level")}


def test_place_import_xlsx_creates_and_renames(client, world):
    headers = api_token(client, "admin")
    data = workbook(
        [
            ["code", "name", "level"],
            ["500240000000", "石柱土家族自治县", "county"],
            ["500240102000", "新乐乡", "乡镇"],
            ["500240102001", "新乐村", "村"],
            ["500240101002", "云梯新村", "village"],
        ]
    )
    response = upload(client, "/api/v1/admin/places/import", headers, data, "p.xlsx", False)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert {c["code"] for c in body["created"]} == {"500240102", "500240102001"}
    assert body["renamed"] == [{"code": "500240101002", "before": "云梯村", "after": "云梯新村"}]
    with client.application.app_context():
        village = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "500240102001"))
        assert village.path == "500240/500240102/500240102001/" and village.level == "village"
        assert len(events("place.add")) == 2 and len(events("place.edit")) == 1


def test_places_add_rename_deactivate_and_never_delete_one_with_cases(client, world):
    headers = api_token(client, "admin")
    added = client.post(
        "/api/v1/admin/places",
        headers=headers,
        json={"code": "500240001009", "name": "新社区", "level": "village"},
    )
    assert added.status_code == 201, added.get_data(as_text=True)
    new_id = added.get_json()["id"]
    for body, field in (
        ({"code": "50024000100", "name": "x", "level": "village"}, "code"),
        ({"code": "500101001001", "name": "x", "level": "village"}, "code"),
        ({"code": "500240001009", "name": "x", "level": "village"}, "code"),
        ({"code": "500240001010", "name": "", "level": "village"}, "name"),
    ):
        response = client.post("/api/v1/admin/places", headers=headers, json=body)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    renamed = client.patch(
        f"/api/v1/admin/places/{new_id}", headers=headers, json={"name": "改名社区"}
    )
    assert renamed.get_json()["name"] == "改名社区"
    code = client.patch(
        f"/api/v1/admin/places/{new_id}", headers=headers, json={"code": "500240001099"}
    )
    assert code.status_code == 422
    off = client.patch(f"/api/v1/admin/places/{new_id}", headers=headers, json={"active": False})
    assert off.get_json()["active"] is False
    # A place with a case is never deleted.
    filed = client.post("/api/v1/cases", headers=api_token(client, "child_director"), json=report())
    assert filed.status_code == 201
    village = place_id_app(client, VILLAGE)
    response = client.delete(f"/api/v1/admin/places/{village}", headers=headers)
    assert response.status_code == 409
    with client.application.app_context():
        assert db.session.get(Jurisdiction, village) is not None
    assert client.delete(f"/api/v1/admin/places/{new_id}", headers=headers).status_code == 204
    with client.application.app_context():
        [deleted] = events("place.delete")
        assert deleted.before["code"] == "500240001009" and deleted.after is None


def place_id_app(client, code):
    with client.application.app_context():
        return place_id(code)


# --- units ------------------------------------------------------------------------


def test_units_need_a_place_and_keep_the_directory(client, world):
    headers = api_token(client, "admin")
    response = client.post(
        "/api/v1/admin/organisations", headers=headers, json={"name": "无地单位", "type": "other"}
    )
    assert response.status_code == 422
    assert "jurisdiction_id" in response.get_json()["error"]["fields"]
    response = client.post(
        "/api/v1/admin/organisations",
        headers=headers,
        json={"name": "x", "type": "spaceship", "jurisdiction_id": world["place"]},
    )
    assert "type" in response.get_json()["error"]["fields"]
    created = client.post(
        "/api/v1/admin/organisations",
        headers=headers,
        json={
            "name": "南宾社工站",
            "type": "social_work",
            "jurisdiction_id": world["place"],
            "phone": "023-7333 1234",
            "services": "心理疏导、家庭探访",
            "hours": "周一至周五 9:00–17:00",
            "serves": [world["place"], place_id_app(client, VILLAGE)],
            "parent_id": org_id_app(client, "石柱县社会工作服务中心"),
        },
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert body["referable"] is True and len(body["serves"]) == 2
    # A unit with active accounts is not deactivated.
    response = client.patch(
        f"/api/v1/admin/organisations/{world['unit']}", headers=headers, json={"active": False}
    )
    assert response.status_code == 409
    with client.application.app_context():
        [event] = events("organisation.create")
        assert event.after["phone"] == "023-7333 1234" and event.before is None


# --- rule overrides ---------------------------------------------------------------


def test_rule_overrides_within_the_law_and_with_a_basis(client, world):
    headers = api_token(client, "admin")
    base = f"/api/v1/admin/places/{world['place']}/rules"
    refused = [
        ("ruling_due", {"unit": "hours", "length": 96, "basis": "本县"}, "length"),
        ("ruling_due", {"unit": "days", "length": 2, "basis": "本县"}, "unit"),
        ("reconsideration_window", {"unit": "days", "length": 4, "basis": "本县"}, "length"),
        ("decision_due", {"unit": "days", "length": 8, "basis": "本县"}, "length"),
        ("visit_due", {"unit": "days", "length": 5, "basis": "  "}, "basis"),
        ("visit_due", {"unit": "days", "length": 0, "basis": "本县"}, "length"),
    ]
    for kind, body, field in refused:
        response = client.put(f"{base}/{kind}", headers=headers, json=body)
        assert response.status_code == 422, (kind, body)
        assert field in response.get_json()["error"]["fields"], (kind, body)
    with client.application.app_context():
        assert not count(RuleOverride) and not count(RuleOverrideChange)
    village = place_id_app(client, VILLAGE)
    response = client.put(
        f"/api/v1/admin/places/{village}/rules/visit_due",
        headers=headers,
        json={"unit": "days", "length": 5, "basis": "本县"},
    )
    assert response.status_code == 422  # a village: overrides are for county or township
    ok = client.put(
        f"{base}/decision_due",
        headers=headers,
        json={"unit": "days", "length": 5, "basis": "本县规定：5个工作日内决定"},
    )
    assert ok.status_code == 200 and ok.get_json()["source"] == "override"
    assert ok.get_json()["days"] == 5


def test_an_override_applies_to_the_next_deadline(client, world):
    headers = api_token(client, "admin")
    reporter = api_token(client, "child_director")
    timeutil.set_clock(datetime(2026, 6, 10, 2, 30, tzinfo=UTC))
    try:
        first = client.post("/api/v1/cases", headers=reporter, json=report())
        set_ = client.put(
            f"/api/v1/admin/places/{world['place']}/rules/accept_due",
            headers=headers,
            json={"unit": "hours", "length": 12, "basis": "本街道规定：12小时内受理"},
        )
        assert set_.status_code == 200
        second = client.post("/api/v1/cases", headers=reporter, json=report())
    finally:
        timeutil.set_clock(None)

    def accept_due(case):
        [due] = [d for d in case.get_json()["deadlines"] if d["kind"] == "accept_due"]
        return datetime.fromisoformat(due["due_at"])

    assert accept_due(first) - accept_due(second) == timedelta(hours=12)
    with client.application.app_context():
        [change] = db.session.scalars(select(RuleOverrideChange)).all()
        assert change.before is None and change.after["hours"] == 12
        assert change.actor_id == user("admin").id
        [event] = events("rule.set")
        assert event.after["basis"].startswith("本街道")
    # The rules page shows the source, without the server's path.
    login(client, "admin")
    page = client.get("/admin/rules?jurisdiction=500240001001").get_data(as_text=True)
    row = page.split('data-kind="accept_due"')[1].split("</tr>")[0]
    assert 'data-origin="override"' in row and "本街道规定" in row
    assert client.application.config["RULE_PACK"] not in page
    # Every rule by its name, never by the pack's key.
    assert ">verify_due_extended<" not in page and ">ruling_due_urgent<" not in page
    assert "核实（需要核实的延长）" in page
    page = client.get(f"/admin/overrides?place={world['place']}").get_data(as_text=True)
    assert 'id="override-history"' in page and "本街道规定" in page
    assert ">verify_due_local<" not in page and ">criticism_visit_due<" not in page
    # Removed: the default applies again, and the removal is in the history.
    gone = client.delete(f"/api/v1/admin/places/{world['place']}/rules/accept_due", headers=headers)
    assert gone.status_code == 204
    rules = client.get(f"/api/v1/admin/places/{world['place']}/rules", headers=headers)
    [rule] = [r for r in rules.get_json()["items"] if r["kind"] == "accept_due"]
    assert rule["source"] == "default" and rule["hours"] == 24
    with client.application.app_context():
        assert count(RuleOverrideChange) == 2 and not count(RuleOverride)


def test_the_override_page_refuses_outside_the_bounds(client, world):
    login(client, "admin")
    token = csrf_token(client, "/admin/overrides")
    page = client.post(
        f"/admin/overrides/{world['place']}/ruling_due",
        data={"csrf_token": token, "unit": "hours", "length": "100", "basis": "本县"},
    )
    assert page.status_code == 422 and "72" in page.get_data(as_text=True)
    with client.application.app_context():
        assert not count(RuleOverride)


# --- the service directory ----------------------------------------------------------


def test_the_referral_picker_puts_the_units_of_the_place_first(ctx, world):
    from caseflow.forms.actions import ReferForm
    from caseflow.services import directory

    case = Case(jurisdiction=db.session.get(Jurisdiction, place_id(VILLAGE)))
    actor = user("child_supervisor")
    ordered = [org.name for org, _close in directory.ordered(actor, case)]
    assert ordered.index("南宾派出所") < ordered.index("西沱派出所")
    assert ordered.index("城南社区居民委员会") < ordered.index("南宾派出所")
    assert "石柱县统计局" not in ordered and actor.organisation.name not in ordered
    form = ReferForm(meta={"csrf": False}).setup(actor, case)
    names = [str(choice.label) for choice in form.to_orgs.choices]
    assert not any("统计局" in n for n in names)
    groups = [g["type"] for g in form.to_orgs.picker]
    assert len(groups) == len(set(groups))  # each type once
    assert groups[0] == "village_committee"


def test_a_unit_taking_no_referrals_is_refused(client, world):
    from tests.integration.test_api import Api, create

    api = Api(client)
    case = create(api)
    api.act("police", case["id"], "accept", comment="已受理。")
    api.act("police", case["id"], "start_verification", verifier=api.user_id("child_supervisor"))
    api.act(
        "child_supervisor",
        case["id"],
        "verify",
        findings="属实。",
        risk_level="high",
        confirmed_situations=[4],
    )
    api.act(
        "police",
        case["id"],
        "refer",
        status=422,
        to_orgs=[api.org_id("石柱县统计局")],
        reason="统计。",
    )


def test_the_case_page_offers_the_directory(client, world):
    from tests.integration.test_api import Api, create

    api = Api(client)
    case = create(api)
    api.act("police", case["id"], "accept", comment="已受理。")
    api.act("police", case["id"], "start_verification", verifier=api.user_id("child_supervisor"))
    api.act(
        "child_supervisor",
        case["id"],
        "verify",
        findings="属实。",
        risk_level="high",
        confirmed_situations=[4],
    )
    login(client, "police")
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    picker = page.split('class="mb-3 referral-picker"')[1].split("</fieldset>")[0]
    assert 'class="form-control form-control-sm mb-2 referral-search"' in picker
    assert picker.index("城南社区居民委员会") < picker.index("西沱派出所")
    assert picker.index("南宾街道办事处") < picker.index("西沱镇人民政府")
    assert "统计局" not in picker and 'data-serves-case="true"' in picker
    assert "js/referral_picker.js" in page and "<script>" not in page


def test_an_inactive_place_is_not_offered_for_a_new_case(client, world):
    from caseflow.forms.places import PlaceForm

    headers = api_token(client, "admin")
    township = place_id_app(client, "500240001")
    with client.application.test_request_context():
        offered = [
            c.value
            for c in PlaceForm(meta={"csrf": False}).setup(user("police")).jurisdiction.choices
        ]
    assert "500240001002" in offered and VILLAGE in offered
    off = client.patch(
        f"/api/v1/admin/places/{place_id_app(client, '500240001002')}",
        headers=headers,
        json={"active": False},
    )
    assert off.status_code == 200
    with client.application.test_request_context():
        offered = [
            c.value
            for c in PlaceForm(meta={"csrf": False}).setup(user("police")).jurisdiction.choices
        ]
    assert "500240001002" not in offered and VILLAGE in offered
    client.patch(f"/api/v1/admin/places/{township}", headers=headers, json={"active": False})
    with client.application.test_request_context():
        offered = [
            c.value
            for c in PlaceForm(meta={"csrf": False}).setup(user("police")).jurisdiction.choices
        ]
    assert VILLAGE not in offered  # a village below a deactivated township
    with client.application.app_context():
        assert db.session.get(Jurisdiction, township).code == "500240001"  # kept, code unchanged


def test_the_log_page_shows_who_what_before_and_after(client, world):
    headers = api_token(client, "admin")
    response = client.patch(
        f"/api/v1/admin/organisations/{world['unit']}",
        headers=headers,
        json={"phone": "023-7333 0110", "hours": "全天"},
    )
    assert response.status_code == 200
    login(client, "admin")
    page = client.get("/admin/log").get_data(as_text=True)
    row = page.split('data-action="organisation.edit"')[1].split("</tr>")[0]
    assert "修改单位" in row and "系统管理员" in row and "南宾派出所" in row
    assert "023-7333 0110" in row and "全天" in row
    login(client, "admin_wanzhou")
    page = client.get("/admin/log").get_data(as_text=True)
    assert 'data-action="organisation.edit"' not in page


def test_unit_and_place_pages_show_refusals_and_save_nothing(client, world):
    login(client, "admin")
    token = csrf_token(client, "/admin/units")
    with client.application.app_context():
        units, places = count(Organisation), count(Jurisdiction)
    page = client.post(
        "/admin/units",
        data={"csrf_token": token, "name": "无地单位", "type": "other", "jurisdiction_id": ""},
    )
    assert page.status_code == 422 and "单位必须有所在区划" in page.get_data(as_text=True)
    assert 'value="无地单位"' in page.get_data(as_text=True)  # what was typed is kept
    page = client.post(
        "/admin/places",
        data={"csrf_token": token, "code": "5002400010", "name": "短码村", "level": "village"},
    )
    assert page.status_code == 422 and "12 位" in page.get_data(as_text=True)
    village = place_id_app(client, VILLAGE)
    filed = client.post("/api/v1/cases", headers=api_token(client, "child_director"), json=report())
    assert filed.status_code == 201
    page = client.post(f"/admin/places/{village}/delete", data={"csrf_token": token})
    assert page.status_code == 409 and "停用" in page.get_data(as_text=True)
    with client.application.app_context():
        assert count(Organisation) == units and count(Jurisdiction) == places
        assert not count(AdminEvent)
    created = client.post(
        "/admin/units",
        data={
            "csrf_token": token,
            "name": "新社工站",
            "type": "social_work",
            "jurisdiction_id": str(world["place"]),
            "referable": "1",
        },
    )
    assert created.status_code == 302
    with client.application.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == "新社工站"))
        assert [p.code for p in org.serves] == ["500240001"] and org.referable


def test_the_command_keeps_the_last_administrator(clean, world):
    runner = clean.test_cli_runner()
    result = runner.invoke(args=["deactivate-user", "admin"])
    assert result.exit_code != 0
    with clean.app_context():
        assert user("admin").active
    result = runner.invoke(args=["deactivate-user", "hotline"])
    assert result.exit_code == 0, result.output
    with clean.app_context():
        assert not user("hotline").active
