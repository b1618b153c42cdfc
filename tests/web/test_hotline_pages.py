"""The hotline console through the Flask test client (workflows.md §5): the call form (saved
once per form, anonymous, field errors, danger and 110), earlier calls and cases beside it
(normalised numbers, scope), opening a DV case from a call and attaching a second call, the
callbacks due and overdue, the team's calls."""

import re
from datetime import datetime, timedelta

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.forms.base import ID_CHECK, ID_WEIGHTS
from caseflow.models import Case, Event, HotlineCall, Jurisdiction
from caseflow.services import cases as case_service
from tests.conftest import csrf_token, login, user

VILLAGE = "500240001001"  # 城南社区, 南宾街道: the 南宾派出所 area
PHONE = "13800000000"


def id_number(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return first17 + ID_CHECK[total % 11]


# An ID number whose check character is X (so a lower-case x can be typed).
X_ID = next(n for n in (id_number(f"50024019900101{i:03d}") for i in range(200)) if n.endswith("X"))


def use_english(client):
    client.get("/lang/en")


def local_input(moment) -> str:
    return timeutil.to_local(moment).strftime("%Y-%m-%dT%H:%M")


def form_fields(page: str) -> dict:
    """The CSRF and form tokens of the call form as rendered."""
    token = re.search(r'name="client_token" type="hidden" value="([^"]+)"', page)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token and csrf
    return {"client_token": token.group(1), "csrf_token": csrf.group(1)}


def call_form(client, **overrides) -> dict:
    page = client.get("/hotline/calls/new").get_data(as_text=True)
    data = {
        **form_fields(page),
        "line": "12338",
        "received_at": local_input(timeutil.now() - timedelta(minutes=5)),
        "duration_minutes": "12",
        "caller_phone": PHONE,
        "caller_name": "王秀英",
        "caller_relation": "self",
        "subject_name": "王秀英",
        "subject_sex": "F",
        "jurisdiction": VILLAGE,
        "category": "domestic_violence",
        "urgency": "normal",
        "summary": "来电人称丈夫昨晚动手打人，询问如何处理。",
        "action_taken": "advice",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def calls():
    return db.session.scalars(db.select(HotlineCall).order_by(HotlineCall.id)).all()


def log_call(client, **overrides):
    response = client.post("/hotline/calls/new", data=call_form(client, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


# --- the form ------------------------------------------------------------------------------


def test_the_form_is_made_for_the_keyboard(client):
    login(client, "hotline")
    use_english(client)
    page = client.get("/hotline/calls/new").get_data(as_text=True)
    # Tab order: line, time, duration, then the caller's phone first, … summary, callback.
    order = [
        'name="line"',
        'name="received_at"',
        'name="duration_minutes"',
        'name="caller_phone"',
        'name="anonymous"',
        'name="caller_name"',
        'name="subject_name"',
        'name="category"',
        'name="urgency"',
        'name="summary"',
        'name="action_taken"',
        'name="callback_needed"',
    ]
    positions = [page.index(name) for name in order]
    assert positions == sorted(positions)
    assert re.search(r'<select[^>]*autofocus[^>]*name="line"|name="line"[^>]*autofocus', page)
    assert 'data-key="p"' in page and "Ctrl+Enter" in page
    # The first submit button (the one Enter presses) is disabled: Enter never sends.
    first_button = re.search(r"<button[^>]*>", page.split('id="call-form"', 1)[1]).group(0)
    assert "disabled" in first_button
    assert "static/js/hotline.js" in page
    # A new token for each form shown; received time defaults to now.
    other = client.get("/hotline/calls/new").get_data(as_text=True)
    assert form_fields(page)["client_token"] != form_fields(other)["client_token"]
    shown = re.search(r'id="received_at"[^>]*value="([^"]+)"', page).group(1)
    shown_at = timeutil.aware(datetime.fromisoformat(shown.replace(" ", "T")))
    assert abs(shown_at - timeutil.now()) < timedelta(minutes=2)
    # 12338 is not an emergency line: said next to the danger box, without JavaScript.
    assert "transfer the call to 110 at once" in page


def test_only_roles_that_take_calls_get_the_console(client):
    login(client, "police")
    assert client.get("/hotline/calls/new").status_code == 403
    assert client.get("/hotline/matches?phone=13800000000").status_code == 403
    assert "/hotline/calls/new" not in client.get("/").get_data(as_text=True)


def test_a_double_submit_saves_the_call_once(client, clean):
    login(client, "hotline")
    data = call_form(client)
    first = client.post("/hotline/calls/new", data=data)
    second = client.post("/hotline/calls/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    with clean.app_context():
        saved = calls()
        assert len(saved) == 1
        assert saved[0].caller_phone == PHONE and saved[0].agent.username == "hotline"
        number = saved[0].number
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert number in page and "王秀英" in page


def test_an_anonymous_call_needs_no_name(client, clean):
    login(client, "hotline")
    call_id = log_call(
        client,
        anonymous="y",
        caller_name=None,
        caller_relation=None,
        caller_phone=None,
        subject_name=None,
        category="legal_consultation",
        summary="匿名咨询抚养费问题。",
    )
    with clean.app_context():
        call = db.session.get(HotlineCall, call_id)
        assert call.anonymous and call.caller_name is None and call.caller_id_number is None
    # A name typed before ticking "anonymous" is not kept.
    call_id = log_call(client, anonymous="y", caller_name="不该保存")
    with clean.app_context():
        assert db.session.get(HotlineCall, call_id).caller_name is None


def test_invalid_phone_and_id_number_are_reported_and_nothing_saved(client, clean):
    login(client, "hotline")
    use_english(client)
    bad_id = X_ID[:-1] + "0"
    response = client.post(
        "/hotline/calls/new",
        data=call_form(client, caller_phone="12-34x", subject_id_number=bad_id),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Not a valid phone number." in page
    assert "This ID number is not valid" in page
    assert "Nothing was saved" in page
    with clean.app_context():
        assert calls() == []


def test_danger_needs_the_110_transfer_then_is_recorded(client, clean):
    login(client, "hotline")
    use_english(client)
    data = call_form(client, danger="y", action_taken="advice")
    refused = client.post("/hotline/calls/new", data=data)
    assert refused.status_code == 422
    assert "12338 is not an emergency line" in refused.get_data(as_text=True)
    with clean.app_context():
        assert calls() == []
    # The same form, ticked: saved once, recorded as transferred to 110.
    accepted = client.post("/hotline/calls/new", data={**data, "transferred_110": "y"})
    assert accepted.status_code == 302
    with clean.app_context():
        (call,) = calls()
        assert call.danger and call.action_taken == "emergency_110"
        assert call.urgency == "danger" and call.transferred_110_at is not None
    page = client.get(accepted.headers["Location"]).get_data(as_text=True)
    assert "Transferred to 110" in page


# --- earlier calls and cases -----------------------------------------------------------------


def test_matches_find_an_earlier_call_however_the_number_is_written(client, clean):
    login(client, "hotline")
    first = log_call(client, subject_id_number=X_ID.lower())
    with clean.app_context():
        call = db.session.get(HotlineCall, first)
        assert call.subject_id_number == X_ID  # stored normalised
        number = call.number
    for query in (
        "phone=138-0000-0000",
        "phone=%2B86%20138%200000%200000",
        "phone=13800000000",
        f"id_number={X_ID.lower()}",
        f"subject_id_number={X_ID.lower()}",
    ):
        page = client.get(f"/hotline/matches?{query}").get_data(as_text=True)
        assert number in page, query
    data = client.get("/hotline/matches?phone=138 0000 0000&format=json").get_json()
    assert data[0]["calls"][0]["number"] == number
    # A number still being typed matches nothing.
    assert number not in client.get("/hotline/matches?phone=1380000").get_data(as_text=True)
    # Shown again beside the form when it comes back with an error (no JavaScript needed).
    page = client.post(
        "/hotline/calls/new", data=call_form(client, caller_phone="+86 138-0000-0000", summary="")
    ).get_data(as_text=True)
    assert number in page


def _police_dv_case(phone: str) -> tuple[str, str]:
    """A DV case logged by the police station: outside the hotline agent's scope."""
    village = db.session.scalar(db.select(Jurisdiction).where(Jurisdiction.code == VILLAGE))
    at = timeutil.now() - timedelta(days=2)
    case = case_service.create_case(
        user("police"),
        "dv_warning",
        {
            "jurisdiction_id": village.id,
            "call_at": at,
            "attended_at": None,
            "subject": {"name": "陈桂兰", "sex": "F", "phone": phone},
            "abuser": {"name": "周大海", "sex": "M", "relation": "spouse"},
            "violence_forms": ["physical"],
            "description": "派出所出警记录。",
        },
    )
    db.session.commit()
    return case.number, case.subject.name


def test_a_case_outside_scope_is_neither_shown_nor_counted(client, clean):
    login(client, "hotline")
    use_english(client)
    before = client.get("/hotline/matches?phone=139-1111-2222")
    before_json = client.get("/hotline/matches?phone=13911112222&format=json").get_json()
    with clean.test_request_context():
        number, name = _police_dv_case("13911112222")
    page = client.get("/hotline/matches?phone=139-1111-2222")
    text = page.get_data(as_text=True)
    # The fragment is byte for byte what it was before the case existed elsewhere.
    assert page.status_code == before.status_code == 200
    assert text == before.get_data(as_text=True)
    assert "No earlier calls or cases." in text and "other units" not in text
    assert number not in text and name not in text and "周大海" not in text
    api_like = client.get("/hotline/matches?phone=13911112222&format=json").get_json()
    assert api_like == before_json and set(api_like[0]) == {"title", "calls", "cases"}
    # The women's federation handles DV cases in the county: it sees the case, name masked.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "womens_federation")
    page = client.get("/hotline/matches?phone=13911112222").get_data(as_text=True)
    assert number in page and name not in page and "陈*" in page
    assert "held by other units" not in page


# --- opening and attaching a case ------------------------------------------------------------


def dv_case_form(token, **overrides):
    data = {
        "csrf_token": token,
        "jurisdiction": VILLAGE,
        "subject-name": "王秀英",
        "subject-sex": "F",
        "abuser-name": "赵建国",
        "abuser-relation": "spouse",
        "abuser-sex": "M",
        "violence_forms": ["physical"],
        "injury_level": "minor",
    }
    data.update(overrides)
    return data


def test_open_a_dv_case_from_a_call_and_attach_a_second_call(client, clean):
    login(client, "hotline")
    use_english(client)
    received = timeutil.now() - timedelta(minutes=30)
    first = log_call(client, received_at=local_input(received), subject_phone="13700001111")
    call_page = client.get(f"/hotline/calls/{first}").get_data(as_text=True)
    link = f"/cases/new/dv_warning?from_call={first}"
    assert link in call_page
    assert "/cases/new/mandatory_report?from_call=" in call_page

    form_page = client.get(link).get_data(as_text=True)
    assert 'value="王秀英"' in form_page  # the person concerned
    assert 'value="13700001111"' in form_page
    call_at = re.search(r'id="call_at"[^>]*value="([^"]+)"', form_page).group(1)
    assert call_at.replace(" ", "T")[:16] == local_input(received)  # when the call came in
    assert "来电人称丈夫昨晚动手打人" in form_page  # description from the summary
    assert re.search(rf'value="{VILLAGE}"\s+selected|selected[^>]*value="{VILLAGE}"', form_page)

    token = csrf_token(client, link)
    response = client.post(
        link,
        data=dv_case_form(
            token, call_at=local_input(received), description="来电人称丈夫昨晚动手打人。"
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with clean.app_context():
        case = db.session.scalar(db.select(Case))
        call = db.session.get(HotlineCall, first)
        assert call.case_id == case.id and call.action_taken == "case_created"
        assert case.owner_org.name == "南宾派出所"  # the police station of the place
        assert case.created_by.username == "hotline"
        case_id, case_number, version = case.id, case.number, case.version
    # The call cannot open a second case.
    assert client.get(link).status_code == 302

    # A second call about the same person, attached by the case number (two steps).
    second = log_call(client, summary="第二次来电：情况仍在持续。")
    token = csrf_token(client, f"/hotline/calls/{second}")
    confirm = client.post(
        f"/hotline/calls/{second}/attach", data={"csrf_token": token, "case_number": case_number}
    )
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    assert case_number in page and f'name="version" value="{version}"' in page
    # A stale version is refused, nothing attached.
    stale = client.post(
        f"/hotline/calls/{second}/attach",
        data={"csrf_token": token, "case_number": case_number, "version": str(version - 1)},
    )
    assert stale.status_code == 409
    with clean.app_context():
        assert db.session.get(HotlineCall, second).case_id is None
    done = client.post(
        f"/hotline/calls/{second}/attach",
        data={"csrf_token": token, "case_number": case_number, "version": str(version)},
    )
    assert done.status_code == 302
    with clean.app_context():
        events = db.session.scalars(
            db.select(Event).where(Event.case_id == case_id, Event.trigger == "call_attached")
        ).all()
        numbers = [e.data["number"] for e in events]
        first_number = db.session.get(HotlineCall, first).number
        second_number = db.session.get(HotlineCall, second).number
        assert numbers == [first_number, second_number]

    case_page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    timeline = case_page.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    assert first_number in timeline and second_number in timeline
    assert f"/hotline/calls/{first}" in timeline  # the team sees a link to its call
    assert 'id="hotline-calls"' in case_page

    # The police station sees the call numbers on the timeline, not the calls.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "police")
    case_page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert first_number in case_page and f"/hotline/calls/{first}" not in case_page
    assert 'id="hotline-calls"' not in case_page
    assert client.get(f"/hotline/calls/{first}").status_code == 403


def test_attach_refuses_a_case_out_of_sight(client, clean):
    with clean.test_request_context():
        number, _name = _police_dv_case("13911112222")
    login(client, "hotline")
    call_id = log_call(client)
    token = csrf_token(client, f"/hotline/calls/{call_id}")
    response = client.post(
        f"/hotline/calls/{call_id}/attach", data={"csrf_token": token, "case_number": number}
    )
    assert response.status_code == 404
    with clean.app_context():
        assert db.session.get(HotlineCall, call_id).case_id is None


def test_another_team_cannot_see_the_call(client):
    login(client, "hotline")
    call_id = log_call(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "womens_federation")
    assert client.get(f"/hotline/calls/{call_id}").status_code == 404
    assert client.get(f"/cases/new/dv_warning?from_call={call_id}").status_code == 404


# --- callbacks and the list ------------------------------------------------------------------


def test_callbacks_show_overdue_ones_and_can_be_marked_done(client, clean):
    login(client, "hotline")
    use_english(client)
    due = timeutil.now() + timedelta(hours=1)
    call_id = log_call(client, callback_needed="y", callback_due=local_input(due))
    later = log_call(client, callback_needed="y", callback_due=local_input(due + timedelta(days=2)))
    log_call(client)  # no callback
    with clean.app_context():
        number = db.session.get(HotlineCall, call_id).number
        later_number = db.session.get(HotlineCall, later).number

    page = client.get("/hotline/callbacks").get_data(as_text=True)
    assert f'data-call="{number}" data-overdue="no"' in page
    nav = page.split('id="nav-callbacks"', 1)[1].split("</a>", 1)[0]
    assert ">2</span>" in nav and "text-bg-danger" not in nav

    timeutil.set_clock(timeutil.now() + timedelta(hours=3))
    login(client, "hotline")  # three hours later the idle session has ended
    page = client.get("/hotline/callbacks").get_data(as_text=True)
    mine = page.split('id="callbacks-mine"', 1)[1].split("</ul>", 1)[0]
    assert f'data-call="{number}" data-overdue="yes"' in mine
    assert f'data-call="{later_number}" data-overdue="no"' in mine
    assert mine.index(number) < mine.index(later_number)  # the most overdue first
    nav = page.split('id="nav-callbacks"', 1)[1].split("</a>", 1)[0]
    assert "text-bg-danger" in nav
    assert "Overdue" in client.get(f"/hotline/calls/{call_id}").get_data(as_text=True)

    # Without a note nothing changes; with one the callback is closed.
    token = csrf_token(client, "/hotline/callbacks")
    url = f"/hotline/calls/{call_id}/callback?next=callbacks"
    client.post(url, data={"csrf_token": token, f"cb{call_id}-note": ""})
    with clean.app_context():
        assert db.session.get(HotlineCall, call_id).callback_done_at is None
    response = client.post(url, data={"csrf_token": token, f"cb{call_id}-note": "已回访，安全。"})
    assert response.status_code == 302
    with clean.app_context():
        call = db.session.get(HotlineCall, call_id)
        assert call.callback_done_at is not None and call.callback_note == "已回访，安全。"
    page = client.get("/hotline/callbacks").get_data(as_text=True)
    assert f'data-call="{number}"' not in page and f'data-call="{later_number}"' in page


def test_the_team_list_filters_by_category_and_date(client, clean):
    login(client, "hotline")
    dv = log_call(client)
    other = log_call(client, category="property", summary="财产纠纷咨询。")
    with clean.app_context():
        dv_number = db.session.get(HotlineCall, dv).number
        other_number = db.session.get(HotlineCall, other).number
    page = client.get("/hotline/calls").get_data(as_text=True)
    assert dv_number in page and other_number in page
    page = client.get("/hotline/calls?category=property").get_data(as_text=True)
    assert other_number in page and dv_number not in page
    tomorrow = (timeutil.to_local(timeutil.now()) + timedelta(days=1)).date().isoformat()
    page = client.get(f"/hotline/calls?from={tomorrow}").get_data(as_text=True)
    assert dv_number not in page and other_number not in page
    assert client.get("/hotline/calls?from=garbage&category=nope").status_code == 200
