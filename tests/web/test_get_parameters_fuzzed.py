"""Every GET route of pages and API, with generated query parameters, as several roles:
never a server error (issue 13: every page and API parameter validated)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import api_token, login

ROLES = ("child_director", "police", "supervisor", "hotline", "statistician")
NAMES = (
    "q", "type", "state", "jurisdiction", "from", "to", "page", "per_page", "urgent",
    "overdue", "place", "section", "sort", "dir", "category", "open_callback", "all", "plan",
    "year", "code", "by", "unread", "status", "created_from", "created_to", "phone",
    "id_number", "format", "next", "from_call", "from_case", "case", "copy",
)  # fmt: skip
HOSTILE = st.sampled_from(
    ["\x00", "a\x00b", "0001-01-01", "9999-12-31", "99999999999999999999", "-1", "", " ",
     "1e309", "NaN", "true", "[]", "{}", "%00", "\ud800", "2026-02-30", "0"]
)  # fmt: skip
VALUES = st.one_of(HOSTILE, st.text(max_size=12))


def get_routes(app):
    """GET routes without path arguments (those with ids are covered by their own tests)."""
    skip = {"static", "auth.logout"}
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint not in skip
    )


@pytest.mark.parametrize("role", ROLES)
def test_no_query_string_gives_a_server_error(clean, role):
    routes = get_routes(clean)
    assert "/cases" in routes and "/api/v1/cases" in routes
    page_client = clean.test_client()
    login(page_client, role)
    api_client = clean.test_client()
    headers = api_token(api_client, role)

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        route=st.sampled_from(routes),
        query=st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=4),
    )
    def check(route, query):
        encoded = {k: v.encode("utf-8", "surrogatepass") for k, v in query.items()}
        if route.startswith("/api/"):
            with api_client.unchecked_request():  # hostile on purpose; answers are checked
                response = api_client.get(route, query_string=encoded, headers=headers)
        else:
            response = page_client.get(route, query_string=encoded)
        if route == "/readyz":
            # 503 with its reason is the probe's answer while no scheduler beats
            # (tests/integration/test_health.py); never an error page.
            assert response.status_code in (200, 503) and response.is_json, (route, query)
            assert response.get_json()["reason"] or response.status_code == 200
            return
        assert response.status_code < 500, (route, query, response.get_data(as_text=True)[:300])

    check()
