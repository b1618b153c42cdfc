"""Password hashing (argon2id) and the password policy.

Hashes are argon2id with argon2-cffi's defaults (RFC 9106's second recommended option:
3 passes over 64 MiB, 4 lanes); the configuration may name others (PASSWORD_ARGON2, the
tests use a cheaper setting). Older hashes (werkzeug's scrypt or pbkdf2 from before, or
argon2 with other parameters) still verify and are replaced by a current hash at the next
successful login.
"""

import secrets
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 200  # the forms' limit: hashing megabytes of "password" is a denial of service
COMMON_LIST = Path(__file__).with_name("common_passwords.txt")


@cache
def _hasher_for(params: tuple) -> PasswordHasher:
    return PasswordHasher(**dict(params))  # argon2id unless told otherwise


def _hasher() -> PasswordHasher:
    params = current_app.config.get("PASSWORD_ARGON2") if has_app_context() else None
    return _hasher_for(tuple(sorted((params or {}).items())))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify(stored: str, password: str) -> tuple[bool, str | None]:
    """(right?, a replacement hash when the stored one is outdated)."""
    if stored.startswith("$argon2"):
        hasher = _hasher()
        try:
            hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False, None
        return True, (hash_password(password) if hasher.check_needs_rehash(stored) else None)
    # werkzeug's "scrypt:…" / "pbkdf2:…" hashes, stored before argon2id.
    try:
        ok = check_password_hash(stored, password)
    except ValueError:
        return False, None
    return ok, (hash_password(password) if ok else None)


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def verify_nothing(password: str) -> None:
    """Verify against a hash of nothing with the current parameters, when the username is
    unknown: the answer takes as long as for a real user, so response times do not tell
    which usernames exist."""
    verify(_dummy_hash(_hasher()), password)


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def problems(password: str, username: str) -> list:
    """Every rule the new password breaks, each message naming its rule (empty: fine)."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(_l("A password needs at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        found.append(_l("A password has at most %(n)d characters.", n=MAX_LENGTH))
    if username and password.strip().lower() == username.strip().lower():
        found.append(_l("The password may not be the username."))
    if password.strip().lower() in common_passwords():
        found.append(_l("This password is in the list of common passwords; choose another."))
    return found


# Letters and digits that cannot be mistaken for each other when read out or copied.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


def one_time_password() -> str:
    """A random password for an administrator's reset: 16 characters (about 92 bits)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(16))
