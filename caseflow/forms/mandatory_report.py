"""The mandatory-report form: short enough for a child director on a phone."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FormField, IntegerField, SelectField, StringField
from wtforms.fields import TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..vocab import CHILD_SAFETY, ORG_TYPES, REPORT_CHANNELS, REPORTER_ORG_TYPES, SITUATIONS
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
    # The report itself (the act): when, how and to whom it was made; empty when it is
    # made by entering it here now.
    reported_at = LocalDateTimeField(
        _l("When the report was made (if before this entry)"), [Optional(), not_future]
    )
    report_channel = SelectField(
        _l("How the report was made"),
        [Optional()],
        choices=choices(REPORT_CHANNELS),
        default="system",
    )
    reported_to = StringField(
        _l("Reported to (unit or person, e.g. 110 command centre)"), [Optional(), Length(max=200)]
    )
    situation_codes = IntChoicesField(
        _l("Situations (强制报告意见 Art. 4)"), choices=choices(SITUATIONS)
    )
    ongoing_danger = BooleanField(_l("The child is in danger now"))
    sexual_abuse = BooleanField(_l("Sexual abuse or sexual harassment (suspected)"))
    guardian_is_suspect = BooleanField(_l("The guardian is the suspected abuser"))
    guardian_notified_at = LocalDateTimeField(
        _l("The guardian was told at (school reports of sexual abuse, 未保法 Art. 40)"),
        [Optional(), not_future],
    )
    child_safety = SelectField(
        _l("The child's current safety"), choices=choices(CHILD_SAFETY), default="unknown"
    )
    urgent = BooleanField(_l("Urgent"))
    description = TextAreaField(_l("What happened"), [DataRequired(REQUIRED), Length(max=5000)])
    subject = FormField(ChildForm, label=_l("The child"))
    reporter = FormField(ReporterForm, label=_l("Reporter"))

    def validate_reported_at(self, field):
        if field.data and self.discovered_at.data and field.data < self.discovered_at.data:
            raise ValidationError(_l("The report cannot be made before the harm was discovered."))

    def setup(self, actor):
        super().setup(actor)
        # An institution's staff report as their unit: its type is the reporting unit's.
        if actor.role == "institution_reporter" and self.reporter_org_type.raw_data is None:
            self.reporter_org_type.data = actor.organisation.type
        return self

    def to_data(self) -> dict:
        return {
            "jurisdiction_id": self.jurisdiction_id(),
            "intake_org_id": self.intake_org.data,
            "reporter_org_type": self.reporter_org_type.data,
            "discovered_at": self.discovered_at.data,
            "reported_at": self.reported_at.data,
            "report_channel": self.report_channel.data or "system",
            "reported_to": self.reported_to.data or None,
            "situation_codes": self.situation_codes.data or [],
            "ongoing_danger": self.ongoing_danger.data,
            "sexual_abuse": self.sexual_abuse.data,
            "guardian_is_suspect": self.guardian_is_suspect.data,
            "guardian_notified_at": self.guardian_notified_at.data,
            "child_safety": self.child_safety.data,
            "urgent": self.urgent.data,
            "description": self.description.data,
            "subject": self.subject.form.person_data(),
            "reporter": {k: v or None for k, v in self.reporter.data.items()},
        }
