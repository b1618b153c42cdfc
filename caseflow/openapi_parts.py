"""The small builders every part of the OpenAPI document uses (caseflow/openapi.py and the
openapi_* modules it merges): one copy, so a reference or an error looks the same everywhere."""


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict:
    """An error answer: the shared Error envelope of caseflow/openapi.py."""
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _json(schema: dict, description: str = "") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}
