"""Forms of the police steps with statutory periods (D7, D8, D9; caseflow/workflows/police.py).
Each takes the time the person acted; the services check it against the step before."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from .actions import REQUIRED, ActionForm, _text
from .base import LocalDateTimeField, choices, not_future


def _when(label, required=True):
    validators = [InputRequired(REQUIRED)] if required else [Optional()]
    return LocalDateTimeField(label, [*validators, not_future])


class ExtensionForm(ActionForm):
    """A statutory extension needs the higher organ's approval (Arts. 165, 179)."""

    approved_by = StringField(
        _l("Approved by (higher police organ)"), [DataRequired(REQUIRED), Length(max=200)]
    )
    reason = _text(_l("Why the case is major or complex"))


class DecidePenaltyForm(ActionForm):
    decided_at = _when(_l("Decided at"))
    decision = _text(_l("Decision and its number"))


class ServeNoCaseNoticeForm(ActionForm):
    served_at = _when(_l("Notice served on the complainant at"))
    comment = _text(_l("Comment"), required=False)


class PoliceReviewRequestForm(ActionForm):
    applied_at = _when(_l("Reconsideration applied for at"))
    grounds = _text(_l("Grounds"))


class PoliceReviewDecisionForm(ActionForm):
    decided_at = _when(_l("Decided at"))
    reason = _text(_l("Reason"))


VERIFICATION_PERIOD_CHOICES = {
    "extended": _l("7 days: verification is needed"),
    "complex": _l("30 days: a major, difficult or complex case"),
}


class ExtendVerificationForm(ActionForm):
    period = SelectField(
        _l("New period"), [InputRequired(REQUIRED)], choices=choices(VERIFICATION_PERIOD_CHOICES)
    )
    approved_by = StringField(_l("Approved by"), [Optional(), Length(max=200)])
    reason = _text(_l("Reason"))


ACTION_FORMS_POLICE = {
    ("dv_warning", "decide_penalty"): DecidePenaltyForm,
    ("dv_warning", "extend_penalty_decision"): ExtensionForm,
    ("mandatory_report", "serve_no_case_notice"): ServeNoCaseNoticeForm,
    ("mandatory_report", "request_police_review"): PoliceReviewRequestForm,
    ("mandatory_report", "extend_police_review"): ExtensionForm,
    ("mandatory_report", "uphold_no_case"): PoliceReviewDecisionForm,
    ("mandatory_report", "overturn_no_case"): PoliceReviewDecisionForm,
    ("mandatory_report", "extend_verification"): ExtendVerificationForm,
}
