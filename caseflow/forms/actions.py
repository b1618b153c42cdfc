"""One small form per action on a case: the page's inline forms and the API's bodies."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields import TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..extensions import db
from ..models import User
from ..vocab import ORG_TYPES, RISK_LEVELS, SITUATIONS, VISIT_METHODS, VISIT_OUTCOMES
from ..workflows.mandatory_report import VERIFIERS
from .base import BaseForm, IntChoicesField, LocalDateTimeField, choices, future, not_future

REQUIRED = _l("This field is required.")


def _text(label, required=True, max_len=5000):
    validators = [DataRequired(REQUIRED)] if required else [Optional()]
    return TextAreaField(label, [*validators, Length(max=max_len)])


class ActionForm(BaseForm):
    """Every change to a case carries the version the user saw (optimistic locking)."""

    version = IntegerField(_l("Version"), [InputRequired(REQUIRED)])

    def setup(self, actor, case):
        return self

    def to_data(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


class CommentForm(ActionForm):
    comment = _text(_l("Comment"), required=False)


class TransferForm(ActionForm):
    to_org = SelectField(_l("Transfer to"), [InputRequired(REQUIRED)], coerce=int, choices=[])
    reason = _text(_l("Reason for the transfer"))

    def setup(self, actor, case):
        from ..services.mandatory_report import intake_orgs_for

        self.to_org.choices = choices(
            (o.id, o.name) for o in intake_orgs_for(case.jurisdiction) if o.id != case.owner_org_id
        )
        return self


class StartVerificationForm(ActionForm):
    verifier = SelectField(_l("Verifier"), [InputRequired(REQUIRED)], coerce=int, choices=[])
    comment = _text(_l("Comment"), required=False)

    def setup(self, actor, case):
        users = db.session.scalars(
            db.select(User).where(User.role.in_(VERIFIERS), User.active).order_by(User.id)
        )
        self.verifier.choices = choices(
            (u.id, f"{u.display_name}（{u.organisation.name}）")
            for u in users
            if u.organisation.jurisdiction.contains(case.jurisdiction)
        )
        return self


class VerifyForm(ActionForm):
    findings = _text(_l("Findings"))
    risk_level = SelectField(
        _l("Risk level"), [InputRequired(REQUIRED)], choices=choices(RISK_LEVELS)
    )
    confirmed_situations = IntChoicesField(_l("Confirmed situations"), choices=choices(SITUATIONS))


class ReasonForm(ActionForm):
    reason = _text(_l("Reason"))


class ReferForm(ActionForm):
    to_orgs = IntChoicesField(_l("Refer to"), [DataRequired(REQUIRED)], choices=[])
    reason = _text(_l("Reason for the referral"))
    due_at = LocalDateTimeField(_l("Answer expected by"), [Optional(), future])

    def setup(self, actor, case):
        from ..services import directory

        # The service directory: active units taking referrals, those serving the case's
        # place first; the page groups them by type and searches them (referral_picker.js).
        self.to_orgs.picker = directory.groups(actor, case)
        self.to_orgs.choices = choices(
            (u["org"].id, f"{u['org'].name}（{ORG_TYPES.get(u['org'].type, u['org'].type)}）")
            for g in self.to_orgs.picker
            for u in g["units"]
        )
        return self


class StartFollowUpForm(ActionForm):
    first_visit_due = LocalDateTimeField(_l("First visit due"), [Optional(), future])
    comment = _text(_l("Visit plan"), required=False)


class SummaryForm(ActionForm):
    summary = _text(_l("Summary of the case"))


class FeedbackForm(ActionForm):
    feedback = _text(_l("Feedback to the reporting unit"))


# (case type, trigger) → form. The initial trigger has its own, bigger form.
ACTION_FORMS = {
    ("mandatory_report", "accept"): CommentForm,
    ("mandatory_report", "transfer"): TransferForm,
    ("mandatory_report", "start_verification"): StartVerificationForm,
    ("mandatory_report", "verify"): VerifyForm,
    ("mandatory_report", "mark_unfounded"): ReasonForm,
    ("mandatory_report", "refer"): ReferForm,
    ("mandatory_report", "start_follow_up"): StartFollowUpForm,
    ("mandatory_report", "request_closure"): SummaryForm,
    ("mandatory_report", "approve_closure"): CommentForm,
    ("mandatory_report", "reject_closure"): ReasonForm,
    ("mandatory_report", "reopen"): ReasonForm,
    ("mandatory_report", "send_feedback"): FeedbackForm,
}


class VisitForm(ActionForm):
    done_at = LocalDateTimeField(_l("Visited at"), [InputRequired(REQUIRED), not_future])
    method = SelectField(_l("Method"), [InputRequired(REQUIRED)], choices=choices(VISIT_METHODS))
    outcome = SelectField(_l("Outcome"), [InputRequired(REQUIRED)], choices=choices(VISIT_OUTCOMES))
    notes = _text(_l("Notes"), required=False)
    next_due = LocalDateTimeField(_l("Next visit due"), [Optional(), future])


class ReferralForm(ReferForm):
    """A referral added to an open case outside the `refer` step."""


class ReferralAnswerForm(BaseForm):
    reason = _text(_l("Reason"), required=False)
    outcome = _text(_l("Outcome"), required=False)


class TokenForm(BaseForm):
    username = StringField(_l("Username"), [DataRequired(REQUIRED), Length(max=64)])
    password = StringField(_l("Password"), [DataRequired(REQUIRED), Length(max=200)])
