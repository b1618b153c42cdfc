"""The identity fields of a person in a case, shared by the child, victim, abuser and
respondent forms: one set of rules for names, ID numbers, phones and birth dates."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..vocab import SEXES
from .base import (
    IsoDateField,
    SubForm,
    choices,
    id_number,
    normalise_id_number,
    normalise_phone,
    not_future,
    phone,
)

REQUIRED = _l("This field is required.")

# No sex is pre-selected (a fact is never filled in for the user), and "unknown" is a
# choice of its own: stored as no value, which the indicators count as unknown.
SEX_UNKNOWN = "U"
SEX_CHOICES = {"": _l("Choose…"), **SEXES, SEX_UNKNOWN: _l("Unknown (未知)")}


def name_field(label, required=True):
    return StringField(label, [DataRequired(REQUIRED) if required else Optional(), Length(max=100)])


class IdentityForm(SubForm):
    """Sex, birth date, ID number, phone and address; subclasses add the name."""

    sex = SelectField(
        _l("Sex"), [InputRequired(REQUIRED)], choices=choices(SEX_CHOICES), default=""
    )
    birth_date = IsoDateField(_l("Date of birth"), [Optional(), not_future])
    id_number = StringField(
        _l("ID number"), [Optional(), Length(max=18), id_number], filters=[normalise_id_number]
    )
    phone = StringField(_l("Phone"), [Optional(), Length(max=20), phone], filters=[normalise_phone])
    address = StringField(_l("Address"), [Optional(), Length(max=200)])

    def validate_birth_date(self, field):
        # The ID number already holds the birth date; the two must agree.
        number = self.id_number.data
        if field.data and number and len(number) == 18 and number[6:14].isdigit():
            if field.data.strftime("%Y%m%d") != number[6:14]:
                raise ValidationError(_l("The date of birth does not match the ID number."))

    def person_data(self) -> dict:
        """The fields as the services take them: empty strings become None."""
        data = {k: (v or None) for k, v in self.data.items()}
        if data.get("sex") == SEX_UNKNOWN:
            data["sex"] = None
        return data


class OptionalSexIdentityForm(IdentityForm):
    """For the other party, whose sex may not be given."""

    sex = SelectField(
        _l("Sex"),
        [Optional()],
        choices=choices({"": "—", **SEXES, SEX_UNKNOWN: _l("Unknown (未知)")}),
        default="",
    )
