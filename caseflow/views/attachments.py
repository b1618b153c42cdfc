"""Attachments on the case page and in the API: upload (multipart), list, download,
thumbnail and withdrawal.

Each download re-checks the file's SHA-256, is answered `Content-Disposition: attachment`
and `Cache-Control: no-store`, and writes an access-log row on the channel "attachment".
"""

from datetime import date
from urllib.parse import quote

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import policy
from ..extensions import db
from ..models import Attachment
from ..presenters import iso
from ..services import attachments as service
from ..services.audit import log_access
from ..services.errors import Forbidden, ServiceError, ValidationFailed
from ..vocab import ATTACHMENT_KINDS
from .api import _case, commit, json_body, token_required
from .api import bp as api_bp
from .cases import _case_or_404, _flash_service_error, _render_detail, bp

# What a multipart body may carry beyond the file itself (the other fields, the boundaries).
FORM_OVERHEAD = 256 * 1024
UPLOAD_ENDPOINTS = frozenset({"cases.upload_attachment", "api.api_upload_attachment"})

# The printable document each signed scan belongs to.
SCAN_OF_DOCUMENT = {
    "warning": "warning_letter_scan",
    "application": "application_scan",
    "service": "service_receipt_scan",
}


def install(app) -> None:
    """Let an upload be as large as an attachment may be. Runs before every other
    before-request hook: the CSRF check reads the body, and would refuse it at the global
    MAX_CONTENT_LENGTH first."""

    def _upload_limit():
        if request.endpoint in UPLOAD_ENDPOINTS:
            limit = current_app.config["ATTACHMENT_MAX_BYTES"] + FORM_OVERHEAD
            if request.content_length is not None and request.content_length > limit:
                abort(413)  # before any byte is read or spooled to a temporary file
            request.max_content_length = limit

    app.before_request_funcs.setdefault(None, []).insert(0, _upload_limit)

    @app.template_global()
    def case_attachments(case) -> dict:
        """The attachment section of the case page."""
        return {
            "visible": policy.can_see_attachments(current_user, case),
            "items": service.listed(current_user, case),
            "may_add": policy.can_add_attachment(current_user, case),
            "may_withdraw": lambda a: policy.can_withdraw_attachment(current_user, a),
            "kinds": ATTACHMENT_KINDS,
            "max_mb": current_app.config["ATTACHMENT_MAX_BYTES"] // (1024 * 1024),
        }

    @app.template_global()
    def document_scans(case, document: str) -> list:
        """The signed scans of a printable document, next to its print view."""
        kind = SCAN_OF_DOCUMENT.get(document)
        return service.signed_scans(current_user, case, kind) if kind else []


def _form_fields(form) -> dict:
    """The text fields of an upload, read by their types: a date or nothing."""
    raw_day = (form.get("acted_on") or "").strip()
    acted_on = None
    if raw_day:
        try:
            acted_on = date.fromisoformat(raw_day)
        except ValueError:
            raise ValidationFailed(
                fields={"acted_on": [_("Dates are written like 2026-11-23.")]}
            ) from None
    return {
        "kind": (form.get("kind") or "").strip(),
        "description": form.get("description") or "",
        "acted_on": acted_on,
    }


def _uploaded_file():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed(fields={"file": [_("Choose a file to attach.")]})
    # Read at most one byte more than allowed: enough to know it is too large.
    data = upload.stream.read(current_app.config["ATTACHMENT_MAX_BYTES"] + 1)
    return upload.filename, upload.mimetype, data


def _version(form):
    raw = (form.get("version") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise ValidationFailed(fields={"version": [_("Not a valid integer value.")]})
    return int(raw)


def _serve(attachment: Attachment, user, channel_what: str, thumbnail: bool = False):
    data = service.read_verified(attachment, thumbnail_only=thumbnail)
    log_access(user, attachment.case, "attachment", what=f"{channel_what}:{attachment.id}")
    db.session.commit()
    if thumbnail:
        response = Response(data, mimetype="image/jpeg")
        response.headers["Content-Disposition"] = "inline"
    else:
        response = Response(data, mimetype=attachment.content_type)
        name = quote(attachment.filename)
        response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- pages ------------------------------------------------------------------------------


@bp.post("/cases/<int:case_id>/attachments")
@login_required
def upload_attachment(case_id):
    case = _case_or_404(case_id)
    try:
        filename, mimetype, data = _uploaded_file()
        service.add(
            case,
            current_user,
            **_form_fields(request.form),
            filename=filename,
            declared_type=mimetype,
            data=data,
            version=_version(request.form),
        )
        db.session.commit()
    except ServiceError as exc:
        _flash_service_error(exc)
        return _render_detail(_case_or_404(case_id), status=exc.status)
    flash(_("Attachment added."), "success")
    return redirect(url_for("cases.detail", case_id=case_id) + "#attachments")


def _page_attachment(case_id, attachment_id):
    case = _case_or_404(case_id)
    try:
        return service.find(current_user, case, attachment_id)
    except ServiceError as exc:
        abort(exc.status)


@bp.get("/cases/<int:case_id>/attachments/<int:attachment_id>")
@login_required
def download_attachment(case_id, attachment_id):
    attachment = _page_attachment(case_id, attachment_id)
    try:
        return _serve(attachment, current_user, "download")
    except service.IntegrityFailure as exc:
        db.session.commit()  # the alarm is kept, though the download is refused
        return render_template("error.html", code=409, message=str(exc.message)), 409


@bp.get("/cases/<int:case_id>/attachments/<int:attachment_id>/thumbnail")
@login_required
def attachment_thumbnail(case_id, attachment_id):
    attachment = _page_attachment(case_id, attachment_id)
    if not attachment.thumbnail_sha256:
        abort(404)
    try:
        return _serve(attachment, current_user, "thumbnail", thumbnail=True)
    except service.IntegrityFailure:
        db.session.commit()
        abort(404)


@bp.post("/cases/<int:case_id>/attachments/<int:attachment_id>/withdraw")
@login_required
def withdraw_attachment(case_id, attachment_id):
    case = _case_or_404(case_id)
    try:
        attachment = service.find(current_user, case, attachment_id)
        service.withdraw(
            attachment, current_user, request.form.get("reason", ""), _version(request.form)
        )
        db.session.commit()
    except ServiceError as exc:
        _flash_service_error(exc)
        return _render_detail(_case_or_404(case_id), status=exc.status)
    flash(_("Attachment withdrawn."), "success")
    return redirect(url_for("cases.detail", case_id=case_id) + "#attachments")


# --- API --------------------------------------------------------------------------------


def present(attachment: Attachment) -> dict:
    return {
        "id": attachment.id,
        "kind": attachment.kind,
        "description": attachment.description,
        "acted_on": attachment.acted_on.isoformat() if attachment.acted_on else None,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_at": iso(attachment.uploaded_at),
        "uploaded_by": attachment.uploaded_by.display_name,
        "withdrawn": attachment.withdrawn,
        "withdraw_reason": attachment.withdraw_reason,
        "download": url_for(
            "api.api_download_attachment", case_id=attachment.case_id, attachment_id=attachment.id
        ),
    }


@api_bp.post("/cases/<int:case_id>/attachments")
@token_required
def api_upload_attachment(case_id):
    user = g.api_user
    case = _case(user, case_id)
    filename, mimetype, data = _uploaded_file()
    attachment = service.add(
        case,
        user,
        **_form_fields(request.form),
        filename=filename,
        declared_type=mimetype,
        data=data,
        version=_version(request.form),
    )
    commit()
    return jsonify(present(attachment)), 201


@api_bp.get("/cases/<int:case_id>/attachments")
@token_required
def api_list_attachments(case_id):
    user = g.api_user
    case = _case(user, case_id)
    if not policy.can_see_attachments(user, case):
        raise Forbidden(_("Attachments are shown to the case team only."))
    return jsonify({"items": [present(a) for a in service.listed(user, case)]})


@api_bp.get("/cases/<int:case_id>/attachments/<int:attachment_id>")
@token_required
def api_download_attachment(case_id, attachment_id):
    user = g.api_user
    case = _case(user, case_id)
    attachment = service.find(user, case, attachment_id)
    try:
        return _serve(attachment, user, "api download")
    except service.IntegrityFailure:
        db.session.commit()
        raise


@api_bp.post("/cases/<int:case_id>/attachments/<int:attachment_id>/withdraw")
@token_required
def api_withdraw_attachment(case_id, attachment_id):
    user = g.api_user
    body = json_body()
    case = _case(user, case_id)
    attachment = service.find(user, case, attachment_id)
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ValidationFailed(fields={"reason": [_("Not a valid string.")]})
    version = body.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise ValidationFailed(fields={"version": [_("Not a valid integer value.")]})
    service.withdraw(attachment, user, reason or "", version)
    commit()
    return jsonify(present(attachment))
