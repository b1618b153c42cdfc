"""Forms of the two domestic-violence case types: the police call log, the protection-order
application, and one small form per action (workflows.md §2–3).

Times typed here are the legal moments (acceptance, ruling, service); the services check
their order against each other and the law (Art. 28, 30, 31, 32).
"""

from datetime import date

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

from ..extensions import db
from ..models import Organisation
from ..vocab import (
    COURT_BASES,
    DV_OUTCOMES,
    DV_RELATIONS,
    ESCALATION_OUTCOMES,
    INJURY_LEVELS,
    PO_APPLICANT_ROLES,
    PO_EVIDENCE,
    PO_MEASURES,
    PO_REVIEW_OUTCOMES,
    PROXY_REASONS,
    SPECIAL_PROTECTION,
    VIOLENCE_FORMS,
)
from .actions import (
    REQUIRED,
    ActionForm,
    CommentForm,
    ReasonForm,
    StartFollowUpForm,
    SummaryForm,
    _text,
)
from .base import (
    ChoicesField,
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
from .people import IdentityForm, OptionalSexIdentityForm, name_field
from .places import PlaceForm


def _when(label, required=True):
    validators = [InputRequired(REQUIRED)] if required else [Optional()]
    return LocalDateTimeField(label, [*validators, not_future])


def _relation(label=None, required=True):
    # No relation is pre-selected: the first of the list (spouse) is not a default fact.
    empty = _l("Choose…") if required else "—"
    return SelectField(
        label or _l("Relation to the victim"),
        [InputRequired(REQUIRED) if required else Optional()],
        choices=choices({"": empty, **DV_RELATIONS}),
        default="",
    )


class VictimForm(IdentityForm):
    name = name_field(_l("Victim's name"))


class AbuserForm(OptionalSexIdentityForm):
    name = name_field(_l("Abuser's name"))
    relation = _relation()


class RespondentForm(OptionalSexIdentityForm):
    # Optional while drafting; `file` requires it (Art. 27 (1)).
    name = name_field(_l("Respondent's name"), required=False)
    relation = _relation(required=False)


class ApplicantForm(SubForm):
    """A proxy applicant (Art. 23 ¶2): a relative or a unit acting for the victim."""

    name = name_field(_l("Applicant's name or unit"), required=False)
    relation = StringField(_l("Relation to the victim"), [Optional(), Length(max=50)])
    phone = StringField(
        _l("Applicant's phone"), [Optional(), Length(max=20), phone], filters=[normalise_phone]
    )


def _special_protection():
    return ChoicesField(
        _l("Special protection (反家庭暴力法 Art. 5)"), choices=choices(SPECIAL_PROTECTION)
    )


class DvIncidentForm(PlaceForm):
    """A DV call as the police log it (反家庭暴力法 Art. 15; 法释〔2022〕17号 Art. 3)."""

    call_at = _when(_l("Call received at"))
    attended_at = _when(_l("Police attended at"), required=False)
    location = StringField(_l("Where it happened"), [Optional(), Length(max=200)])
    subject = FormField(VictimForm, label=_l("The victim"))
    abuser = FormField(AbuserForm, label=_l("The abuser"))
    violence_forms = ChoicesField(
        _l("Forms of violence"), [DataRequired(REQUIRED)], choices=choices(VIOLENCE_FORMS)
    )
    injury_level = SelectField(
        _l("Injuries"), choices=choices(INJURY_LEVELS), default="unknown", validators=[Optional()]
    )
    injuries = TextAreaField(_l("Injuries: details"), [Optional(), Length(max=2000)])
    minors_present = BooleanField(_l("Minors were present"))
    minors_witnessed = BooleanField(_l("Minors witnessed the violence"))
    prior_incidents = IntegerField(
        _l("Earlier incidents known"), [Optional(), NumberRange(min=0, max=999)], default=0
    )
    special_protection = _special_protection()
    urgent = BooleanField(_l("Urgent"))
    description = TextAreaField(_l("What happened"), [DataRequired(REQUIRED), Length(max=5000)])

    def validate_attended_at(self, field):
        if field.data and self.call_at.data and field.data < self.call_at.data:
            raise ValidationError(_l("Attendance cannot be before the call."))

    def to_data(self) -> dict:
        return {
            "jurisdiction_id": self.jurisdiction_id(),
            "call_at": self.call_at.data,
            "attended_at": self.attended_at.data,
            "location": self.location.data or None,
            "subject": self.subject.form.person_data(),
            "abuser": self.abuser.form.person_data(),
            "violence_forms": self.violence_forms.data,
            "injury_level": self.injury_level.data or "unknown",
            "injuries": self.injuries.data or "",
            "minors_present": self.minors_present.data,
            "minors_witnessed": self.minors_witnessed.data,
            "prior_incidents": self.prior_incidents.data or 0,
            "special_protection": self.special_protection.data or [],
            "urgent": self.urgent.data,
            "description": self.description.data,
        }


def court_choices():
    courts = db.session.scalars(
        db.select(Organisation).where(Organisation.type == "court").order_by(Organisation.id)
    )
    return choices((c.id, c.name) for c in courts)


class ApplicationFields:
    """The parts of a protection-order application that `draft` takes and `file` completes."""

    respondent = FormField(RespondentForm, label=_l("The respondent"))
    measures = ChoicesField(_l("Measures requested (Art. 29)"), choices=choices(PO_MEASURES))
    measures_other = TextAreaField(_l("Other measures: details"), [Optional(), Length(max=2000)])
    evidence = ChoicesField(_l("Evidence (法释 Art. 6)"), choices=choices(PO_EVIDENCE))
    court = SelectField(_l("Court"), [Optional()], coerce=int, choices=[], default=0)
    court_basis = SelectField(
        _l("Why this court (Art. 25)"),
        [Optional()],
        choices=choices({"": "—", **COURT_BASES}),
        default="",
    )
    victim_wishes_confirmed = BooleanField(
        _l("A proxy applies on the victim's wishes, and the victim agrees")
    )

    def setup_court(self):
        self.court.choices = choices([(0, "—"), *[(c.value, c.label) for c in court_choices()]])

    def application_data(self) -> dict:
        return {
            "respondent": self.respondent.form.person_data(),
            "measures": self.measures.data or [],
            "measures_other": self.measures_other.data or None,
            "evidence": self.evidence.data or [],
            "court_id": self.court.data or None,
            "court_basis": self.court_basis.data or None,
            "victim_wishes_confirmed": self.victim_wishes_confirmed.data,
        }


class ProtectionOrderForm(ApplicationFields, PlaceForm):
    """The application (反家庭暴力法 Art. 23–27). Only the victim and the facts are needed to
    start a draft; `file` checks the rest."""

    source_case = IntegerField(_l("Started from case"), [Optional()])
    subject = FormField(VictimForm, label=_l("The victim"))
    applicant_role = SelectField(
        _l("Who applies"),
        [InputRequired(REQUIRED)],
        choices=choices(PO_APPLICANT_ROLES),
        default="victim",
    )
    # No Optional(): it would stop the chain before validate_proxy_reason sees the gap.
    proxy_reason = SelectField(
        _l("Why the victim cannot apply in person"),
        [],
        choices=choices({"": "—", **PROXY_REASONS}),
        default="",
    )
    applicant = FormField(ApplicantForm, label=_l("The proxy applicant"))
    oral_application = BooleanField(_l("Oral application, recorded by the court (Art. 24)"))
    special_protection = _special_protection()
    # A request only: the court decides urgency when it accepts (Art. 28).
    urgent = BooleanField(
        _l("Ask the court to treat it as urgent (ruling within 24 hours, Art. 28)")
    )
    # A draft may start before the facts are written down; `file` requires facts or evidence.
    description = TextAreaField(
        _l("Facts of the violence or the danger"), [Optional(), Length(max=5000)]
    )

    def setup(self, actor):
        super().setup(actor)
        self.setup_court()
        return self

    def validate_proxy_reason(self, field):
        if self.applicant_role.data not in (None, "", "victim") and not field.data:
            raise ValidationError(_l("Say why the victim cannot apply in person."))

    def to_data(self) -> dict:
        return {
            "jurisdiction_id": self.jurisdiction_id(),
            "source_case_id": self.source_case.data,
            "subject": self.subject.form.person_data(),
            "applicant_role": self.applicant_role.data,
            "proxy_reason": self.proxy_reason.data or None,
            "applicant": {k: v or None for k, v in self.applicant.data.items()},
            "oral_application": self.oral_application.data,
            "special_protection": self.special_protection.data or [],
            "urgent": self.urgent.data,
            "description": self.description.data,
            **self.application_data(),
        }


# --- actions on a DV call ------------------------------------------------------------


class CriticizeForm(ActionForm):
    victim_informed = BooleanField(
        _l("The victim was told a warning letter (告诫书) can be requested"),
        [DataRequired(_l("Tell the victim a warning letter can be requested, then tick this."))],
    )
    comment = _text(_l("What was said"), required=False)


class IssueWarningForm(ActionForm):
    warning_number = StringField(
        _l("Warning letter number"), [DataRequired(REQUIRED), Length(max=64)]
    )
    issued_at = _when(_l("Issued at"))
    facts = _text(_l("Facts of the domestic violence"))
    prohibition = _text(_l("Prohibition"))
    abuser_id_number = StringField(
        _l("Abuser's ID number"),
        [Optional(), Length(max=18), id_number],
        filters=[normalise_id_number],
    )
    abuser_address = StringField(_l("Abuser's address"), [Optional(), Length(max=200)])

    def setup(self, actor, case):
        if not self.prohibition.data:
            self.prohibition.data = str(
                _l(
                    "The abuser is prohibited from committing domestic violence against the "
                    "victim. Further violence will be dealt with according to law."
                )
            )
        return self


class EscalateForm(ActionForm):
    outcome = SelectField(
        _l("Outcome"),
        [InputRequired(REQUIRED)],
        choices=choices((code, DV_OUTCOMES[code]) for code in ESCALATION_OUTCOMES),
    )
    decided_at = _when(_l("Decided at"))
    detail = _text(_l("Decision or case number, and what was decided"))


class DeliverForm(ActionForm):
    delivered_abuser_at = _when(_l("Delivered to the abuser at"))
    delivered_victim_at = _when(_l("Delivered to the victim at"))
    committee_notified_at = _when(_l("Residents' / villagers' committee notified at"))
    committee_name = StringField(
        _l("Committee notified"), [DataRequired(REQUIRED), Length(max=200)]
    )


class RecordRepeatForm(ActionForm):
    occurred_at = _when(_l("Repeat violence happened at"))
    description = _text(_l("What happened"))
    outcome = SelectField(
        _l("Outcome"),
        [Optional()],
        choices=choices({"": _l("Not decided yet"), **DV_OUTCOMES}),
        default="",
    )


# --- actions on a protection order --------------------------------------------------


class FileForm(ApplicationFields, ActionForm):
    """Filing completes the draft: what is sent here replaces the draft's values."""

    filed_at = _when(_l("Filed at"), required=False)
    facts = _text(_l("Facts of the violence or the danger"), required=False)

    def setup(self, actor, case):
        self.setup_court()
        if self.version.raw_data is None:  # shown, not submitted: start from the draft
            self._prefill(case)
        return self

    def _prefill(self, case):
        order = case.protection_order
        respondent = case.person("respondent")
        if respondent is not None:
            for name in ("name", "sex", "id_number", "phone", "address"):
                self.respondent.form[name].data = getattr(respondent, name) or ""
            self.respondent.form.birth_date.data = respondent.birth_date
        self.respondent.form.relation.data = order.relation or ""
        self.measures.data = list(order.measures)
        self.measures_other.data = order.measures_other or ""
        self.evidence.data = list(order.evidence)
        self.court.data = order.court_id or 0
        self.court_basis.data = order.court_basis or ""
        self.victim_wishes_confirmed.data = order.victim_wishes_confirmed
        self.facts.data = case.description

    def to_data(self) -> dict:
        return {
            "version": self.version.data,
            "filed_at": self.filed_at.data,
            "facts": self.facts.data or None,
            **self.application_data(),
        }


class CourtAcceptForm(ActionForm):
    accepted_at = _when(_l("Accepted (受理) at"))
    court_case_number = StringField(_l("Court case number"), [Optional(), Length(max=64)])
    # The court's own finding, never pre-ticked: the applicant's request is shown beside it.
    urgent = BooleanField(_l("The court finds it urgent: ruling within 24 hours (Art. 28)"))

    def setup(self, actor, case):
        if case.protection_order.urgency_requested:
            self.urgent.description = _l("The applicant asked for an urgent ruling.")
        return self


class IssueOrderForm(ActionForm):
    order_number = StringField(_l("Order number"), [DataRequired(REQUIRED), Length(max=64)])
    issued_at = _when(_l("Ruling made at"))
    expires_on = IsoDateField(_l("Last day in force"), [InputRequired(REQUIRED)])
    granted_measures = ChoicesField(
        _l("Measures ordered"), [DataRequired(REQUIRED)], choices=choices(PO_MEASURES)
    )
    measures_other = TextAreaField(_l("Other measures: details"), [Optional(), Length(max=2000)])
    comment = _text(_l("Comment"), required=False)

    def setup(self, actor, case):
        if self.version.raw_data is None:
            self.granted_measures.data = list(case.protection_order.measures)
            self.measures_other.data = case.protection_order.measures_other or ""
        return self


class RejectForm(ActionForm):
    ruled_at = _when(_l("Ruling made at"))
    served_at = _when(_l("Ruling served on the applicant at (if already served)"), required=False)
    reason = _text(_l("Reason for the rejection"))


class ServeRejectionForm(ActionForm):
    served_at = _when(_l("Ruling served on the applicant at"))
    comment = _text(_l("Comment"), required=False)


class ReconsiderationForm(ActionForm):
    requested_at = _when(_l("Reconsideration applied for at"))
    reason = _text(_l("Grounds"))


class RespondentReviewForm(ActionForm):
    requested_at = _when(_l("The respondent applied for reconsideration at"))
    reason = _text(_l("The respondent's grounds"))


class DecideReviewForm(ActionForm):
    decided_at = _when(_l("Decided at"))
    outcome = SelectField(
        _l("Decision"),
        [InputRequired(REQUIRED)],
        choices=choices((k, PO_REVIEW_OUTCOMES[k]) for k in ("upheld", "changed")),
    )
    granted_measures = ChoicesField(_l("Measures ordered"), choices=choices(PO_MEASURES))
    measures_other = TextAreaField(_l("Other measures: details"), [Optional(), Length(max=2000)])
    reason = _text(_l("Reasons"))

    def setup(self, actor, case):
        if self.version.raw_data is None:
            self.granted_measures.data = list(case.protection_order.granted_measures)
        return self

    def validate_granted_measures(self, field):
        if self.outcome.data == "changed" and not field.data:
            raise ValidationError(_l("Choose the measures the changed order keeps."))


class UpholdForm(ActionForm):
    decided_at = _when(_l("Decided at"))
    reason = _text(_l("Reason"))


class ServeForm(ActionForm):
    served_applicant_at = _when(_l("Served on the applicant at"))
    served_respondent_at = _when(_l("Served on the respondent at"))
    served_police_at = _when(_l("Served on the police at"))
    police_name = StringField(_l("Police unit served"), [DataRequired(REQUIRED), Length(max=200)])
    served_committee_at = _when(_l("Served on the residents' / villagers' committee at"))
    committee_name = StringField(_l("Committee served"), [DataRequired(REQUIRED), Length(max=200)])


class ExtendForm(ActionForm):
    applied_at = _when(_l("Extension applied for at"))
    decided_at = _when(_l("Decided at"))
    expires_on = IsoDateField(_l("New last day in force"), [InputRequired(REQUIRED)])
    comment = _text(_l("Comment"), required=False)

    def validate_expires_on(self, field):
        # An order is in force to the end of its last day, which must have a day after it
        # (9999-12-31 has none: the service could not compute the end, a server error).
        if field.data is not None and field.data >= date.max:
            raise ValidationError(_l("Not a valid date (e.g. 2015-06-01)."))


class ModifyForm(ActionForm):
    applied_at = _when(_l("Change applied for at"))
    decided_at = _when(_l("Decided at"))
    granted_measures = ChoicesField(
        _l("Measures ordered"), [DataRequired(REQUIRED)], choices=choices(PO_MEASURES)
    )
    measures_other = TextAreaField(_l("Other measures: details"), [Optional(), Length(max=2000)])
    comment = _text(_l("Comment"), required=False)

    def setup(self, actor, case):
        if self.version.raw_data is None:
            self.granted_measures.data = list(case.protection_order.granted_measures)
        return self


class ViolationForm(ActionForm):
    occurred_at = _when(_l("Violation happened at"))
    description = _text(_l("What the respondent did"))
    evidence = _text(_l("Evidence"), required=False)


class RevokeForm(ActionForm):
    decided_at = _when(_l("Decided at"))
    reason = _text(_l("Reason"))


ACTION_FORMS_DV = {
    ("dv_warning", "criticize"): CriticizeForm,
    ("dv_warning", "issue_warning"): IssueWarningForm,
    ("dv_warning", "escalate"): EscalateForm,
    ("dv_warning", "deliver"): DeliverForm,
    ("dv_warning", "start_follow_up"): StartFollowUpForm,
    ("dv_warning", "record_repeat"): RecordRepeatForm,
    ("dv_warning", "request_closure"): SummaryForm,
    ("dv_warning", "approve_closure"): CommentForm,
    ("dv_warning", "reject_closure"): ReasonForm,
    ("dv_warning", "reopen"): ReasonForm,
    ("protection_order", "file"): FileForm,
    ("protection_order", "court_accept"): CourtAcceptForm,
    ("protection_order", "issue_order"): IssueOrderForm,
    ("protection_order", "reject"): RejectForm,
    ("protection_order", "serve_rejection"): ServeRejectionForm,
    ("protection_order", "request_reconsideration"): ReconsiderationForm,
    ("protection_order", "uphold_rejection"): UpholdForm,
    ("protection_order", "serve"): ServeForm,
    ("protection_order", "extend"): ExtendForm,
    ("protection_order", "modify"): ModifyForm,
    ("protection_order", "record_violation"): ViolationForm,
    ("protection_order", "revoke"): RevokeForm,
    ("protection_order", "request_respondent_review"): RespondentReviewForm,
    ("protection_order", "decide_respondent_review"): DecideReviewForm,
    ("protection_order", "revoke_on_review"): RevokeForm,
    ("protection_order", "start_follow_up"): StartFollowUpForm,
    ("protection_order", "request_closure"): SummaryForm,
    ("protection_order", "approve_closure"): CommentForm,
    ("protection_order", "reject_closure"): ReasonForm,
    ("protection_order", "reopen"): ReasonForm,
}
