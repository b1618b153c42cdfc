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
}
