"""The mandatory-report form: short enough for a child director on a phone."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FormField, IntegerField, SelectField, StringField
from wtforms.fields import TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..vocab import CHILD_SAFETY, ORG_TYPES, REPORTER_ORG_TYPES, SITUATIONS
from .base import (
    IntChoicesField,
    LocalDateTimeField,
    SubForm,
    choices,
    normalise_phone,
    not_future,
    phone,
)
from .people import IdentityForm
from .places import PlaceForm

REQUIRED = _l("This field is required.")


class ChildForm(IdentityForm):
    name = StringField(_l("Child's name"), [DataRequired(REQUIRED), Length(max=100)])
    school = StringField(_l("School"), [Optional(), Length(max=100)])


class ReporterForm(SubForm):
    name = StringField(_l("Reporter's name"), [Optional(), Length(max=100)])
    phone = StringField(
        _l("Reporter's phone"), [Optional(), Length(max=20), phone], filters=[normalise_phone]
    )
    organisation_name = StringField(_l("Reporting unit"), [Optional(), Length(max=200)])


class MandatoryReportForm(PlaceForm):
    intake_org = IntegerField(_l("Report to"), [Optional()])
    reporter_org_type = SelectField(
        _l("Type of reporting unit"),
        [InputRequired(REQUIRED)],
        choices=choices((code, ORG_TYPES[code]) for code in REPORTER_ORG_TYPES),
        default="village_committee",
    )
    discovered_at = LocalDateTimeField(
        _l("When the harm was discovered"), [InputRequired(REQUIRED), not_future]
    )
    situation_codes = IntChoicesField(
        _l("Situations (强制报告意见 Art. 4)"), choices=choices(SITUATIONS)
    )
    ongoing_danger = BooleanField(_l("The child is in danger now"))
    guardian_is_suspect = BooleanField(_l("The guardian is the suspected abuser"))
    child_safety = SelectField(
        _l("The child's current safety"), choices=choices(CHILD_SAFETY), default="unknown"
    )
    urgent = BooleanField(_l("Urgent"))
    description = TextAreaField(_l("What happened"), [DataRequired(REQUIRED), Length(max=5000)])
    subject = FormField(ChildForm, label=_l("The child"))
    reporter = FormField(ReporterForm, label=_l("Reporter"))

    def to_data(self) -> dict:
        return {
            "jurisdiction_id": self.jurisdiction_id(),
            "intake_org_id": self.intake_org.data,
            "reporter_org_type": self.reporter_org_type.data,
            "discovered_at": self.discovered_at.data,
            "situation_codes": self.situation_codes.data or [],
            "ongoing_danger": self.ongoing_danger.data,
            "guardian_is_suspect": self.guardian_is_suspect.data,
            "child_safety": self.child_safety.data,
            "urgent": self.urgent.data,
            "description": self.description.data,
            "subject": self.subject.form.person_data(),
            "reporter": {k: v or None for k, v in self.reporter.data.items()},
        }
