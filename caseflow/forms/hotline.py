"""The hotline call form: one screen, filled during the call, from the keyboard."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields import TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..extensions import db
from ..models import Jurisdiction
from ..vocab import (
    CALL_ACTIONS,
    CALL_CATEGORIES,
    CALL_LINES,
    CALL_URGENCY,
    CALLER_RELATIONS,
    SEXES,
)
from .base import (
    BaseForm,
    LocalDateTimeField,
    choices,
    future,
    id_number,
    normalise_id_number,
    normalise_phone,
    not_future,
    open_places,
    phone,
)

REQUIRED = _l("This field is required.")


def _phone(label):
    return StringField(label, [Optional(), Length(max=20), phone], filters=[normalise_phone])


def _id_number(label):
    return StringField(
        label, [Optional(), Length(max=18), id_number], filters=[normalise_id_number]
    )


def _optional_select(label, vocabulary):
    return SelectField(label, [], choices=choices({"": "—", **vocabulary}), default="")


class HotlineCallForm(BaseForm):
    client_token = HiddenField(_l("Form token"), [DataRequired(REQUIRED), Length(min=8, max=64)])
    line = SelectField(
        _l("Line"), [InputRequired(REQUIRED)], choices=choices(CALL_LINES), default="12338"
    )
    received_at = LocalDateTimeField(_l("Time of the call"), [Optional(), not_future])
    duration_minutes = IntegerField(
        _l("Duration (minutes)"), [Optional(), NumberRange(min=0, max=600)]
    )
    anonymous = BooleanField(_l("The caller stays anonymous"))
    caller_name = StringField(_l("Caller's name"), [Optional(), Length(max=100)])
    caller_phone = _phone(_l("Caller's phone"))
    caller_id_number = _id_number(_l("Caller's ID number"))
    caller_relation = _optional_select(_l("Caller is"), CALLER_RELATIONS)
    subject_name = StringField(_l("Name of the person concerned"), [Optional(), Length(max=100)])
    subject_sex = _optional_select(_l("Sex"), SEXES)
    subject_phone = _phone(_l("Phone of the person concerned"))
    subject_id_number = _id_number(_l("ID number of the person concerned"))
    jurisdiction = SelectField(_l("Village / community"), [], choices=[], default="")
    category = SelectField(
        _l("Category"), [InputRequired(REQUIRED)], choices=choices(CALL_CATEGORIES)
    )
    urgency = SelectField(_l("Urgency"), [], choices=choices(CALL_URGENCY), default="normal")
    summary = TextAreaField(_l("Summary"), [DataRequired(REQUIRED), Length(max=5000)])
    action_taken = SelectField(
        _l("Action taken"),
        [InputRequired(REQUIRED)],
        choices=choices(CALL_ACTIONS),
        default="advice",
    )
    action_note = TextAreaField(_l("Action: details"), [Optional(), Length(max=2000)])
    danger = BooleanField(_l("The person is in danger now"))
    transferred_110 = BooleanField(_l("Transferred to 110"))
    callback_needed = BooleanField(_l("Call back"))
    callback_due = LocalDateTimeField(_l("Call back by"), [Optional(), future])

    def setup(self, actor):
        base = actor.organisation.jurisdiction
        villages = db.session.scalars(
            db.select(Jurisdiction)
            .where(Jurisdiction.level == "village", Jurisdiction.path.startswith(base.path))
            .order_by(Jurisdiction.path)
        ).all()
        villages = open_places(villages)
        self.jurisdiction.choices = choices([("", "—"), *((v.code, v.full_name) for v in villages)])
        return self

    def to_data(self) -> dict:
        code = self.jurisdiction.data
        place = (
            db.session.scalar(db.select(Jurisdiction.id).where(Jurisdiction.code == code))
            if code
            else None
        )
        data = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        data.pop("jurisdiction")
        data["jurisdiction_id"] = place
        for name in ("caller_relation", "subject_sex"):
            data[name] = data[name] or None
        for name in (
            "caller_name",
            "caller_phone",
            "caller_id_number",
            "subject_name",
            "subject_phone",
            "subject_id_number",
            "action_note",
        ):
            data[name] = data[name] or None
        return data


class CallbackDoneForm(BaseForm):
    note = TextAreaField(_l("What was said"), [DataRequired(REQUIRED), Length(max=2000)])
