"""The OpenAPI document is a valid OpenAPI 3.0 document, and the API keeps to it under
generated requests (schemathesis, as several roles): no server error, no answer the
document does not describe. Every other API test checks its own calls through
tests/contract.py."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import OpenAPIV30SpecValidator, validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.conftest import api_token
from tests.integration.test_api import report

# Roles with different scopes and rights: the reporter, the police, the supervisor,
# the hotline, the statistician, the court and the legal-aid centre.
ROLES = (
    "child_director",
    "police",
    "supervisor",
    "hotline",
    "statistician",
    "court_liaison",
    "legal_aid",
)
EXAMPLES = 6  # per operation and role: 19 operations × 7 roles, well under two minutes
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_document_is_valid_openapi(spec):
    validate(spec)  # raises on the first error
    assert list(OpenAPIV30SpecValidator(spec).iter_errors()) == []


def test_every_case_type_has_a_create_body_and_its_fields(spec):
    from caseflow.forms import CREATE_FORMS

    body = spec["paths"]["/api/v1/cases"]["post"]["requestBody"]["content"]
    mapping = body["application/json"]["schema"]["discriminator"]["mapping"]
    assert set(mapping) == set(CREATE_FORMS)
    detail = spec["components"]["schemas"]["CaseDetail"]["allOf"][1]["properties"]["fields"]
    assert len(detail["oneOf"]) == len(CREATE_FORMS)


def test_an_indicator_answer_matches_one_branch_only(spec):
    """Each branch requires what the other must not have: a breakdown has no plan."""
    schemas = spec["components"]["schemas"]
    table, breakdown = schemas["IndicatorTable"], schemas["IndicatorBreakdown"]
    assert "plan" in table["required"] and breakdown["not"] == {"required": ["plan"]}
    assert "code" in breakdown["required"] and table["not"] == {"required": ["code"]}


def test_generated_requests_as_each_role(clean):
    client = clean.test_client()
    headers = {role: api_token(client, role) for role in ROLES}
    # Something to find: a case in the reporter's village, accepted by the police.
    created = client.post("/api/v1/cases", json=report(), headers=headers["child_director"])
    assert created.status_code == 201, created.get_data(as_text=True)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", clean)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Every operation but the document itself (schemathesis leaves out its own source).
    paths = set(schema.raw_schema["paths"]) - {"/api/v1/openapi.json"}
    assert {operation.path for operation in operations} == paths

    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,  # no .hypothesis/ folder in the project
            derandomize=True,  # the same examples on every run: a failure is reproducible
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            for role in ROLES:
                response = case.call(headers=headers[role])
                case.validate_response(response, checks=CHECKS)

        check()
