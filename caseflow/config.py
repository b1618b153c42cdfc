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
    # From this day of the year (MM-DD), while next year has no official working-day
    # calendar, administrators and supervisors see a banner and get one notification.
    CALENDAR_WARN_FROM = _env("CASEFLOW_CALENDAR_WARN_FROM", "11-01")
    # An act (a report, a reconsideration applied for, a service) entered more than this many
    # hours after it happened is marked "late entry" on the case's timeline.
    LATE_ENTRY_HOURS = int(_env("CASEFLOW_LATE_ENTRY_HOURS", "24"))
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
    # Behind nginx set this to the number of proxies, so login throttling sees the real
    # client address instead of the proxy's (werkzeug ProxyFix).
    PROXY_COUNT = int(_env("CASEFLOW_PROXY_COUNT", "0"))
    # The audit trail's HMAC key (services/audit.py): never stored in the database. The
    # current key signs new events and checkpoints under its id; older keys stay listed in
    # CASEFLOW_AUDIT_KEYS ("id:key,id:key") so what they signed still verifies after a
    # rotation. Production refuses to start without a key; elsewhere a development key is
    # generated into instance/audit.key.
    AUDIT_KEY = _env("CASEFLOW_AUDIT_KEY")
    AUDIT_KEY_ID = _env("CASEFLOW_AUDIT_KEY_ID", "k1")
    AUDIT_KEYS = _env("CASEFLOW_AUDIT_KEYS", "")
    # The nightly checkpoint and verification of every chain (scheduler.py), local time.
    AUDIT_HOUR, AUDIT_MINUTE = 2, 30


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = _env("CASEFLOW_TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = True
    LOGIN_RATE_LIMIT = "1000 per minute"
    AUDIT_KEY = "test-audit-key"
    AUDIT_KEY_ID = "t1"
    AUDIT_KEYS = ""
