"""Shared form parts: one set of validators for the pages and the JSON API.

The API feeds its JSON body through the same WTForms classes as the pages
(`from_json`), so a rule about input is written once.
"""

import re
import unicodedata
from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DecimalField,
    Field,
    FloatField,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields import DateField, DateTimeLocalField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from .. import timeutil


def choices(pairs) -> list[SelectChoice]:
    """Select options from a vocabulary dict or (value, label) pairs."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, text) for value, text in items]


def open_places(places: list) -> list:
    """The places offered for something new: neither the place nor a place above it has
    been deactivated by an administrator (services/administration.py)."""
    from ..extensions import db
    from ..models import Jurisdiction

    closed = db.session.scalars(
        db.select(Jurisdiction.path).where(Jurisdiction.active.is_(False))
    ).all()
    return [p for p in places if not any(p.path.startswith(c) for c in closed)]


def strip(value):
    return value.strip() if isinstance(value, str) else value


class LocalDateTimeField(DateTimeLocalField):
    """A date and time typed on a page (local, no zone) or sent by the API (ISO 8601,
    with or without an offset). The value is always aware."""

    def _value(self):
        # What a datetime-local input accepts: local time, "T", minutes (a value with a
        # space or seconds is dropped by the browser, and a pre-filled time would be lost).
        if self.raw_data:
            return " ".join(self.raw_data)
        if self.data is not None:
            return timeutil.to_local(timeutil.aware(self.data)).strftime("%Y-%m-%dT%H:%M")
        return ""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        raw = valuelist[0].strip()
        try:
            self.data = timeutil.aware(datetime.fromisoformat(raw.replace(" ", "T")))
            self.data.astimezone(UTC)  # year 1 at +08:00 cannot be stored in UTC
        except (ValueError, OverflowError):
            self.data = None
            raise ValueError(_l("Not a valid date and time (e.g. 2026-11-23T14:30).")) from None


class IsoDateField(DateField):
    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = date.fromisoformat(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("Not a valid date (e.g. 2015-06-01).")) from None


class ChoicesField(SelectMultipleField):
    """A multi-select of codes (violence forms, measures, evidence), each given once."""

    def process_formdata(self, valuelist):
        super().process_formdata(list(dict.fromkeys(valuelist)))

    def pre_validate(self, form):
        if self.data:
            known = {value for value, *_ in self.iter_choices()}
            for value in self.data:
                if value not in known:
                    raise ValidationError(_l("'%(value)s' is not a valid choice.", value=value))


class IntChoicesField(ChoicesField):
    """A multi-select of whole numbers (situation codes, organisation ids)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", int)
        super().__init__(*args, **kwargs)


def not_future(form, field):
    if field.data is None:
        return
    if isinstance(field.data, datetime):
        if field.data > timeutil.now():
            raise ValidationError(_l("This cannot be in the future."))
    elif field.data > timeutil.to_local(timeutil.now()).date():
        raise ValidationError(_l("This cannot be in the future."))


def future(form, field):
    if field.data is not None and field.data <= timeutil.now():
        raise ValidationError(_l("This must be in the future."))


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_number_ok(value: str) -> bool:
    """GB 11643-1999: 17 digits, then a check character from ISO 7064 MOD 11-2."""
    if not re.fullmatch(r"\d{17}[\dX]", value, re.ASCII):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    if ID_CHECK[total % 11] != value[17]:
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return True


def normalise_id_number(value):
    # NFKC: full-width digits and Ｘ typed with a Chinese input method become ASCII.
    return unicodedata.normalize("NFKC", value).strip().upper() if isinstance(value, str) else value


def id_number(form, field):
    if field.data and not id_number_ok(field.data):
        raise ValidationError(
            _l("This ID number is not valid (GB 11643: 18 characters, check digit).")
        )


def normalise_phone(value):
    """Keep digits only, dropping a +86 / 0086 prefix: 138-0000-0000 → 13800000000."""
    if not isinstance(value, str):
        return value
    digits = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", value).strip())
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def phone(form, field):
    if field.data and not re.fullmatch(r"1[3-9]\d{9}|0\d{9,11}|\d{3,8}", field.data, re.ASCII):
        raise ValidationError(_l("Not a valid phone number."))


class _StripMeta:
    def bind_field(self, form, unbound_field, options):
        filters = unbound_field.kwargs.get("filters", [])
        # FormField takes no filters; its own fields are trimmed by SubForm.
        if not issubclass(unbound_field.field_class, FormField) and strip not in filters:
            unbound_field.kwargs["filters"] = [strip, *filters]
        return unbound_field.bind(form=form, **options)


def storable(text: str) -> bool:
    """PostgreSQL refuses NUL in text and no driver encodes a lone surrogate."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _StorableText:
    """Refuse text no database column can hold, in every string field of every form."""

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for field in self:
            if isinstance(field, StringField) and isinstance(field.data, str):
                if not storable(field.data):
                    field.errors = [*field.errors, _l("Contains characters that cannot be stored.")]
                    ok = False
        return ok


class BaseForm(_StorableText, FlaskForm):
    """All forms: strings trimmed. Pages carry a CSRF token; API forms are built without."""

    class Meta(_StripMeta):
        pass


class SubForm(_StorableText, Form):
    """A form nested in another with FormField (the child, the reporter): strings trimmed too."""

    class Meta(_StripMeta):
        pass


class UnknownFields(Exception):
    def __init__(self, fields: dict):
        self.fields = fields


class BadShape(Exception):
    def __init__(self, fields: dict):
        self.fields = fields


# The JSON type each kind of field reads (api.md: "0" and "no" are not false, "3" is not
# a list). A value of another type is refused before the form sees it, so no field ever
# reads a number as text or a string as a flag.
_MESSAGES = {
    "boolean": _l("Must be true or false (a JSON boolean)."),
    "integer": _l("Must be a whole number (a JSON number)."),
    "number": _l("Must be a number (a JSON number)."),
    "string": _l("Must be a string (JSON text)."),
    "list": _l("Must be a list (a JSON array)."),
    "object": _l("Must be an object."),
}
_ITEM_MESSAGES = {
    "integer": _l("Each item must be a whole number (a JSON number)."),
    "string": _l("Each item must be a string (JSON text)."),
}


def _coerces_int(unbound) -> bool:
    if issubclass(unbound.field_class, IntChoicesField):
        return True
    return unbound.kwargs.get("coerce") is int


def json_kind(unbound) -> str:
    """The JSON type a field takes: boolean, integer, number, string, list or object;
    for a list, its items' type is `item_kind`."""
    cls = unbound.field_class
    if issubclass(cls, FormField):
        return "object"
    if issubclass(cls, BooleanField):
        return "boolean"
    if issubclass(cls, SelectMultipleField):
        return "list"
    if issubclass(cls, IntegerField):
        return "integer"
    if issubclass(cls, DecimalField | FloatField):
        return "number"
    if issubclass(cls, SelectField | RadioField) and _coerces_int(unbound):
        return "integer"
    return "string"


def item_kind(unbound) -> str:
    return "integer" if _coerces_int(unbound) else "string"


def _is_kind(value, kind: str) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return isinstance(value, str)


def form_fields(form_class) -> dict:
    """The unbound fields of a form class, its bases' included, by name."""
    fields = {
        name: unbound
        for name, unbound in vars(form_class).items()
        if hasattr(unbound, "field_class") and issubclass(unbound.field_class, Field)
    }
    for base in form_class.__mro__[1:]:
        for name, unbound in vars(base).items():
            if hasattr(unbound, "field_class") and name not in fields:
                fields[name] = unbound
    return fields


def _flatten(form_class, payload: dict, prefix: str, out: MultiDict, unknown: dict, bad: dict):
    # `prefix` is the WTForms name prefix ("subject-"); errors are named with dots
    # ("subject.name"), the same as flat_errors.
    dotted = prefix.replace("-", ".")
    fields = form_fields(form_class)
    for key, value in payload.items():
        unbound = fields.get(key)
        if unbound is None:
            unknown[dotted + key] = [_l("Unknown field.")]
            continue
        if value is None:  # null: the same as leaving the field out
            continue
        kind = json_kind(unbound)
        if not _is_kind(value, kind):
            bad[dotted + key] = [_MESSAGES[kind]]
        elif kind == "object":
            _flatten(unbound.args[0], value, f"{prefix}{key}-", out, unknown, bad)
        elif kind == "list":
            each = item_kind(unbound)
            if not all(_is_kind(item, each) for item in value):
                bad[dotted + key] = [_ITEM_MESSAGES[each]]
                continue
            for item in value:
                out.add(prefix + key, str(item))
        elif kind == "boolean":
            out.add(prefix + key, "y" if value else "false")
        else:
            out.add(prefix + key, str(value))


def from_json(form_class, payload, **kwargs):
    """Build a form from a JSON object, refusing fields the form does not have."""
    if not isinstance(payload, dict):
        raise BadShape({"": [_l("The body must be a JSON object.")]})
    out, unknown, bad = MultiDict(), {}, {}
    _flatten(form_class, payload, "", out, unknown, bad)
    if unknown:
        raise UnknownFields(unknown)
    if bad:
        raise BadShape(bad)
    return form_class(formdata=out, meta={"csrf": False}, **kwargs)


def flat_errors(form) -> dict[str, list[str]]:
    """Errors as {"subject.name": ["..."]} — nested forms flattened with dots."""
    out = {}

    def walk(f, prefix):
        for name, field in f._fields.items():
            if isinstance(field, FormField):
                walk(field.form, f"{prefix}{name}.")
            elif field.errors:
                out[prefix + name] = [str(e) for e in field.errors]

    walk(form, "")
    return out
