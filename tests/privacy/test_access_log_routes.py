"""Every route of the app is classified (caseflow/views/identity_routes.py) as showing a
case's identities or not, and every identity route writes an access-log row through its
channel when exercised. A new route in neither list, or an identity route that answers
without logging, fails here."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.demo import seed
from caseflow.extensions import db
from caseflow.models import AccessLog, Case, HotlineCall, Organisation, User
from caseflow.views.identity_routes import IDENTITY_ROUTES, NO_IDENTITY_ROUTES
from tests.conftest import api_token, csrf_token, login, purge
from tests.integration.test_api_hotline import call_body, dv_case


def test_every_route_is_classified_once(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unclassified = endpoints - set(IDENTITY_ROUTES) - set(NO_IDENTITY_ROUTES)
    assert not unclassified, f"classify in views/identity_routes.py: {sorted(unclassified)}"
    assert not set(IDENTITY_ROUTES) & set(NO_IDENTITY_ROUTES)
    assert not (set(IDENTITY_ROUTES) | set(NO_IDENTITY_ROUTES)) - endpoints  # no stale names
    # Every identity route is exercised below: adding one means adding its exercise.
    assert set(IDENTITY_ROUTES) == set(EXERCISES)


@pytest.fixture
def demo(clean):
    with clean.app_context():
        purge()
        seed(with_cases=True)
        db.session.commit()
    return clean


def _one(statement):
    return db.session.scalar(statement)


class World:
    """The demo, a page client per user, and what the exercises need."""

    def version(self, case_id: int) -> int:
        with self.app.app_context():
            return db.session.get(Case, case_id).version

    def __init__(self, app):
        self.app = app
        self.clients = {}
        self.tokens = {}
        with app.app_context():
            self.dv = _one(
                select(Case.id).where(Case.type == "dv_warning", Case.state == "escalated")
            )
            self.warned = _one(
                select(Case.id)
                .where(Case.type == "dv_warning", Case.state.in_(("delivered", "escalated")))
                .order_by(Case.id)
            )
            issued = _one(
                select(Case).where(Case.type == "protection_order", Case.state == "in_force")
            )
            self.order = issued.id
            self.order_user = _one(
                select(User.username).where(
                    User.organisation_id == issued.owner_org_id,
                    User.role.not_in(("statistician", "admin", "data_reporter", "auditor")),
                )
            )
            self.police_id = _one(select(User.id).where(User.username == "police"))
            self.fed_org = _one(
                select(Organisation.id).where(Organisation.type == "womens_federation")
            )

    def record(self) -> int:
        """The demo's person record linked across cases (周晓燕 or 吴志刚)."""
        from caseflow.models import PersonLink

        with self.app.app_context():
            return _one(select(PersonLink.record_id).order_by(PersonLink.record_id))

    def unlinked_party(self) -> str:
        """A DV victim of the demo not yet linked: the path of its proposals."""
        from caseflow.models import Person, PersonLink

        with self.app.app_context():
            case_id, party_id = db.session.execute(
                select(Person.case_id, Person.id)
                .join(Case, Case.id == Person.case_id)
                .outerjoin(PersonLink, PersonLink.person_id == Person.id)
                .where(
                    Case.type == "dv_warning",
                    Person.role == "subject",
                    PersonLink.person_id.is_(None),
                )
                .order_by(Person.id)
            ).first()
        return f"/api/v1/cases/{case_id}/parties/{party_id}/proposals"

    def page(self, username):
        username = self.order_user if username == "order_user" else username
        if username not in self.clients:
            client = self.app.test_client()
            login(client, username)
            self.clients[username] = client
        return self.clients[username]

    def api(self, username):
        if username not in self.tokens:
            self.tokens[username] = api_token(self.app.test_client(), username)
        return self.app.test_client(), self.tokens[username]

    def csrf(self, username, path="/"):
        return csrf_token(self.page(username), path)

    def photo(self) -> int:
        """A photo attached to the DV case by the police (evidence: identity data)."""
        if not hasattr(self, "_photo"):
            from caseflow.services import attachments
            from tests.integration import attachment_files

            with self.app.test_request_context():
                case = db.session.get(Case, self.dv)
                police = db.session.get(User, self.police_id)
                added = attachments.add(
                    case,
                    police,
                    kind="photo",
                    description="伤情",
                    acted_on=None,
                    filename="photo.jpg",
                    declared_type="image/jpeg",
                    data=attachment_files.jpeg(),
                )
                db.session.commit()
                self._photo = added.id
        return self._photo

    def hotline_case(self):
        """A case the hotline opened from a call (its subject's phone 13800000000)."""
        if not hasattr(self, "_hotline_case"):
            client, headers = self.api("hotline")
            body = call_body(token="routes-0001", open_case=dv_case())
            response = client.post("/api/v1/hotline/calls", json=body, headers=headers)
            assert response.status_code == 201, response.get_json()
            self._hotline_case = response.get_json()["case"]
            self._hotline_call = response.get_json()["id"]
        return self._hotline_case


def _get(path, username="police", status=200):
    def run(world):
        return world.page(username).get(path(world) if callable(path) else path), status

    return run


def _post(path, data, username="police", status=422):
    def run(world):
        form = {"csrf_token": world.csrf(username)} | (data(world) if data is not dict else {})
        return world.page(username).post(path(world), data=form), status

    return run


def _api(method, path, body=None, username="police", status=200):
    def run(world):
        client, headers = world.api(username)
        url = path(world) if callable(path) else path
        payload = body(world) if callable(body) else body
        return client.open(url, method=method, json=payload, headers=headers), status

    return run


def _create_dv(world):
    client, headers = world.api("police")
    body = dv_case(
        jurisdiction="500240001001",
        call_at=(timeutil.now() - timedelta(hours=3)).isoformat(),
        description="派出所接警。",
    )
    created = client.post("/api/v1/cases", json=body, headers=headers).get_json()
    return created


def _referral_to_accept(world):
    created = _create_dv(world)
    client, headers = world.api("police")
    sent = client.post(
        f"/api/v1/cases/{created['id']}/referrals",
        json={"version": created["version"], "to_org": world.fed_org, "reason": "请妇联跟进。"},
        headers=headers,
    )
    assert sent.status_code == 201, sent.get_json()
    return sent.get_json()["id"]


def _hotline_call_id(world):
    if hasattr(world, "_second_call"):
        return world._second_call
    world.hotline_case()
    # Another call of the same phone, so that the first call's case shows as a match.
    client, headers = world.api("hotline")
    other = client.post(
        "/api/v1/hotline/calls",
        json=call_body(token="routes-0002", caller_phone="13800000000"),
        headers=headers,
    )
    assert other.status_code == 201, other.get_json()
    world._second_call = other.get_json()["id"]
    return world._second_call


EXERCISES = {
    "cases.download_attachment": (
        "police",
        _get(lambda w: f"/cases/{w.dv}/attachments/{w.photo()}"),
    ),
    "cases.attachment_thumbnail": (
        "police",
        _get(lambda w: f"/cases/{w.dv}/attachments/{w.photo()}/thumbnail"),
    ),
    "api.api_download_attachment": (
        "police",
        _api("GET", lambda w: f"/api/v1/cases/{w.dv}/attachments/{w.photo()}"),
    ),
    # (user, request) → the channel of IDENTITY_ROUTES must appear for that user.
    "cases.detail": ("police", _get(lambda w: f"/cases/{w.dv}")),
    "cases.act": (
        "police",
        # The case's version, so the step reaches its fields (checked last) and is refused there.
        _post(
            lambda w: f"/cases/{w.dv}/actions/request_closure",
            lambda w: {"request_closure-version": str(w.version(w.dv))},
        ),
    ),
    "cases.add_visit": (
        "police",
        _post(lambda w: f"/cases/{w.dv}/visits", lambda w: {"visit-version": str(w.version(w.dv))}),
    ),
    "cases.add_referral": (
        "police",
        _post(
            lambda w: f"/cases/{w.dv}/referrals",
            lambda w: {"referral-version": str(w.version(w.dv))},
        ),
    ),
    "cases.case_list": ("police", _get("/cases?q=DV")),
    "cases.referral_inbox": ("police", _get("/referrals")),
    "cases.new_case": (
        "police",
        _get(lambda w: f"/cases/new/protection_order?from_case={w.dv}"),
    ),
    "documents.warning": ("police", _get(lambda w: f"/cases/{w.warned}/documents/warning")),
    "documents.application": (
        "order_user",
        _get(lambda w: f"/cases/{w.order}/documents/application", "order_user"),
    ),
    "documents.service": (
        "order_user",
        _get(lambda w: f"/cases/{w.order}/documents/service", "order_user"),
    ),
    "api.get_case": ("police", _api("GET", lambda w: f"/api/v1/cases/{w.dv}")),
    "api.list_cases": ("police", _api("GET", "/api/v1/cases")),
    "api.create_case": (
        "police",
        lambda w: (_FakeResponse(_create_dv(w)), 201),
    ),
    "api.fire_action": (
        "police",
        lambda w: _fire_criticize(w),
    ),
    "api.answer_referral": (
        "womens_federation",
        _api(
            "POST",
            lambda w: f"/api/v1/referrals/{_referral_to_accept(w)}/actions/accept",
            {},
            "womens_federation",
        ),
    ),
    "api.log_hotline_call": (
        "hotline",
        _api(
            "POST",
            "/api/v1/hotline/calls",
            call_body(token="routes-0004", open_case=dv_case()),
            "hotline",
            201,
        ),
    ),
    "api.hotline_matches": (
        "hotline",
        _api(
            "GET",
            lambda w: (w.hotline_case(), "/api/v1/hotline/calls/matches?phone=13800000000")[1],
            None,
            "hotline",
        ),
    ),
    "hotline.call_matches": (
        "hotline",
        _get(lambda w: (w.hotline_case(), "/hotline/matches?phone=13800000000")[1], "hotline"),
    ),
    "hotline.call_detail": (
        "hotline",
        _get(lambda w: f"/hotline/calls/{_hotline_call_id(w)}", "hotline"),
    ),
    "hotline.attach_call": (
        "hotline",
        _post(
            lambda w: f"/hotline/calls/{_hotline_call_id(w)}/attach",
            lambda w: {"case_number": w.hotline_case()["number"]},
            "hotline",
            status=200,
        ),
    ),
    "hotline.new_call": (
        "hotline",
        _post(
            lambda w: (w.hotline_case(), "/hotline/calls/new")[1],
            lambda w: {"client_token": "routes-0003", "caller_phone": "13800000000"},
            "hotline",
        ),
    ),
    # One person across cases: the person page, proposals, the high-risk households.
    "cases.person_page": ("police", _get(lambda w: f"/persons/{w.record()}")),
    "api.api_person": ("police", _api("GET", lambda w: f"/api/v1/persons/{w.record()}")),
    # Every demo victim gave the same phone: 周晓燕's record is proposed for the others.
    "api.api_person_proposals": (
        "police",
        _api("GET", "/api/v1/person-proposals?phone=13800000000"),
    ),
    "api.api_party_proposals": ("police", _api("GET", lambda w: w.unlinked_party())),
    "cases.high_risk": ("police", _get("/high-risk")),
    "api.api_high_risk": ("police", _api("GET", "/api/v1/high-risk")),
    "access_log.search": ("auditor", _get("/access-log", "auditor")),
    "access_log.case_log": ("auditor", _get(lambda w: f"/access-log/cases/{w.dv}", "auditor")),
    "access_log.user_log": (
        "auditor",
        _get(
            lambda w: f"/access-log/users/{w.police_id}",
            "auditor",
        ),
    ),
    "access_log.unusual": ("auditor", _get("/access-log/unusual", "auditor")),
    "access_log.export": ("auditor", _get("/access-log/export.xlsx", "auditor")),
    "api.access_log": ("auditor", _api("GET", "/api/v1/access-log", None, "auditor")),
}


class _FakeResponse:
    """An exercise that went through a helper: the helper asserted the status itself."""

    def __init__(self, body):
        self.status_code = 201
        self.body = body


def _fire_criticize(world):
    created = _create_dv(world)
    client, headers = world.api("police")
    response = client.post(
        f"/api/v1/cases/{created['id']}/actions/criticize",
        json={"version": created["version"], "victim_informed": True, "comment": "已批评教育。"},
        headers=headers,
    )
    return response, 200


def _rows(app, username, channel):
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(AccessLog)
            .join(User, AccessLog.user_id == User.id)
            .where(User.username == username, AccessLog.channel == channel)
        )


def test_every_identity_route_logs_its_channel(demo):
    world = World(demo)
    missing = []
    # The access log's own routes last: they need reads to show.
    order = sorted(EXERCISES, key=lambda e: (e.startswith(("access_log.", "api.access_log")), e))
    for endpoint in order:
        username, run = EXERCISES[endpoint]
        username = world.order_user if username == "order_user" else username
        channel = IDENTITY_ROUTES[endpoint]
        before = _rows(demo, username, channel)
        # No app context around the requests: each needs its own `g` (CSRF, login).
        response, status = run(world)
        assert response.status_code == status, (
            endpoint,
            response.status_code,
            re.findall(r"<main.*?</main>", response.get_data(as_text=True), re.S),
        )
        if _rows(demo, username, channel) <= before:
            missing.append((endpoint, username, channel))
    assert not missing, f"identity routes that answered without logging: {missing}"


def test_a_search_by_name_is_logged_as_a_search(demo):
    world = World(demo)
    with demo.app_context():
        name = db.session.get(Case, world.dv).subject.name
    before = _rows(demo, "police", "search")
    assert world.page("police").get(f"/cases?q={name}").status_code == 200
    client, headers = world.api("police")
    assert client.get(f"/api/v1/cases?q={name}", headers=headers).status_code == 200
    assert _rows(demo, "police", "search") == before + 2


def test_lists_log_only_the_cases_whose_names_they_show(demo):
    """The women's federation lists the DV and protection-order cases of the county: those
    it handles show names (logged), the others masked names (not logged). The page list
    shows no names at all."""
    world = World(demo)
    assert world.page("womens_federation").get("/cases").status_code == 200  # no names
    client, headers = world.api("womens_federation")
    items = client.get("/api/v1/cases", headers=headers).get_json()["items"]
    masked = {i["id"] for i in items if i["subject"] and i["subject"]["masked"]}
    shown = {i["id"] for i in items if i["subject"] and not i["subject"]["masked"]}
    assert masked and shown  # the demo has both for the federation
    with demo.app_context():
        logged = db.session.execute(
            select(AccessLog.channel, AccessLog.case_id)
            .join(User, AccessLog.user_id == User.id)
            .where(User.username == "womens_federation")
        ).all()
    assert {c for ch, c in logged if ch == "api_list"} == shown
    assert not {c for ch, c in logged if ch != "api_list"}


def test_no_call_count_leaks_into_the_log(demo):
    """The hotline's matches on a case out of its scope show nothing and log nothing."""
    world = World(demo)
    with demo.app_context():
        phone = db.session.scalar(
            select(HotlineCall.caller_phone).where(HotlineCall.caller_phone.is_not(None))
        )
    before = _rows(demo, "hotline", "hotline_preview")
    client, headers = world.api("hotline")
    assert (
        client.get("/api/v1/hotline/calls/matches?phone=13999990000", headers=headers).status_code
        == 200
    )
    assert _rows(demo, "hotline", "hotline_preview") == before
    assert phone  # the demo has calls
