from .actions import ACTION_FORMS, ReferralAnswerForm, ReferralForm, TokenForm, VisitForm
from .base import BadShape, UnknownFields, flat_errors, from_json
from .domestic_violence import ACTION_FORMS_DV, DvIncidentForm, ProtectionOrderForm
from .hotline import CallbackDoneForm, HotlineCallForm
from .legal_aid import ACTION_FORMS_LEGAL_AID, LegalAidForm
from .mandatory_report import MandatoryReportForm
from .police import ACTION_FORMS_POLICE

ACTION_FORMS.update(ACTION_FORMS_DV)
ACTION_FORMS.update(ACTION_FORMS_LEGAL_AID)
ACTION_FORMS.update(ACTION_FORMS_POLICE)

# The creation form of each case type.
CREATE_FORMS = {
    "mandatory_report": MandatoryReportForm,
    "dv_warning": DvIncidentForm,
    "protection_order": ProtectionOrderForm,
    "legal_aid": LegalAidForm,
}

__all__ = [
    "ACTION_FORMS",
    "CREATE_FORMS",
    "BadShape",
    "CallbackDoneForm",
    "HotlineCallForm",
    "ReferralAnswerForm",
    "ReferralForm",
    "TokenForm",
    "UnknownFields",
    "VisitForm",
    "flat_errors",
    "from_json",
]
