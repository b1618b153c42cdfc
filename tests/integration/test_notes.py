"""Case notes (services.notes, views.notes): the case team writes a note on an open case;
it is a timeline event; everyone else is refused and nothing changes."""

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import Event
from caseflow.services import notes
from caseflow.services.errors import (
    Forbidden,
    InvalidTransitionError,
    ValidationFailed,
    VersionConflict,
)
from tests.conftest import api_token, csrf_token, login, user
from tests.integration.test_attachments import report


def events(case_id) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Event).where(Event.case_id == case_id)
    )


def test_the_case_team_writes_a_note_on_the_timeline(ctx):
    case = report()
    event = notes.add(case, user("police"), "  与学校班主任电话沟通，孩子已返校。 ", case.version)
    db.session.commit()
    assert (event.trigger, event.comment) == ("note_added", "与学校班主任电话沟通，孩子已返校。")
    assert event.actor.username == "police"
    assert case.events[-1] is event


@pytest.mark.parametrize(
    ("who", "text", "stale", "error"),
    [
        ("police", "x", True, VersionConflict),
        ("civil_affairs", "x", False, Forbidden),  # sees the case, not its identities
        ("police", "   ", False, ValidationFailed),
        ("police", 3, False, ValidationFailed),
        ("police", "长" * 5001, False, ValidationFailed),
    ],
)
def test_refused_notes_change_nothing(ctx, who, text, stale, error):
    case = report()
    before = (case.version, events(case.id))
    with pytest.raises(error):
        notes.add(case, user(who), text, case.version - 1 if stale else case.version)
    db.session.rollback()
    assert (case.version, events(case.id)) == before


def test_a_closed_case_takes_no_note(ctx):
    case = report()
    case.state = "closed"  # however it got there: a closed case is not open
    db.session.flush()
    with pytest.raises(InvalidTransitionError):
        notes.add(case, user("police"), "x", case.version)


def test_notes_from_the_page_and_the_api(client, clean):
    with clean.app_context():
        case = report()
        case_id, version = case.id, case.version
    login(client, "child_director")
    page = f"/cases/{case_id}"
    assert 'id="add-note"' in client.get(page).get_data(as_text=True)
    token = csrf_token(client, page)
    response = client.post(
        f"{page}/notes", data={"csrf_token": token, "version": version, "text": "已联系家长。"}
    )
    assert response.status_code == 302
    assert "已联系家长。" in client.get(page).get_data(as_text=True)
    stale = client.post(
        f"{page}/notes", data={"csrf_token": token, "version": version, "text": "再次联系。"}
    )
    assert stale.status_code == 409
    headers = api_token(client, "police")
    api = client.post(
        f"/api/v1/cases/{case_id}/notes",
        headers=headers,
        json={"text": "已安排回访。", "version": version + 1},
    )
    assert api.status_code == 201, api.get_data(as_text=True)
    assert api.get_json()["event"]["trigger"] == "note_added"
    unknown = client.post(
        f"/api/v1/cases/{case_id}/notes",
        headers=headers,
        json={"text": "x", "version": api.get_json()["version"], "pinned": True},
    )
    assert unknown.status_code == 422
    other = api_token(client, "child_director_2")
    hidden = client.post(
        f"/api/v1/cases/{case_id}/notes", headers=other, json={"text": "x", "version": 1}
    )
    assert hidden.status_code == 404
    with clean.app_context():
        assert events(case_id) == 3  # submitted, the page's note, the API's note
