"""The API's contract, checked on every call the tests make (issue 13).

`ContractClient` is the Flask test client of the suite: each /api/v1 answer is validated
against the OpenAPI document with openapi-core, and so is each request the server
accepted (a request it refused is a deliberate bad request of a test: the refusal is
what is checked). A test that sends an accepted request the document does not allow on
purpose says so with `client.unchecked_request()`.
"""

import contextlib
import threading

from flask.testing import FlaskClient
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.paths.exceptions import PathError

API = "/api/v1/"
_documents: dict = {}
_lock = threading.Lock()


def document(app) -> OpenAPI:
    """The OpenAPI document of this app, built once per app (it does not change)."""
    with _lock:
        if id(app) not in _documents:
            from caseflow.openapi import spec

            with app.test_request_context():
                _documents[id(app)] = OpenAPI.from_dict(spec())
        return _documents[id(app)]


class ContractViolation(AssertionError):
    pass


class ContractClient(FlaskClient):
    check_requests = True

    @contextlib.contextmanager
    def unchecked_request(self):
        self.check_requests = False
        try:
            yield self
        finally:
            self.check_requests = True

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        request = response.request
        if request.path.startswith(API) and request.path != f"{API}openapi.json":
            check(self.application, request, response, self.check_requests)
        return response


class _SentRequest(WerkzeugOpenAPIRequest):
    """The request as sent: its body read again from the start of the test input (the
    view has consumed the stream)."""

    def __init__(self, request):
        super().__init__(request)
        stream = request.environ["wsgi.input"]
        stream.seek(0)
        self._body = stream.read()

    @property
    def body(self):
        return self._body


def check(app, request, response, check_request: bool = True) -> None:
    openapi = document(app)
    wrapped = _SentRequest(request)
    if check_request and response.status_code < 400:
        result = openapi.unmarshal_request(wrapped)
        if result.errors:
            raise ContractViolation(_describe("request", request, response, result.errors))
    result = openapi.unmarshal_response(wrapped, WerkzeugOpenAPIResponse(response))
    if result.errors and response.status_code in (404, 405):
        # A path or method the API does not have: nothing in the document describes it
        # (test_unknown_api_paths_answer_json checks its JSON error).
        if all(isinstance(e, PathError) for e in result.errors):
            return
    if result.errors:
        raise ContractViolation(_describe("response", request, response, result.errors))


def _leaves(error, depth=0):
    """The innermost schema errors (a oneOf's branches say why each one failed)."""
    if not getattr(error, "context", None) or depth > 6:
        yield error
        return
    for sub in error.context:
        yield from _leaves(sub, depth + 1)


def _describe(what, request, response, errors) -> str:
    reasons = []
    for error in errors:
        reasons.append(repr(error))
        for cause in getattr(error, "schema_errors", None) or []:
            reasons.append(
                f"  {list(cause.absolute_path)}: {cause.message[:120]} … {cause.message[-160:]}"
            )
        if error.__cause__ is not None:
            reasons.append(f"  cause: {error.__cause__!r}"[:600])
            for cause in getattr(error.__cause__, "schema_errors", None) or []:
                for leaf in _leaves(cause):
                    reasons.append(f"    {list(leaf.absolute_path)}: {leaf.message[-200:]}")
    body = response.get_data()[:300].decode("utf-8", "replace")  # a file may be binary
    return (
        f"{what} of {request.method} {request.full_path} ({response.status_code}) breaks "
        f"the OpenAPI document:\n" + "\n".join(reasons) + f"\nbody: {body}"
    )
