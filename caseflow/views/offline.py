"""A report that survives a bad network: the web-app manifest, the service worker and the
key the browser encrypts its drafts with (static/js/drafts.js).

A draft is kept on the device as the user types, encrypted with AES-GCM under a key only
this endpoint gives, and only to a signed-in session: the key is held in the page's
memory, never in the device's storage, so a lost phone's storage shows no child's name to
someone without the user's login. The key is derived here (HMAC of the app's secret key,
the user and the day) and stored nowhere: a draft can be read for at most two days, the
browser deletes it after 24 hours, at logout (with Clear-Site-Data) and once submitted.

The service worker caches the static files and the empty creation forms (never a case);
it is served from the root so that its scope covers the whole app.
"""

import base64
import hashlib
import hmac
import time

from flask import Blueprint, Response, current_app, jsonify, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from ..forms import CREATE_FORMS
from ..workflows import WORKFLOWS


def can_start(case_type: str) -> bool:
    workflow = WORKFLOWS[case_type]
    return current_user.role in workflow.step(workflow.initial_trigger).roles


bp = Blueprint("offline", __name__)

DAY = 86400
# What the service worker keeps: every file a page needs, and no case data.
PRECACHE = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "css/app.css",
    "js/name-hint.js",
    "js/forms.js",
    "js/drafts.js",
    "icons/icon-192.png",
)


def draft_key(user_id: int, day: int) -> bytes:
    """The 256-bit key of one user's drafts on one (UTC) day; never stored anywhere."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, f"caseflow-draft-key|{user_id}|{day}".encode(), hashlib.sha256).digest()


@bp.get("/drafts/key")
@login_required
def key():
    """Today's key (drafts are written with it) and yesterday's (a draft may be 24 hours
    old), and a fresh CSRF token for a submission queued while offline."""
    today = int(time.time()) // DAY
    keys = [
        {"id": str(day), "key": base64.b64encode(draft_key(current_user.id, day)).decode()}
        for day in (today, today - 1)
    ]
    return jsonify({"user": current_user.id, "keys": keys, "csrf_token": generate_csrf()})


@bp.get("/sw.js")
def service_worker():
    static = [url_for("static", filename=name) for name in PRECACHE]
    # The creation forms this user may open (another user's are fetched when opened).
    shells = [
        url_for("cases.new_case", case_type=name)
        for name in sorted(CREATE_FORMS)
        if current_user.is_authenticated and can_start(name)
    ]
    body = render_template("sw.js", static=static, shells=shells)
    response = Response(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    body = {
        "name": _("caseflow · mandatory reporting and rights protection"),
        "short_name": "caseflow",
        "lang": "zh-CN",
        "start_url": url_for("cases.my_work"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f8f9fa",
        "theme_color": "#0a4fa8",
        "icons": [
            {
                "src": url_for("static", filename="icons/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
            },
            {
                "src": url_for("static", filename="icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
            },
        ],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response
