"""Errors a service raises for a request it refuses. Views turn them into pages or JSON.

Each carries a stable `code` (the API's error code), an HTTP status and a message that is
translated when shown (Chinese first).
"""

from flask_babel import lazy_gettext as _l


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message=None, fields: dict | None = None):
        super().__init__(str(message or self.default_message))
        self.message = message or self.default_message
        self.fields = fields or {}

    default_message = _l("The request could not be carried out.")


class NotFound(ServiceError):
    status, code = 404, "not_found"
    default_message = _l("Not found, or not in your scope.")


class Forbidden(ServiceError):
    status, code = 403, "forbidden"
    default_message = _l("You may not do this on this case.")


class VersionConflict(ServiceError):
    status, code = 409, "version_conflict"
    default_message = _l(
        "This case was changed by someone else while you were looking at it. "
        "Reload the page and try again; nothing was saved."
    )


class InvalidTransitionError(ServiceError):
    status, code = 409, "invalid_transition"
    default_message = _l("This action is not possible in the case's current state.")


class ValidationFailed(ServiceError):
    status, code = 422, "validation_failed"
    default_message = _l("Some fields are missing or invalid.")


# Why a guard refused, in words for people.
GUARD_MESSAGES = {
    "not_owner": _l("Only the unit handling this case may do this."),
    "not_verifier": _l("Only the verifier assigned to this case may record the verification."),
    "self_approval": _l("The closure must be approved by someone other than who requested it."),
    "role": _l("Your role may not do this."),
    "abuser_identity": _l("A warning letter needs the abuser's identity: record the name first."),
    "not_the_court": _l("Only the court the application was filed with may do this."),
    "already_reconsidered": _l("Reconsideration may be requested only once (Art. 31)."),
    "window_closed": _l("The 5-day window for reconsideration has closed (反家庭暴力法 Art. 31)."),
    "rejection_not_served": _l(
        "Record the service of the rejection first: the 5-day window for reconsideration runs "
        "from service (反家庭暴力法 Art. 31)."
    ),
    "rejection_already_served": _l("The service of the rejection is already recorded."),
    "respondent_review_requested": _l(
        "The respondent may apply for reconsideration only once (反家庭暴力法 Art. 31)."
    ),
    "no_respondent_review": _l("No reconsideration application of the respondent is pending."),
    "order_expired": _l("The order has expired: it can no longer be extended or changed."),
    "not_yet_expired": _l("The order has not expired yet."),
    "not_justice_bureau": _l(
        "Objections are decided by the justice bureau that set up the legal-aid centre "
        "(法律援助法 Art. 49)."
    ),
    "materials_already_requested": _l(
        "Missing materials are requested once, in one list (法律援助法 Art. 43)."
    ),
    "not_applicant_side": _l("Only the referring unit or the legal-aid centre may do this."),
    # Police periods D7 and D9 (caseflow/workflows/police.py).
    "no_penalty_case": _l("There is no public-order case awaiting a decision."),
    "already_extended": _l("The period may be extended once only, with approval."),
    "no_notice_due": _l("There is no decision not to open a case whose notice is due."),
    "notice_not_served": _l("Record the service of the notice of not opening a case first."),
    "police_review_once": _l(
        "Reconsideration of not opening a case is applied for once (公安机关办理刑事案件程序规定 "
        "Art. 179)."
    ),
    "no_review_pending": _l("No reconsideration is awaiting a decision."),
    "not_police_verification": _l("Only a verification by the police can be extended this way."),
}

# Guards about time or the case's history answer 409 (the action is not possible now,
# whoever asks); a missing fact answers 422; every other refusal is about who asks (403).
_NOT_NOW = frozenset(
    {
        "already_reconsidered",
        "window_closed",
        "rejection_not_served",
        "rejection_already_served",
        "respondent_review_requested",
        "no_respondent_review",
        "order_expired",
        "not_yet_expired",
        "materials_already_requested",
        "no_penalty_case",
        "already_extended",
        "no_notice_due",
        "notice_not_served",
        "police_review_once",
        "no_review_pending",
        "not_police_verification",
    }
)
_MISSING = frozenset({"abuser_identity"})


def refusal_error(reason: str) -> ServiceError:
    """The error to raise when a workflow guard refuses, by the guard's reason."""
    message = GUARD_MESSAGES.get(reason)
    if reason in _NOT_NOW:
        return InvalidTransitionError(message)
    if reason in _MISSING:
        return ValidationFailed(message)
    return Forbidden(message)
