"""Blueprints and the app-wide handlers: login, errors, template helpers."""

import re
from datetime import datetime

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .. import timeutil, vocab
from ..extensions import csrf, db, login_manager
from ..models import User
from ..security import sessions
from ..workflows import WORKFLOWS


def wants_json() -> bool:
    """API calls, and a page's form sent by its script (static/js/drafts.js: a draft
    submitted in the background, the answer read by the page, not shown)."""
    from .drafts import sent_by_script

    return request.path.startswith("/api/") or sent_by_script() is not None


def register(app: Flask) -> None:
    from . import (  # noqa: F401  (routes on the API blueprint)
        api_access_log,
        api_admin,
        api_auth,
        api_calendar,
        api_hotline,
        api_notifications,
    )
    from .api import bp as api_bp
    from .audit import bp as audit_bp
    from .auth import bp as auth_bp
    from .auth import forced_change_gate
    from .cases import bp as cases_bp
    from .documents import bp as documents_bp
    from .hotline import bp as hotline_bp
    from .indicators import bp as indicators_bp
    from .notifications import bp as notifications_bp
    from .notifications import unread_count_for_nav
    from .offline import bp as offline_bp

    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, not cookies
    # The review page, waivers and the rule-pack page (cases blueprint), the waiver API;
    # the indicator API.
    from . import api_indicators, api_review, review  # noqa: F401
    from . import calendar as calendar_pages  # noqa: F401  (calendar pages, cases blueprint)
    from .access_log import bp as access_log_bp
    from .attachments import install as install_attachments

    install_attachments(app)
    from .notes import install as install_notes

    install_notes(app)
    from .assignment import install as install_assignment

    install_assignment(app)
    from .transfers import install as install_transfers

    install_transfers(app)
    from .persons import install as install_persons

    install_persons(app)

    app.register_blueprint(access_log_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(cases_bp)
    from .indicator_exports import bp as indicator_exports_bp

    app.register_blueprint(indicator_exports_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(hotline_bp)
    app.register_blueprint(indicators_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(audit_bp)
    from .health import ENDPOINTS as HEALTH_ENDPOINTS
    from .health import bp as health_bp

    app.register_blueprint(health_bp)
    from .admin import bp as admin_bp

    app.register_blueprint(admin_bp)

    @app.get("/favicon.ico")
    def favicon():
        # Browsers ask for /favicon.ico on a first visit; the versioned file is cached.
        return redirect(url_for("static", filename="favicon.ico"))

    app.register_blueprint(offline_bp)

    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_user(user_id):
        # The cookie names a user and a session; both must be live (security/sessions.py).
        user = db.session.get(User, int(user_id)) if str(user_id).isdigit() else None
        if user is None or not user.active or sessions.current(user.id) is None:
            return None
        return user

    @app.before_request
    def _load_user_first():
        # Load (and touch or expire) the session before the view changes anything, so the
        # session's own commit never carries half of a view's work.
        if request.endpoint in HEALTH_ENDPOINTS:
            return None  # probes: no session, no user (/healthz touches no database)
        if request.endpoint != "static" and not request.path.startswith("/api/"):
            current_user._get_current_object()
        return forced_change_gate()

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        message = _("Your form expired or was sent twice. Reload the page and try again.")
        if wants_json():
            return jsonify({"error": {"code": "csrf", "message": message, "fields": {}}}), 400
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if wants_json():
            from .api import error_response

            return error_response(exc.code, _http_code(exc.code), _http_message(exc))
        return render_template("error.html", code=exc.code, message=_http_message(exc)), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc):  # never show a stack trace; log it for the operators
        app.logger.exception("unhandled error")
        db.session.rollback()
        if wants_json():
            return jsonify(
                {"error": {"code": "server_error", "message": _("Internal error."), "fields": {}}}
            ), 500
        return render_template("error.html", code=500, message=_("Internal error.")), 500

    @app.context_processor
    def unread_notifications():  # the nav badge: one COUNT query per page
        return {"unread_notifications": unread_count_for_nav()}

    @app.template_filter("local")
    def local(value, fmt="yyyy-MM-dd HH:mm"):
        return format_datetime(value, fmt) if value else ""

    @app.template_global()
    def label(vocabulary_name, code):
        return vocab.label(getattr(vocab, vocabulary_name), code)

    @app.template_global()
    def legal_ref(key):
        """A provision's citation from the rule pack, in the page's language."""
        from ..deadlines.rules import load

        return load(app.config["RULE_PACK"]).reference(key).text(str(get_locale()))

    @app.template_global()
    def now():
        return timeutil.now()

    @app.template_global()
    def parse_time(value):
        """An ISO time kept in an event's data (the time of the act), or None if unreadable."""
        try:
            return datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None

    @app.template_global()
    def today():
        return timeutil.to_local(timeutil.now()).date()

    @app.template_filter("cn_date")
    def cn_date(value):
        """A date as official documents write it: 2026年3月5日 (a time is taken locally)."""
        if not value:
            return ""
        day = timeutil.to_local(value).date() if isinstance(value, datetime) else value
        return f"{day.year}年{day.month}月{day.day}日"

    @app.template_filter("cn_datetime")
    def cn_datetime(value):
        if not value:
            return ""
        at = timeutil.to_local(value)
        return f"{at.year}年{at.month}月{at.day}日{at.hour}时{at.minute:02d}分"

    @app.template_global()
    def in_order(vocabulary_name, codes):
        """Codes in the order of their vocabulary (the law's order), unknown ones last."""
        order = list(getattr(vocab, vocabulary_name))
        return sorted(codes or [], key=lambda c: order.index(c) if c in order else len(order))

    @app.template_filter("item_text")
    def item_text(value):
        """A label without its item number, for a numbered list: "(1) Prohibit…" → "Prohibit…"."""
        return re.sub(r"^\s*[（(][^）)]{1,4}[）)]\s*", "", str(value))

    @app.template_global()
    def order_last_day(order):
        """The last day a protection order is in force: it ends as that day ends (Art. 30)."""
        from ..services.protection_order import last_day

        return last_day(order) if order is not None and order.expires_at else None

    @app.template_global()
    def can_start(case_type):
        """Whether the logged-in user may open a new case of this type."""
        workflow = WORKFLOWS.get(case_type)
        if workflow is None or not current_user.is_authenticated:
            return False
        return current_user.role in workflow.step(workflow.initial_trigger).roles


def _http_code(status: int) -> str:
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "too_large",
        429: "throttled",
    }.get(status, "error")


def _http_message(exc: HTTPException) -> str:
    return {
        400: _("The request was malformed."),
        401: _("Please log in."),
        403: _("You may not do this."),
        404: _("Not found, or not in your scope."),
        405: _("This method is not allowed here."),
        413: _("The upload or request is too large."),
        429: _("Too many attempts. Wait a minute and try again."),
    }.get(exc.code, _("The request could not be carried out."))
