"""The answers to a creation form sent by its script (static/js/drafts.js) rather than by
the browser: JSON the page reads, so that a submission kept offline and sent later, from
any page, is told its case number or the server's messages field by field."""

from flask import jsonify, request

# "page" when the user is on the form, "queue" when a submission kept offline is sent.
HEADER = "X-Caseflow-Draft"


def sent_by_script() -> str | None:
    value = request.headers.get(HEADER)
    return value if value in ("page", "queue") else None


def saved(number: str, url: str, message: str, status: int):
    return jsonify({"number": number, "url": url, "message": str(message)}), status


def refused(message, fields: dict, status: int = 422):
    body = {"error": {"code": "validation_failed", "message": str(message), "fields": fields}}
    return jsonify(body), status
