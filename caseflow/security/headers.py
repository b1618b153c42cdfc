"""Security headers on every answer, and versioned static files.

Scripts run only from our own files (no inline script, no handler attribute, no eval);
styles may be inline because the workflow diagram (Mermaid) writes style elements into
its SVG and the templates use a few style attributes; a style cannot run code.
Pages, documents and API answers can show identities: no cache keeps them (no-store).
Static files are named by content (?v=<hash of the file>): such a request may be cached
for a year, since a changed file gets a new name.
"""

import gzip
import hashlib
import os
from functools import lru_cache

from flask import Flask, request, url_for

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
IMMUTABLE = "public, max-age=31536000, immutable"
HSTS = "max-age=31536000; includeSubDomains"


@lru_cache(maxsize=512)
def _file_hash(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def static_version(app: Flask, filename: str) -> str | None:
    """The content hash of a static file (re-read when the file changes), None if absent."""
    root = os.path.realpath(app.static_folder)
    path = os.path.realpath(os.path.join(root, filename))
    if not path.startswith(root + os.sep) or not os.path.isfile(path):
        return None
    stat = os.stat(path)
    return _file_hash(path, stat.st_mtime_ns, stat.st_size)


# Text files are sent gzipped to a browser that accepts it (the CSS and JavaScript are
# most of a first visit's bytes); pages are not (they carry CSRF tokens: no BREACH).
COMPRESSIBLE = (
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "application/manifest+json",
)


@lru_cache(maxsize=64)
def _gzipped(path: str, mtime_ns: int, size: int) -> bytes:
    with open(path, "rb") as handle:
        return gzip.compress(handle.read(), compresslevel=9, mtime=0)


def _compress_static(app: Flask, response) -> None:
    if response.status_code != 200 or response.mimetype not in COMPRESSIBLE:
        return
    response.vary.add("Accept-Encoding")
    if "gzip" not in request.accept_encodings or "Content-Encoding" in response.headers:
        return
    filename = (request.view_args or {}).get("filename", "")
    root = os.path.realpath(app.static_folder)
    path = os.path.realpath(os.path.join(root, filename))
    if not path.startswith(root + os.sep) or not os.path.isfile(path):
        return
    stat = os.stat(path)
    body = _gzipped(path, stat.st_mtime_ns, stat.st_size)
    old = response.response
    response.direct_passthrough = False
    response.set_data(body)
    if hasattr(old, "close"):
        old.close()  # the file the static view had opened
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Length"] = str(len(body))
    response.headers.pop("ETag", None)  # the compressed body is another entity


def init_app(app: Flask) -> None:
    @app.url_defaults
    def _version_static(endpoint, values):
        # Every url_for('static', …) gets its file's version: no template has to remember.
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = static_version(app, values["filename"])
            if version:
                values["v"] = version

    @app.template_global()
    def static_url(filename: str) -> str:
        return url_for("static", filename=filename)

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = CSP
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        if app.config["SESSION_COOKIE_SECURE"]:
            headers["Strict-Transport-Security"] = HSTS
        if request.endpoint == "static" and response.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename", "")
            version = request.args.get("v")
            if response.status_code == 200:
                _compress_static(app, response)
            if version and version == static_version(app, filename):
                headers["Cache-Control"] = IMMUTABLE
            else:  # unversioned or an old version: revalidate every time
                headers["Cache-Control"] = "no-cache"
        else:
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
            headers.pop("Expires", None)
        return response
