"""Query parameters of pages and API calls, read in one place.

Every reader returns a clean value or None and records why a value was refused, so that
a page shows the message and lists everything else, and the API answers 422 naming the
parameter. Nothing a client puts in a query string reaches the database unchecked: text
no column can hold (a NUL byte), dates no timestamp can hold (year 1 in UTC, the day
after 9999-12-31) and numbers no integer column can hold never get a 500.
"""

import re
from datetime import UTC, date, datetime, time, timedelta

from flask import flash
from flask_babel import lazy_gettext as _l

from .. import timeutil
from ..forms.base import storable

MAX_PAGE = 1_000_000  # pages of a list; offsets beyond stay within every integer type
MAX_TEXT = 200  # no parameter of ours is longer: a longer one is not a value we know
BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


class Params:
    def __init__(self, args):
        self.args = args
        self.errors: dict[str, list] = {}

    def refuse(self, name: str, message) -> None:
        self.errors.setdefault(name, [message])

    def raw(self, name: str) -> str | None:
        """The trimmed value, None if absent or empty or not storable text."""
        value = self.args.get(name)
        if value is None or not value.strip():
            return None
        if not storable(value) or len(value) > MAX_TEXT:
            self.refuse(name, _l("Contains characters that cannot be stored."))
            return None
        return value.strip()

    def text(self, name: str, max_len: int = 100) -> str | None:
        value = self.raw(name)
        if value is not None and len(value) > max_len:
            self.refuse(name, _l("Field cannot be longer than %(max)d characters.", max=max_len))
            return None
        return value

    def choice(self, name: str, allowed, message) -> str | None:
        value = self.raw(name)
        if value is not None and value not in allowed:
            self.refuse(name, message)
            return None
        return value

    def flag(self, name: str) -> bool | None:
        value = self.raw(name)
        if value is None:
            return None
        flag = BOOLEANS.get(value.lower())
        if flag is None:
            self.refuse(name, _l("Use true or false."))
        return flag

    def when(self, name: str, end: bool = False) -> datetime | None:
        """An ISO date (the whole local day: from its start, or to the end of it) or an
        ISO date and time (local if it has no offset); aware."""
        value = self.raw(name)
        if value is None:
            return None
        at = parse_when(value, end)
        if at is None:
            self.refuse(name, _l("Not a valid date or date and time (e.g. 2026-11-23)."))
        return at

    def number(self, name: str, default: int, top: int) -> int:
        """A whole number from 1 to `top`; the default when absent or refused."""
        value = self.raw(name)
        if value is None:
            return default
        if re.fullmatch(r"\d{1,9}", value, re.ASCII) and 1 <= int(value) <= top:
            return int(value)
        self.refuse(name, _l("A whole number from 1 to %(max)d.", max=top))
        return default

    def flash_errors(self) -> None:
        """On a page: one warning per refused parameter; the page lists without it."""
        for name, messages in self.errors.items():
            for message in messages:
                flash(f"{name}: {message}", "warning")


def parse_when(value: str, end: bool = False) -> datetime | None:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = None
    try:
        if day is not None:
            if end:
                day += timedelta(days=1)
            at = datetime.combine(day, time(), tzinfo=timeutil.local_zone())
        else:
            at = timeutil.aware(datetime.fromisoformat(value.replace(" ", "T")))
        at.astimezone(UTC)  # year 1 at +08:00 is not a moment UTC can hold
    except (ValueError, OverflowError):
        return None
    return at
