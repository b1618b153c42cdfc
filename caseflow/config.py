"""Configuration read from the environment.

Every setting has a safe development default except the secret key in production,
which must be set (the app refuses to start without it when CASEFLOW_ENV=production).
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


class Config:
    ENV_NAME = _env("CASEFLOW_ENV", "development")
    SECRET_KEY = _env("CASEFLOW_SECRET_KEY", "dev-only-secret-change-me")
    SQLALCHEMY_DATABASE_URI = _env(
        "CASEFLOW_DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'caseflow.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    TIMEZONE = _env("CASEFLOW_TIMEZONE", "Asia/Shanghai")
    # The rule pack: deadline lengths with their legal basis (see caseflow/rules/default.toml).
    RULE_PACK = _env("CASEFLOW_RULE_PACK", str(ROOT / "caseflow" / "rules" / "default.toml"))
    # Links in notification emails point here.
    BASE_URL = _env("CASEFLOW_BASE_URL", "http://127.0.0.1:5000")
    # Email: no host, no email (notifications stay in the in-app inbox).
    SMTP_HOST = _env("CASEFLOW_SMTP_HOST", "")
    SMTP_PORT = int(_env("CASEFLOW_SMTP_PORT", "25"))
    SMTP_USER = _env("CASEFLOW_SMTP_USER", "")
    SMTP_PASSWORD = _env("CASEFLOW_SMTP_PASSWORD", "")
    SMTP_STARTTLS = _env("CASEFLOW_SMTP_STARTTLS", "0") == "1"
    SMTP_FROM = _env("CASEFLOW_SMTP_FROM", "caseflow@localhost")
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "caseflow" / "translations")
    LANGUAGES = ("zh_Hans_CN", "en")
    WTF_CSRF_TIME_LIMIT = None  # a long report typed on a phone must not lose its CSRF token
    MAX_CONTENT_LENGTH = 1 * 1024 * 1024  # bodies above 1 MiB are refused with 413
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env("CASEFLOW_SECURE_COOKIES", "0") == "1"
    API_TOKEN_HOURS = int(_env("CASEFLOW_API_TOKEN_HOURS", "12"))
    RATELIMIT_STORAGE_URI = _env("CASEFLOW_RATELIMIT_STORAGE", "memory://")
    LOGIN_RATE_LIMIT = _env("CASEFLOW_LOGIN_RATE_LIMIT", "10 per minute")
    PER_PAGE = 25
    # Attachments: kept outside the web root, the same directory for every web node.
    STORAGE_DIR = _env("CASEFLOW_STORAGE_DIR", str(ROOT / "instance" / "storage"))
    ATTACHMENT_MAX_BYTES = int(_env("CASEFLOW_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
    ATTACHMENT_CASE_MAX_BYTES = int(
        _env("CASEFLOW_ATTACHMENT_CASE_MAX_BYTES", str(500 * 1024 * 1024))
    )
    ATTACHMENT_CASE_MAX_COUNT = int(_env("CASEFLOW_ATTACHMENT_CASE_MAX_COUNT", "100"))
    # An image with more pixels is refused before decoding (a decompression bomb).
    ATTACHMENT_MAX_PIXELS = int(_env("CASEFLOW_ATTACHMENT_MAX_PIXELS", "50000000"))
    # Behind nginx set this to the number of proxies, so login throttling sees the real
    # client address instead of the proxy's (werkzeug ProxyFix).
    PROXY_COUNT = int(_env("CASEFLOW_PROXY_COUNT", "0"))


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = _env("CASEFLOW_TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = True
    LOGIN_RATE_LIMIT = "1000 per minute"
