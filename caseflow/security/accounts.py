"""Changing, resetting and ending accounts' access: one place for each rule."""

from ..models import User
from ..services.errors import ValidationFailed
from . import passwords, sessions


def check_new_password(user_or_name: User | str, password: str, field: str = "new_password"):
    """422 naming every rule the password breaks (the caller changes nothing then)."""
    username = user_or_name.username if isinstance(user_or_name, User) else user_or_name
    found = passwords.problems(password or "", username)
    if found:
        raise ValidationFailed(fields={field: found})


def change_password(
    user: User, new_password: str, keep_session: int | None = None, keep_token: int | None = None
) -> None:
    """The user's own change: the policy, the new hash, the forced change cleared, and
    every other session and token of the user ended (a thief's copy stops working)."""
    check_new_password(user, new_password)
    user.set_password(new_password)
    user.must_change_password = False
    sessions.end_all(user, "password", keep_session=keep_session, keep_token=keep_token)


def one_time_password(user: User) -> str:
    """A one-time password for the user, to be changed at the next login (a new account's
    first password, or a reset). Returns the password to hand over."""
    one_time = passwords.one_time_password()
    user.set_password(one_time)
    user.must_change_password = True
    return one_time


def reset_password(user: User) -> str:
    """An administrator's reset: a one-time password, to be changed at the next login.
    Every session and token of the user ends. Returns the password to hand over."""
    one_time = one_time_password(user)
    sessions.end_all(user, "password")
    return one_time


def deactivate(user: User) -> None:
    """No more logins, and every open session and token of the user ends now."""
    user.active = False
    sessions.end_all(user, "deactivated")
