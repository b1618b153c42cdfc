"""The legal-aid referral and its actions (workflows.md §4; 法律援助法 Art. 32, 41, 43, 44)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FormField, IntegerField, SelectField, StringField
from wtforms.fields import TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..vocab import LEGAL_MATTERS, MEANS_EXEMPTIONS, SPECIAL_PROTECTION
from .actions import (
    REQUIRED,
    ActionForm,
    CommentForm,
    ReasonForm,
    SummaryForm,
    _text,
)
from .base import ChoicesField, IsoDateField, LocalDateTimeField, choices, not_future
from .people import IdentityForm, name_field
from .places import PlaceForm


class AidApplicantForm(IdentityForm):
    name = name_field(_l("Applicant's name"))


class LegalAidForm(PlaceForm):
    source_case_id = IntegerField(_l("Referred from case"), [Optional()])
    subject = FormField(AidApplicantForm, label=_l("The applicant"))
    matter = SelectField(_l("Matter"), [InputRequired(REQUIRED)], choices=choices(LEGAL_MATTERS))
    description = TextAreaField(
        _l("What help is needed"), [DataRequired(REQUIRED), Length(max=5000)]
    )
    # No `Optional()` on the select: the means questions depend on it being seen empty.
    means_test_exempt_reason = SelectField(
        _l("No means test (法律援助法 Art. 32 (4))"),
        [],
        choices=choices({"": _l("Not exempt: answer the means questions"), **MEANS_EXEMPTIONS}),
        default="",
    )
    household_size = IntegerField(
        _l("People in the household"), [Optional(), NumberRange(min=1, max=50)]
    )
    monthly_income = IntegerField(
        _l("Income per person per month (yuan)"), [Optional(), NumberRange(min=0, max=10**7)]
    )
    honesty_undertaking = BooleanField(
        _l("The applicant states the means truthfully (诚信承诺, Art. 41)")
    )
    urgent_pre_provision = BooleanField(_l("Ask for urgent provision (先行提供, Art. 44)"))
    procedural_deadline = IsoDateField(_l("Limitation or procedural deadline"), [Optional()])
    special_protection = ChoicesField(_l("Special protection"), choices=choices(SPECIAL_PROTECTION))
    urgent = BooleanField(_l("Urgent"))

    def validate(self, extra_validators=None):
        # Checked here, not per field: Optional() would stop a field's own check when empty.
        ok = super().validate(extra_validators)
        if not self.means_test_exempt_reason.data:
            for field in (self.household_size, self.monthly_income):
                if field.data is None and not field.errors:
                    field.errors = [_l("Answer the means questions, or choose an exemption.")]
                    ok = False
        return ok

    def validate_honesty_undertaking(self, field):
        if not self.means_test_exempt_reason.data and not field.data:
            raise ValidationError(_l("The applicant's honesty undertaking is needed (Art. 41)."))

    def to_data(self) -> dict:
        return {
            "jurisdiction_id": self.jurisdiction_id(),
            "source_case_id": self.source_case_id.data,
            "subject": self.subject.form.person_data(),
            "matter": self.matter.data,
            "description": self.description.data,
            "means_test_exempt_reason": self.means_test_exempt_reason.data or None,
            "household_size": self.household_size.data,
            "monthly_income": self.monthly_income.data,
            "honesty_undertaking": self.honesty_undertaking.data,
            "urgent_pre_provision": self.urgent_pre_provision.data,
            "procedural_deadline": self.procedural_deadline.data,
            "special_protection": self.special_protection.data or [],
            "urgent": self.urgent.data,
        }


def _when(label):
    return LocalDateTimeField(label, [Optional(), not_future])


class ReceiveForm(ActionForm):
    received_at = _when(_l("Application received at"))
    comment = _text(_l("Comment"), required=False)


class MaterialsForm(ActionForm):
    materials = _text(_l("What is missing (one complete list)"))


class SupplyForm(ActionForm):
    supplied_at = _when(_l("Materials supplied at"))
    comment = _text(_l("Comment"), required=False)


class DenyForm(ActionForm):
    reason = _text(_l("Written reasons for the denial"))


class ObjectionForm(ActionForm):
    lodged_at = _when(_l("Objection received at"))
    reason = _text(_l("Grounds of the objection"))


class AssignForm(ActionForm):
    lawyer_name = StringField(_l("Lawyer"), [DataRequired(REQUIRED), Length(max=100)])
    law_firm = StringField(_l("Law firm"), [DataRequired(REQUIRED), Length(max=200)])
    comment = _text(_l("Comment"), required=False)


class ConcludeForm(ActionForm):
    outcome = _text(_l("Outcome"))


ACTION_FORMS_LEGAL_AID = {
    ("legal_aid", "receive_application"): ReceiveForm,
    ("legal_aid", "request_materials"): MaterialsForm,
    ("legal_aid", "supply_materials"): SupplyForm,
    ("legal_aid", "withdraw"): ReasonForm,
    ("legal_aid", "grant"): CommentForm,
    ("legal_aid", "deny"): DenyForm,
    ("legal_aid", "file_objection"): ObjectionForm,
    ("legal_aid", "uphold_denial"): ReasonForm,
    ("legal_aid", "assign_lawyer"): AssignForm,
    ("legal_aid", "conclude"): ConcludeForm,
    ("legal_aid", "request_closure"): SummaryForm,
    ("legal_aid", "approve_closure"): CommentForm,
    ("legal_aid", "reject_closure"): ReasonForm,
}
