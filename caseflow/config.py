"""Configuration read from the environment.

Every setting has a safe development default except the secret key in production,
which must be set (the app refuses to start without it when CASEFLOW_ENV=production).
Without one, development makes a random key into instance/secret_key on first start.
"""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


class Config:
    ENV_NAME = _env("CASEFLOW_ENV", "development")
    SECRET_KEY = _env("CASEFLOW_SECRET_KEY")
    SECRET_KEY_FILE = _env("CASEFLOW_SECRET_KEY_FILE", str(ROOT / "instance" / "secret_key"))
    SQLALCHEMY_DATABASE_URI = _env(
        "CASEFLOW_DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'caseflow.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # An optional read replica for the indicator pages, the indicator API and the workbook.
    REPLICA_DATABASE_URL = _env("CASEFLOW_REPLICA_DATABASE_URL")
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
    # Production runs behind TLS: the cookie is Secure (and HSTS is sent) unless turned off.
    SESSION_COOKIE_SECURE = (
        _env("CASEFLOW_SECURE_COOKIES", "1" if ENV_NAME == "production" else "0") == "1"
    )
    # Server-side sessions (security/sessions.py): ended after this long without a request,
    # and this long after the login whatever happens.
    SESSION_IDLE_MINUTES = int(_env("CASEFLOW_SESSION_IDLE_MINUTES", "30"))
    SESSION_ABSOLUTE_HOURS = int(_env("CASEFLOW_SESSION_ABSOLUTE_HOURS", "12"))
    API_TOKEN_HOURS = int(_env("CASEFLOW_API_TOKEN_HOURS", "12"))
    # argon2id parameters; empty: argon2-cffi's defaults (RFC 9106, 64 MiB, 3 passes).
    PASSWORD_ARGON2: dict = {}
    # Login throttling (security/throttle.py), failures only: an account name is locked
    # after 5 failures, an address after 30 (an office shares one), for 15 minutes; from
    # the 3rd (account) or 10th (address) failure on, each attempt waits 2, 4, 8 … s.
    LOGIN_ACCOUNT_MAX_FAILURES = int(_env("CASEFLOW_LOGIN_ACCOUNT_MAX_FAILURES", "5"))
    LOGIN_ACCOUNT_DELAY_FROM = int(_env("CASEFLOW_LOGIN_ACCOUNT_DELAY_FROM", "3"))
    LOGIN_ADDRESS_MAX_FAILURES = int(_env("CASEFLOW_LOGIN_ADDRESS_MAX_FAILURES", "30"))
    LOGIN_ADDRESS_DELAY_FROM = int(_env("CASEFLOW_LOGIN_ADDRESS_DELAY_FROM", "10"))
    LOGIN_LOCK_MINUTES = int(_env("CASEFLOW_LOGIN_LOCK_MINUTES", "15"))
    LOGIN_FAILURE_WINDOW_MINUTES = int(_env("CASEFLOW_LOGIN_FAILURE_WINDOW_MINUTES", "15"))
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
    # The scheduler process (scheduler.py): one is active at a time (a PostgreSQL advisory
    # lock, a file lock on SQLite); a waiting one tries the lock every LOCK_POLL seconds.
    # The active one renews its heartbeat row every HEARTBEAT seconds; /readyz answers 503
    # when the heartbeat is older than READY_HEARTBEAT seconds. Export jobs are looked for
    # every EXPORT_POLL seconds; a job's lease runs out EXPORT_LEASE seconds after its
    # last progress (its scheduler died) and the job is taken again.
    SCHEDULER_LOCK_POLL_SECONDS = float(_env("CASEFLOW_SCHEDULER_LOCK_POLL_SECONDS", "5"))
    SCHEDULER_HEARTBEAT_SECONDS = float(_env("CASEFLOW_SCHEDULER_HEARTBEAT_SECONDS", "15"))
    READY_HEARTBEAT_SECONDS = float(_env("CASEFLOW_READY_HEARTBEAT_SECONDS", "120"))
    EXPORT_POLL_SECONDS = float(_env("CASEFLOW_EXPORT_POLL_SECONDS", "5"))
    EXPORT_LEASE_SECONDS = float(_env("CASEFLOW_EXPORT_LEASE_SECONDS", "300"))
    # Development and tests must never sign cookies with a key anyone can read.
    KNOWN_PUBLIC_KEYS = frozenset({"dev-only-secret-change-me", "test-secret"})


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = secrets.token_urlsafe(32)  # new each run: no test signs with a known key
    SQLALCHEMY_DATABASE_URI = _env("CASEFLOW_TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = True
    AUDIT_KEY = "test-audit-key"
    AUDIT_KEY_ID = "t1"
    AUDIT_KEYS = ""
    SESSION_COOKIE_SECURE = False
    # The suite logs in thousands of times on two shared cores: the same argon2id code with
    # a cheaper cost (the production cost is tested in test_passwords.py).
    PASSWORD_ARGON2 = {"time_cost": 1, "memory_cost": 8192, "parallelism": 1}
