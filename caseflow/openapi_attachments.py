"""OpenAPI path objects and schemas of the attachment and note endpoints
(caseflow/views/attachments.py), merged into caseflow/openapi.py like openapi_hotline.
"""

from .openapi_parts import _error, _json, _ref
from .vocab import ATTACHMENT_KINDS

CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}
ATTACHMENT_ID = {
    "name": "attachment_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}
NOT_TEAM = _error("`forbidden`: the case is in scope but its identities (and evidence) are not.")
NOT_FOUND = _error("`not_found`: no such case or attachment in the user's scope.")

SCHEMAS: dict = {
    "Attachment": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": list(ATTACHMENT_KINDS)},
            "description": {"type": "string"},
            "acted_on": {"type": "string", "format": "date", "nullable": True},
            "filename": {"type": "string", "description": "The name on the uploader's device."},
            "content_type": {
                "type": "string",
                "description": "Decided from the bytes: image/jpeg, image/png, image/heic, application/pdf, "
                "audio/mpeg, audio/wav, audio/ogg, audio/amr, audio/mp4, video/mp4, "
                "video/quicktime, video/3gpp, video/webm.",
            },
            "size": {"type": "integer"},
            "sha256": {"type": "string", "description": "Checked on every download."},
            "uploaded_at": {"type": "string", "format": "date-time"},
            "uploaded_by": {"type": "string"},
            "withdrawn": {"type": "boolean"},
            "withdraw_reason": {"type": "string", "nullable": True},
            "download": {"type": "string", "description": "The download path."},
        },
    },
    "AttachmentUpload": {
        "type": "object",
        "required": ["kind", "file"],
        "properties": {
            "kind": {"type": "string", "enum": list(ATTACHMENT_KINDS)},
            "file": {"type": "string", "format": "binary"},
            "description": {"type": "string", "maxLength": 2000},
            "acted_on": {
                "type": "string",
                "format": "date",
                "description": "The day of the act (photo taken, letter served); not in the future.",
            },
            "version": {
                "type": "integer",
                "description": "Optional: the case version; a stale one is 409.",
            },
        },
    },
    "AttachmentWithdrawal": {
        "type": "object",
        "required": ["reason"],
        "properties": {
            "reason": {"type": "string", "maxLength": 2000},
            "version": {"type": "integer"},
        },
    },
}

PATHS: dict = {
    "/api/v1/cases/{case_id}/attachments": {
        "get": {
            "parameters": [CASE_ID],
            "summary": "The case's attachments (withdrawn ones for supervisors only)",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {"items": {"type": "array", "items": _ref("Attachment")}},
                    },
                    "the attachments",
                ),
                "401": _error("No valid bearer token."),
                "403": NOT_TEAM,
                "404": NOT_FOUND,
            },
        },
        "post": {
            "parameters": [CASE_ID],
            "summary": "Attach a file (multipart/form-data)",
            "description": "Allowed: JPEG, PNG, HEIC, PDF, MP3, WAV, OGG, AMR, M4A, MP4, MOV, 3GP, "
            "WebM, decided from the bytes. Refused: SVG, HTML, executables, archives, "
            "polyglots, decompression bombs, AVIF, PDFs with scripts, files whose declared "
            "type or name disagrees with the bytes; over the size limit (default 20 MB per "
            "file) 422, over the request limit 413. Nothing is stored for a refused file.",
            "requestBody": {
                "required": True,
                "content": {"multipart/form-data": {"schema": _ref("AttachmentUpload")}},
            },
            "responses": {
                "201": _json(_ref("Attachment"), "attached"),
                "401": _error("No valid bearer token."),
                "403": NOT_TEAM,
                "404": NOT_FOUND,
                "409": _error("`version_conflict`: a stale version."),
                "413": _error("`too_large`: the request is larger than the file limit."),
                "422": _error(
                    "`validation_failed`: the kind, the date, or the file (message in "
                    "`fields.file`)."
                ),
            },  # fmt: skip
        },
    },
    "/api/v1/cases/{case_id}/attachments/{attachment_id}": {
        "get": {
            "parameters": [CASE_ID, ATTACHMENT_ID],
            "summary": "Download the file (Content-Disposition: attachment, no-store; logged)",
            "responses": {
                "200": {
                    "description": "the bytes as uploaded, with the type decided from them",
                    "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                },
                "401": _error("No valid bearer token."),
                "403": NOT_TEAM,
                "404": NOT_FOUND,
                "409": _error(
                    "`integrity_check_failed`: the stored bytes do not match the "
                    "recorded SHA-256; not served, the administrators are alerted."
                ),
            },  # fmt: skip
        },
    },
    "/api/v1/cases/{case_id}/attachments/{attachment_id}/withdraw": {
        "post": {
            "parameters": [CASE_ID, ATTACHMENT_ID],
            "summary": "Withdraw an attachment with a reason (it is kept, never deleted)",
            "requestBody": {"required": True, **_json(_ref("AttachmentWithdrawal"), "")},
            "responses": {
                "200": _json(_ref("Attachment"), "withdrawn"),
                "401": _error("No valid bearer token."),
                "403": _error(
                    "`forbidden`: only who attached it, the handling unit or a supervisor."
                ),
                "404": NOT_FOUND,
                "409": _error("Already withdrawn, or a stale version."),
                "422": _error("`validation_failed`: no reason."),
            },
        },
    },
}

# Case notes (caseflow/views/notes.py): a line on the timeline by the case team.
SCHEMAS["NoteCreate"] = {
    "type": "object",
    "required": ["text", "version"],
    "additionalProperties": False,
    "properties": {
        "text": {"type": "string", "maxLength": 5000},
        "version": {"type": "integer", "description": "The case version; a stale one is 409."},
    },
}
PATHS["/api/v1/cases/{case_id}/notes"] = {
    "post": {
        "parameters": [CASE_ID],
        "summary": "Write a note on an open case's timeline (the case team)",
        "requestBody": {"required": True, **_json(_ref("NoteCreate"), "")},
        "responses": {
            "201": _json(
                {
                    "type": "object",
                    "properties": {"event": {"type": "object"}, "version": {"type": "integer"}},
                },
                "the timeline event and the case's new version",
            ),
            "400": _error("Malformed JSON, or the body is not a JSON object."),
            "401": _error("No valid bearer token."),
            "403": _error("`forbidden`: not of the case team."),
            "404": NOT_FOUND,
            "409": _error("A stale version, or the case is closed."),
            "422": _error("`validation_failed`: no text, or an unknown field."),
        },
    }
}

# Assignment inside the owner unit (caseflow/views/assignment.py).
SCHEMAS["AssignmentRequest"] = {
    "type": "object",
    "required": ["user", "version"],
    "additionalProperties": False,
    "properties": {
        "user": {"type": "integer", "description": "An active worker of the handling unit."},
        "version": {"type": "integer"},
    },
}
PATHS["/api/v1/cases/{case_id}/assignment"] = {
    "post": {
        "parameters": [CASE_ID],
        "summary": "Assign the case to a worker of its unit (a lead of the unit: users.is_lead)",
        "requestBody": {"required": True, **_json(_ref("AssignmentRequest"), "")},
        "responses": {
            "200": _json(_ref("CaseDetail"), "assigned; the assignee is notified"),
            "400": _error("Malformed JSON, or the body is not a JSON object."),
            "401": _error("No valid bearer token."),
            "403": _error("`forbidden`: not a lead of the handling unit."),
            "404": NOT_FOUND,
            "409": _error("A stale version, or the case is closed."),
            "422": _error("`validation_failed`: not a worker of the unit, or already theirs."),
        },
    }
}

# Transfer of an open case to another unit (caseflow/views/transfers.py).
SCHEMAS["TransferOffer"] = {
    "type": "object",
    "required": ["to_org", "reason", "version"],
    "additionalProperties": False,
    "properties": {
        "to_org": {"type": "integer", "description": "A unit handling the case's type there."},
        "reason": {"type": "string", "maxLength": 2000},
        "version": {"type": "integer"},
    },
}
SCHEMAS["TransferAnswer"] = {
    "type": "object",
    "required": ["version"],
    "additionalProperties": False,
    "properties": {
        "reason": {"type": "string", "maxLength": 2000, "description": "Required to decline."},
        "version": {"type": "integer"},
    },
}
SCHEMAS["Transfer"] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "enum": ["pending", "accepted", "declined"]},
        "from_org": {"type": "integer"},
        "to_org": {"type": "integer"},
        "reason": {"type": "string"},
        "answer": {"type": "string", "nullable": True},
        "requested_at": {"type": "string", "format": "date-time"},
        "answered_at": {"type": "string", "format": "date-time", "nullable": True},
        "version": {"type": "integer", "description": "The case's new version."},
    },
}
_TRANSFER_ERRORS = {
    "400": _error("Malformed JSON, or the body is not a JSON object."),
    "401": _error("No valid bearer token."),
    "403": _error("`forbidden`: not the owner unit (offer) or the receiving unit (answer)."),
    "404": NOT_FOUND,
    "409": _error("A stale version, a closed case, an offer already waiting or answered."),
    "422": _error("`validation_failed`: no reason, or not a unit handling the type."),
}
PATHS["/api/v1/cases/{case_id}/transfers"] = {
    "post": {
        "parameters": [CASE_ID],
        "summary": "Offer an open case (any state) to another unit handling its type",
        "requestBody": {"required": True, **_json(_ref("TransferOffer"), "")},
        "responses": {"201": _json(_ref("Transfer"), "offered"), **_TRANSFER_ERRORS},
    }
}
PATHS["/api/v1/cases/{case_id}/transfers/{transfer_id}/{action}"] = {
    "post": {
        "parameters": [
            CASE_ID,
            {"name": "transfer_id", "in": "path", "required": True, "schema": {"type": "integer"}},
            {
                "name": "action",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "enum": ["accept", "decline"]},
            },
        ],
        "summary": "The receiving unit accepts (it becomes the owner) or declines (with a reason)",
        "requestBody": {"required": True, **_json(_ref("TransferAnswer"), "")},
        "responses": {"200": _json(_ref("Transfer"), "answered"), **_TRANSFER_ERRORS},
    }
}
