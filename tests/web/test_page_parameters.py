"""Hostile query parameters on the pages (issue 13): a NUL byte, a date no timestamp can
hold, a number no integer can hold. Each answers the page with a message, never a 500."""

import pytest

from tests.conftest import login

BAD = [
    ("child_director", "/cases", {"q": "冉\x00"}),
    ("child_director", "/cases", {"type": "mandatory_report\x00"}),
    ("child_director", "/cases", {"state": "submitted\x00"}),
    ("child_director", "/cases", {"jurisdiction": "500240\x00"}),
    ("child_director", "/cases", {"from": "0001-01-01"}),
    ("child_director", "/cases", {"to": "9999-12-31"}),
    ("child_director", "/cases", {"page": "99999999999999999999"}),
    ("child_director", "/cases", {"page": "-3"}),
    ("hotline", "/hotline/calls", {"from": "0001-01-01"}),
    ("hotline", "/hotline/calls", {"to": "9999-12-31"}),
    ("hotline", "/hotline/calls", {"page": "99999999999999999999"}),
    ("hotline", "/hotline/calls", {"category": "x\x00"}),
    ("supervisor", "/review", {"place": "500240\x00"}),
    ("supervisor", "/review", {"type": "\x00"}),
]


@pytest.mark.parametrize(("username", "path", "args"), BAD)
def test_a_hostile_parameter_answers_the_page_with_a_message(client, username, path, args):
    login(client, username)
    response = client.get(path, query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    page = response.get_data(as_text=True)
    [name] = args
    assert f"{name}: " in page  # the warning names the parameter


def test_good_parameters_give_no_warning(client):
    login(client, "child_director")
    page = client.get("/cases", query_string={"from": "2026-01-01", "page": "1"})
    assert page.status_code == 200
    assert "from: " not in page.get_data(as_text=True)
