"""OpenAPI path objects and schemas of the administration endpoints
(caseflow/views/api_admin.py), merged into caseflow/openapi.py like openapi_hotline."""

from .openapi_parts import _error, _json, _ref

DATETIME = {"type": "string", "format": "date-time", "description": "ISO 8601 with offset."}
NULL_TEXT = {"type": "string", "nullable": True}
ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}
NOT_ADMIN = _error("`forbidden`: only an administrator of a county may do this.")
NOT_FOUND = _error("`not_found`: no such item in the administrator's county.")
UNAUTH = _error("No valid bearer token.")
BAD_BODY = _error("Malformed JSON, or the body is not a JSON object.")
STATE = _error(
    "`state_conflict`: not possible now (the county's last active administrator, an "
    "account already inactive, a place with cases or units, …)."
)


def _list(item: str) -> dict:
    return {
        "type": "object",
        "properties": {"items": {"type": "array", "items": _ref(item)}},
    }


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def _body(schema: str) -> dict:
    return {"required": True, **_json(_ref(schema), "")}


def _errors(*codes: str, fields: str = "") -> dict:
    out = {"401": UNAUTH, "403": NOT_ADMIN}
    for code in codes:
        out[code] = {
            "400": BAD_BODY,
            "404": NOT_FOUND,
            "409": STATE,
            "422": _error(f"`validation_failed`: {fields or 'a field is missing or invalid'}."),
        }[code]
    return out


USER_PROPS = {
    "display_name": {"type": "string", "maxLength": 100},
    "role": {"type": "string", "description": "One of the roles of GET /api/v1/me."},
    "organisation_id": ID,
    "email": NULL_TEXT,
    "is_lead": {"type": "boolean"},
}
ORG_PROPS = {
    "name": {"type": "string", "maxLength": 200},
    "type": {"type": "string"},
    "jurisdiction_id": {**ID, "description": "The unit's place: required."},
    "parent_id": {**ID, "nullable": True},
    "phone": NULL_TEXT,
    "active": {"type": "boolean"},
    "referable": {"type": "boolean", "description": "Offered in the referral picker."},
    "services": NULL_TEXT,
    "hours": NULL_TEXT,
    "serves": {"type": "array", "items": ID, "description": "Places the unit serves."},
}

SCHEMAS: dict = {
    "AdminUser": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "username": {"type": "string"},
            **USER_PROPS,
            "organisation": {"type": "string"},
            "active": {"type": "boolean"},
            "must_change_password": {"type": "boolean"},
            "one_time_password": {
                "type": "string",
                "description": "Only after a creation or a reset: shown once, to hand over.",
            },
        },
    },
    "AdminUserList": _list("AdminUser"),
    "AdminUserCreate": {
        "type": "object",
        "additionalProperties": False,
        "required": ["username", "display_name", "role", "organisation_id"],
        "properties": {"username": {"type": "string", "maxLength": 64}, **USER_PROPS},
    },
    "AdminUserEdit": {"type": "object", "additionalProperties": False, "properties": USER_PROPS},
    "AdminOrganisation": {
        "type": "object",
        "properties": {"id": {"type": "integer"}, **ORG_PROPS, "place": {"type": "string"}},
    },
    "AdminOrganisationList": _list("AdminOrganisation"),
    "AdminOrganisationCreate": {
        "type": "object",
        "additionalProperties": False,
        "properties": ORG_PROPS,
    },
    "AdminPlace": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "name": {"type": "string"},
            "level": {"type": "string", "enum": ["county", "township", "village"]},
            "parent_id": {"type": "integer", "nullable": True},
            "active": {"type": "boolean"},
        },
    },
    "AdminPlaceList": _list("AdminPlace"),
    "AdminPlaceCreate": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "code": {"type": "string", "description": "The 12-digit 统计用区划代码."},
            "name": {"type": "string", "maxLength": 100},
            "level": {"type": "string"},
        },
    },
    "AdminPlaceEdit": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "maxLength": 100},
            "active": {"type": "boolean"},
            "code": {"type": "string", "description": "Codes never change: only the same."},
        },
    },
    "AdminImportUpload": {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "dry_run": {
                "type": "string",
                "enum": ["true", "false", "1", "0"],
                "description": "true (the default): list the problems, save nothing.",
            },
        },
    },
    "AdminImportResult": {
        "type": "object",
        "properties": {
            "rows": {"type": "integer"},
            "problems": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "row": {"type": "integer"},
                        "field": {"type": "string"},
                        "message": {"type": "string"},
                    },
                },
            },
            "created": {"type": "array", "items": {"type": "object"}},
            "renamed": {"type": "array", "items": {"type": "object"}},
            "unchanged": {"type": "integer"},
            "saved": {"type": "boolean"},
        },
    },
    "AdminRule": {
        "type": "object",
        "properties": {
            "kind": {"type": "string"},
            "hours": {"type": "integer", "nullable": True},
            "days": {"type": "integer", "nullable": True},
            "basis": {"type": "string"},
            "source": {"type": "string", "enum": ["default", "file", "override"]},
            "source_place": NULL_TEXT,
            "law_most": {"type": "integer", "nullable": True},
            "law_unit": NULL_TEXT,
            "law_exact": {"type": "boolean"},
        },
    },
    "AdminRuleList": _list("AdminRule"),
    "AdminRuleSet": {
        "type": "object",
        "additionalProperties": False,
        "required": ["unit", "length", "basis"],
        "properties": {
            "unit": {"type": "string", "enum": ["days", "hours"]},
            "length": {"type": "integer"},
            "basis": {"type": "string", "maxLength": 1000},
            "basis_en": {"type": "string", "maxLength": 1000},
        },
    },
    "AdminEvent": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "at": DATETIME,
            "actor": {"type": "string"},
            "action": {"type": "string"},
            "target_type": {"type": "string"},
            "target_id": {"type": "integer", "nullable": True},
            "target": {"type": "string"},
            "before": {"type": "object", "nullable": True},
            "after": {"type": "object", "nullable": True},
        },
    },
    "AdminEventPage": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": _ref("AdminEvent")},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    },
}

IMPORT_BODY = {
    "required": True,
    "content": {"multipart/form-data": {"schema": _ref("AdminImportUpload")}},
}

PATHS: dict = {
    "/api/v1/admin/users": {
        "get": {
            "summary": "The users of the administrator's county",
            "responses": {"200": _json(_ref("AdminUserList"), "users"), **_errors()},
        },
        "post": {
            "summary": "Create a user with a one-time password (changed at the first login)",
            "requestBody": _body("AdminUserCreate"),
            "responses": {
                "201": _json(_ref("AdminUser"), "created"),
                **_errors("400", "422", fields="username taken, unknown role or unit"),
            },
        },
    },
    "/api/v1/admin/users/{user_id}": {
        "parameters": [_path_id("user_id")],
        "get": {
            "summary": "A user of the county",
            "responses": {"200": _json(_ref("AdminUser"), "the user"), **_errors("404")},
        },
        "patch": {
            "summary": "Edit a user's name, role, unit, email or lead flag",
            "description": "A change of role or unit ends the user's sessions. The county's "
            "last active administrator keeps the role (409).",
            "requestBody": _body("AdminUserEdit"),
            "responses": {
                "200": _json(_ref("AdminUser"), "edited"),
                **_errors("400", "404", "409", "422"),
            },
        },
    },
    "/api/v1/admin/users/{user_id}/{action}": {
        "parameters": [
            _path_id("user_id"),
            {
                "name": "action",
                "in": "path",
                "required": True,
                "schema": {
                    "type": "string",
                    "enum": ["deactivate", "reactivate", "reset-password", "end-sessions"],
                },
            },
        ],
        "post": {
            "summary": "Deactivate, reactivate, reset the password of, or end the sessions of",
            "description": "reset-password answers the one-time password once; the user "
            "must change it at the next login. Deactivating the county's last active "
            "administrator is refused (409).",
            "responses": {
                "200": _json(_ref("AdminUser"), "done"),
                **_errors("404", "409"),
            },
        },
    },
    "/api/v1/admin/users/import": {
        "post": {
            "summary": "Import users from .xlsx (username, display_name, role, unit, email)",
            "description": "With dry_run (the default) every row's problem is listed and "
            "nothing is saved (200). Without it the file is saved only if it is clean (201, "
            "with each user's one-time password); otherwise 422 and nothing is saved.",
            "requestBody": IMPORT_BODY,
            "responses": {
                "200": _json(_ref("AdminImportResult"), "dry run"),
                "201": _json(_ref("AdminImportResult"), "saved"),
                "413": _error("`too_large`: the request is too large."),
                **_errors("422", fields="the file is unreadable or has problems"),
            },
        }
    },
    "/api/v1/admin/organisations": {
        "get": {
            "summary": "The units of the county, with their service-directory entries",
            "responses": {"200": _json(_ref("AdminOrganisationList"), "units"), **_errors()},
        },
        "post": {
            "summary": "Create a unit (its place is required)",
            "requestBody": _body("AdminOrganisationCreate"),
            "responses": {
                "201": _json(_ref("AdminOrganisation"), "created"),
                **_errors("400", "422", fields="no place, unknown type, parent outside"),
            },
        },
    },
    "/api/v1/admin/organisations/{org_id}": {
        "parameters": [_path_id("org_id")],
        "patch": {
            "summary": "Edit a unit: type, place, parent, phone, active, directory entry",
            "requestBody": _body("AdminOrganisationCreate"),
            "responses": {
                "200": _json(_ref("AdminOrganisation"), "edited"),
                **_errors("400", "404", "409", "422"),
            },
        },
    },
    "/api/v1/admin/places": {
        "get": {
            "summary": "The places of the county",
            "responses": {"200": _json(_ref("AdminPlaceList"), "places"), **_errors()},
        },
        "post": {
            "summary": "Add a township or village by its 12-digit code",
            "requestBody": _body("AdminPlaceCreate"),
            "responses": {
                "201": _json(_ref("AdminPlace"), "added"),
                **_errors("400", "422", fields="code length, outside the county, no parent"),
            },
        },
    },
    "/api/v1/admin/places/{place_id}": {
        "parameters": [_path_id("place_id")],
        "patch": {
            "summary": "Rename, deactivate or reactivate a place (its code never changes)",
            "requestBody": _body("AdminPlaceEdit"),
            "responses": {
                "200": _json(_ref("AdminPlace"), "edited"),
                **_errors("400", "404", "409", "422"),
            },
        },
        "delete": {
            "summary": "Delete a place nothing refers to (never one with cases)",
            "responses": {"204": {"description": "deleted"}, **_errors("404", "409")},
        },
    },
    "/api/v1/admin/places/import": {
        "post": {
            "summary": "Import the county's places (统计用区划代码 layout: code, name, level)",
            "description": "An .xlsx or .csv file. Dry run by default; saved only if clean.",
            "requestBody": IMPORT_BODY,
            "responses": {
                "200": _json(_ref("AdminImportResult"), "dry run"),
                "201": _json(_ref("AdminImportResult"), "saved"),
                "413": _error("`too_large`: the request is too large."),
                **_errors("422", fields="the file is unreadable or has problems"),
            },
        }
    },
    "/api/v1/admin/places/{place_id}/rules": {
        "parameters": [_path_id("place_id")],
        "get": {
            "summary": "The deadline rules in force at a place, each with its source",
            "responses": {
                "200": _json(_ref("AdminRuleList"), "rules"),
                **_errors("404"),
            },
        },
    },
    "/api/v1/admin/places/{place_id}/rules/{kind}": {
        "parameters": [
            _path_id("place_id"),
            {"name": "kind", "in": "path", "required": True, "schema": {"type": "string"}},
        ],
        "put": {
            "summary": "Set the override of a deadline for the county or a township",
            "description": "Within the law's bounds where the law sets a length; a legal "
            "basis is required. Applies to deadlines opened from now on.",
            "requestBody": _body("AdminRuleSet"),
            "responses": {
                "200": _json(_ref("AdminRule"), "set"),
                **_errors("400", "404", "422", fields="outside the law's bounds, no basis"),
            },
        },
        "delete": {
            "summary": "Remove the override: the rule pack's rule applies again",
            "responses": {"204": {"description": "removed"}, **_errors("404", "422")},
        },
    },
    "/api/v1/admin/log": {
        "get": {
            "summary": "The administration log of the county, newest first",
            "parameters": [
                {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                {
                    "name": "per_page",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                },
            ],
            "responses": {
                "200": _json(_ref("AdminEventPage"), "one page"),
                **_errors("422"),
            },
        }
    },
}


def _inline_parameters(paths: dict) -> dict:
    """Each operation lists its own path parameters (as the rest of the document does)."""
    out = {}
    for path, item in paths.items():
        shared = item.get("parameters", [])
        out[path] = {
            method: {**op, "parameters": shared + op.get("parameters", [])}
            for method, op in item.items()
            if method != "parameters"
        }
    return out


PATHS = _inline_parameters(PATHS)
