from .actions import ACTION_FORMS, ReferralAnswerForm, ReferralForm, TokenForm, VisitForm
from .base import BadShape, UnknownFields, flat_errors, from_json
from .mandatory_report import MandatoryReportForm

# The creation form of each case type.
CREATE_FORMS = {"mandatory_report": MandatoryReportForm}

__all__ = [
    "ACTION_FORMS",
    "CREATE_FORMS",
    "BadShape",
    "ReferralAnswerForm",
    "ReferralForm",
    "TokenForm",
    "UnknownFields",
    "VisitForm",
    "flat_errors",
    "from_json",
]
