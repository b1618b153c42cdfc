"""Bulk imports of a county's administration: users from .xlsx, places from the
统计用区划代码 layout (12-digit code, name, level) as .xlsx or .csv.

Each import reads the whole file first and lists every row's problem (row number as the
spreadsheet shows it, the field, the message). A dry run stops there; a real run saves
nothing unless the whole file is clean, then saves every row in one transaction.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Jurisdiction, Organisation, User
from ..security import accounts
from ..vocab import ROLES
from . import administration as admin
from .errors import ValidationFailed

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024

USER_HEADERS = {
    "username": ("username", "用户名", "账号"),
    "display_name": ("display_name", "name", "姓名"),
    "role": ("role", "角色"),
    "unit": ("unit", "organisation", "单位"),
    "email": ("email", "邮箱", "电子邮箱"),
}
USER_REQUIRED = ("username", "display_name", "role", "unit")
PLACE_HEADERS = {
    "code": ("code", "统计用区划代码", "区划代码", "代码"),
    "name": ("name", "名称"),
    "level": ("level", "级别", "层级"),
}
PLACE_REQUIRED = ("code", "name", "level")


@dataclass
class Result:
    rows: int = 0
    problems: list[dict] = field(default_factory=list)
    created: list[dict] = field(default_factory=list)
    renamed: list[dict] = field(default_factory=list)
    unchanged: int = 0
    saved: bool = False

    def problem(self, row: int, name: str, message) -> None:
        self.problems.append({"row": row, "field": name, "message": str(message)})

    def as_json(self) -> dict:
        return {
            "rows": self.rows,
            "problems": self.problems,
            "created": self.created,
            "renamed": self.renamed,
            "unchanged": self.unchanged,
            "saved": self.saved,
        }


class ImportRefused(ValidationFailed):
    """422 with the problems of the file (nothing saved)."""

    def __init__(self, result: Result):
        super().__init__(
            _l("The file has problems: nothing was saved."),
            fields={"file": [f"{p['row']}: {p['field']}: {p['message']}" for p in result.problems]},
        )
        self.result = result


def _bad_file(message) -> ValidationFailed:
    return ValidationFailed(fields={"file": [message]})


def read_table(filename: str, data: bytes, csv_allowed: bool) -> list[list[str]]:
    """The sheet's rows as text cells (the first sheet of a workbook)."""
    if not data:
        raise _bad_file(_l("The file is empty."))
    if len(data) > MAX_BYTES:
        raise _bad_file(_l("The file is larger than 5 MB."))
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            raise _bad_file(_l("Not a readable .xlsx workbook.")) from None
        try:
            sheet = book.worksheets[0]
            rows = []
            for values in sheet.iter_rows(values_only=True):
                if len(rows) > MAX_ROWS:
                    raise _bad_file(_l("At most %(n)d rows.", n=MAX_ROWS))
                rows.append([_cell(v) for v in values])
        finally:
            book.close()
        return rows
    if name.endswith(".csv") and csv_allowed:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise _bad_file(_l("The CSV file is neither UTF-8 nor GB18030 text.")) from None
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
        if len(rows) > MAX_ROWS + 1:
            raise _bad_file(_l("At most %(n)d rows.", n=MAX_ROWS))
        return rows
    if csv_allowed:
        raise _bad_file(_l("Upload an .xlsx or .csv file."))
    raise _bad_file(_l("Upload an .xlsx file."))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _columns(header: list[str], known: dict, required: tuple, result: Result) -> dict | None:
    """Column index of each field, or None after naming the header's problems (row 1)."""
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        title = (title or "").strip().lower()
        for name, words in known.items():
            if title in words and name not in found:
                found[name] = index
    missing = [name for name in required if name not in found]
    for name in missing:
        result.problem(1, name, _l("The header has no column %(name)s.", name=known[name][1]))
    return None if missing else found


def _body(rows: list[list[str]], columns: dict):
    for number, row in enumerate(rows[1:], start=2):
        values = {n: (row[i] if i < len(row) else "") for n, i in columns.items()}
        if any(values.values()):
            yield number, values


# --- users ------------------------------------------------------------------------


def _role(text: str) -> str | None:
    """A role by its code or its name (in the page's language or in English)."""
    if text in ROLES:
        return text
    for code, words in ROLES.items():
        english = (getattr(words, "_args", None) or ("",))[0]
        if text and text in (str(words), english):
            return code
    return None


def import_users(actor: User, filename: str, data: bytes, dry_run: bool) -> Result:
    county = admin.require_admin(actor)
    rows = read_table(filename, data, csv_allowed=False)
    result = Result()
    if not rows:
        raise _bad_file(_l("The file is empty."))
    columns = _columns(rows[0], USER_HEADERS, USER_REQUIRED, result)
    if columns is None:
        if dry_run:
            return result
        raise ImportRefused(result)
    units: dict[str, list[Organisation]] = {}
    for org in admin.organisations(county):
        units.setdefault(org.name, []).append(org)
    taken = set(db.session.scalars(select(User.username)))
    seen: dict[str, int] = {}
    planned = []
    for number, values in _body(rows, columns):
        result.rows += 1
        ok = True
        name = values["username"]
        if not name:
            result.problem(number, "username", _l("This field is required."))
            ok = False
        elif not admin.USERNAME_RE.fullmatch(name):
            result.problem(
                number, "username", _l("3 to 64 letters, digits, dots, dashes or underscores.")
            )
            ok = False
        elif name in seen:
            result.problem(
                number, "username", _l("Also in row %(row)d of the file.", row=seen[name])
            )
            ok = False
        elif name in taken:
            result.problem(number, "username", _l("This username is taken."))
            ok = False
        if name:
            seen.setdefault(name, number)
        if not values["display_name"]:
            result.problem(number, "display_name", _l("This field is required."))
            ok = False
        elif len(values["display_name"]) > 100:
            result.problem(number, "display_name", _l("At most %(n)d characters.", n=100))
            ok = False
        role = _role(values["role"])
        if role is None:
            result.problem(number, "role", _l("Unknown role."))
            ok = False
        found = units.get(values["unit"], [])
        if not values["unit"]:
            result.problem(number, "unit", _l("This field is required."))
            ok = False
        elif not found:
            result.problem(number, "unit", _l("No such unit in your county."))
            ok = False
        elif len(found) > 1:
            result.problem(number, "unit", _l("Several units have this name."))
            ok = False
        elif not found[0].active:
            result.problem(number, "unit", _l("This unit is inactive."))
            ok = False
        email = values.get("email") or None
        if email and not admin.EMAIL_RE.fullmatch(email):
            result.problem(number, "email", _l("Not an email address."))
            ok = False
        if ok:
            planned.append((name, values["display_name"], role, found[0], email))
    if result.problems or dry_run:
        if result.problems and not dry_run:
            raise ImportRefused(result)
        return result
    for name, display_name, role, org, email in planned:
        user = User(
            username=name, display_name=display_name, role=role, organisation=org, email=email
        )
        one_time = accounts.one_time_password(user)
        db.session.add(user)
        db.session.flush()
        admin.record(
            actor, "user.create", "user", user.id, user.username, None, admin.user_snapshot(user)
        )
        result.created.append({"username": name, "one_time_password": one_time})
    result.saved = True
    return result


# --- places -----------------------------------------------------------------------


def import_places(actor: User, filename: str, data: bytes, dry_run: bool) -> Result:
    county = admin.require_admin(actor)
    rows = read_table(filename, data, csv_allowed=True)
    result = Result()
    if not rows:
        raise _bad_file(_l("The file is empty."))
    columns = _columns(rows[0], PLACE_HEADERS, PLACE_REQUIRED, result)
    if columns is None:
        if dry_run:
            return result
        raise ImportRefused(result)
    existing = {p.code: p for p in admin.places(county)}
    in_file: dict[str, int] = {}
    good: list[tuple[int, str, str, str]] = []
    parsed = []
    for number, values in _body(rows, columns):
        result.rows += 1
        code, name = values["code"], values["name"]
        level = admin.LEVEL_WORDS.get(values["level"], values["level"])
        parsed.append((number, code, name, level))
    file_codes = {}
    for number, code, _name, level in parsed:
        if len(code) == 12 and code.isdigit() and level in admin.LEVEL_WORDS.values():
            file_codes.setdefault(admin.short_code(code, level), number)
    for number, code, name, level in parsed:
        ok = True
        problem = admin.code_problem(code, level, county)
        if problem is not None:
            result.problem(number, problem[0], problem[1])
            ok = False
        else:
            short = admin.short_code(code, level)
            if short in in_file:
                result.problem(
                    number, "code", _l("Also in row %(row)d of the file.", row=in_file[short])
                )
                ok = False
            in_file.setdefault(short, number)
            if level == "county" and short != county.code:
                result.problem(
                    number,
                    "code",
                    _l("The code is outside your county (%(code)s).", code=county.code),
                )
                ok = False
            parent = admin.parent_code(code, level)
            if parent is not None and parent not in existing and parent not in file_codes:
                result.problem(
                    number,
                    "code",
                    _l("The place above this one (%(code)s) does not exist.", code=parent),
                )
                ok = False
            if short in existing and existing[short].level != level:
                result.problem(
                    number, "level", _l("A place with this code exists at another level.")
                )
                ok = False
        if not name:
            result.problem(number, "name", _l("This field is required."))
            ok = False
        elif len(name) > 100:
            result.problem(number, "name", _l("At most %(n)d characters.", n=100))
            ok = False
        if ok:
            good.append((number, admin.short_code(code, level), name, level))
    if result.problems:
        if dry_run:
            return result
        raise ImportRefused(result)
    order = {"county": 0, "township": 1, "village": 2}
    made: dict[str, Jurisdiction] = dict(existing)
    for _number, short, name, level in sorted(good, key=lambda g: order[g[3]]):
        place = made.get(short)
        if place is not None:
            if place.name != name:
                result.renamed.append({"code": short, "before": place.name, "after": name})
                if not dry_run:
                    before = admin.place_snapshot(place)
                    place.name = name
                    admin.record(
                        actor,
                        "place.edit",
                        "place",
                        place.id,
                        name,
                        before,
                        admin.place_snapshot(place),
                    )
            else:
                result.unchanged += 1
            continue
        result.created.append({"code": short, "name": name, "level": level})
        if dry_run:
            made[short] = Jurisdiction(code=short, name=name, level=level, path="")
            continue
        parent = made[short[: 6 if level == "township" else 9]]
        place = Jurisdiction.make(short, name, level, parent)
        db.session.add(place)
        db.session.flush()
        made[short] = place
        admin.record(actor, "place.add", "place", place.id, name, None, admin.place_snapshot(place))
    result.saved = not dry_run
    return result
