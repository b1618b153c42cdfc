"""Forms of the indicator pages: a unit's yearly figure, a statistician's review, a plan
owner's band and the workstation registry. The rules on the figures themselves live in
caseflow/indicators/submissions.py and plans.py; these forms carry CSRF and the choices."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from .base import choices, strip


class FigureForm(FlaskForm):
    code = SelectField(_l("Indicator"), choices=[], validate_choice=False)
    year = StringField(_l("Year"), filters=[strip])
    jurisdiction = SelectField(_l("Place"), choices=[], validate_choice=False)
    value = StringField(_l("Value"), filters=[strip])
    numerator = StringField(_l("Numerator"), filters=[strip])
    denominator = StringField(_l("Denominator"), filters=[strip])
    note = TextAreaField(_l("Note"), filters=[strip])

    def validate_code(self, field):
        if field.data not in {choice.value for choice in self.code.choices}:
            raise ValidationError(_l("Your unit does not report this figure."))

    def validate_jurisdiction(self, field):
        if field.data not in {choice.value for choice in self.jurisdiction.choices}:
            raise ValidationError(_l("Choose a place from the list."))

    def data_for_service(self) -> dict:
        return {
            name: getattr(self, name).data or ""
            for name in ("code", "year", "jurisdiction", "value", "numerator", "denominator")
        } | {"note": self.note.data or ""}


class ReviewForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=choices([("accept", _l("Accept")), ("return", _l("Return to the unit"))]),
        validate_choice=False,
    )
    note = TextAreaField(_l("Reason or note"), filters=[strip])

    def validate_decision(self, field):
        if field.data not in ("accept", "return"):
            raise ValidationError(_l("Choose accept or return."))


class BandForm(FlaskForm):
    band_low = StringField(_l("Lower bound (%)"), filters=[strip])
    band_high = StringField(_l("Upper bound (%)"), filters=[strip])


class WorkstationForm(FlaskForm):
    """The township's date comes as `since-<code>`, read by the view (one per township)."""
