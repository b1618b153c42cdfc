"""JSON API v1 (shared/design/api.md)."""

from flask import Blueprint, jsonify

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error_response(status: int, code: str, message, fields: dict | None = None):
    body = {"error": {"code": code, "message": str(message), "fields": fields or {}}}
    return jsonify(body), status
