"""The mandatory-report form: short enough for a child director on a phone."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FormField, IntegerField, SelectField, StringField
from wtforms.fields import TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..extensions import db
from ..models import Jurisdiction
from ..vocab import CHILD_SAFETY, ORG_TYPES, REPORTER_ORG_TYPES, SEXES, SITUATIONS
from .base import (
    BaseForm,
    IntChoicesField,
    IsoDateField,
    LocalDateTimeField,
    SubForm,
    choices,
    id_number,
    normalise_id_number,
    normalise_phone,
    not_future,
    phone,
)

REQUIRED = _l("This field is required.")


class ChildForm(SubForm):
    name = StringField(_l("Child's name"), [DataRequired(REQUIRED), Length(max=100)])
    sex = SelectField(_l("Sex"), [InputRequired(REQUIRED)], choices=choices(SEXES))
    birth_date = IsoDateField(_l("Date of birth"), [Optional(), not_future])
    id_number = StringField(
        _l("ID number"), [Optional(), Length(max=18), id_number], filters=[normalise_id_number]
    )
    phone = StringField(_l("Phone"), [Optional(), Length(max=20), phone], filters=[normalise_phone])
    address = StringField(_l("Address"), [Optional(), Length(max=200)])
    school = StringField(_l("School"), [Optional(), Length(max=100)])

    def validate_birth_date(self, field):
        # The ID number already holds the birth date; the two must agree.
        number = self.id_number.data
        if field.data and number and len(number) == 18 and number[6:14].isdigit():
            if field.data.strftime("%Y%m%d") != number[6:14]:
                from wtforms.validators import ValidationError

                raise ValidationError(_l("The date of birth does not match the ID number."))


class ReporterForm(SubForm):
    name = StringField(_l("Reporter's name"), [Optional(), Length(max=100)])
    phone = StringField(
        _l("Reporter's phone"), [Optional(), Length(max=20), phone], filters=[normalise_phone]
    )
    organisation_name = StringField(_l("Reporting unit"), [Optional(), Length(max=200)])


class MandatoryReportForm(BaseForm):
    jurisdiction = SelectField(_l("Village / community"), [InputRequired(REQUIRED)], choices=[])
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

    def setup(self, actor):
        """Choices depend on who is reporting: the villages of their area."""
        base = actor.organisation.jurisdiction
        villages = db.session.scalars(
            db.select(Jurisdiction)
            .where(Jurisdiction.level == "village", Jurisdiction.path.startswith(base.path))
            .order_by(Jurisdiction.path)
        ).all()
        self.jurisdiction.choices = choices((v.code, v.full_name) for v in villages)
        if not self.jurisdiction.data and len(villages) == 1:
            self.jurisdiction.data = villages[0].code
        return self

    def to_data(self) -> dict:
        jurisdiction = db.session.scalar(
            db.select(Jurisdiction).where(Jurisdiction.code == self.jurisdiction.data)
        )
        return {
            "jurisdiction_id": jurisdiction.id,
            "intake_org_id": self.intake_org.data,
            "reporter_org_type": self.reporter_org_type.data,
            "discovered_at": self.discovered_at.data,
            "situation_codes": self.situation_codes.data or [],
            "ongoing_danger": self.ongoing_danger.data,
            "guardian_is_suspect": self.guardian_is_suspect.data,
            "child_safety": self.child_safety.data,
            "urgent": self.urgent.data,
            "description": self.description.data,
            "subject": {k: v or None for k, v in self.subject.data.items()},
            "reporter": {k: v or None for k, v in self.reporter.data.items()},
        }
