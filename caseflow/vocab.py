"""The controlled vocabularies of caseflow (shared/domain/workflows.md), with their labels.

Codes are what the database and the API store; labels are what people read.
Labels are English msgids translated to Chinese in translations/zh_Hans_CN.
"""

from flask_babel import lazy_gettext as _l

ROLES = {
    "child_director": _l("Child director (village)"),
    "child_supervisor": _l("Child supervisor (township)"),
    "civil_affairs": _l("Civil affairs"),
    "police": _l("Police"),
    "court_liaison": _l("Court liaison"),
    "legal_aid": _l("Legal-aid centre"),
    "hotline": _l("12338 hotline"),
    "womens_federation": _l("Women's federation"),
    "supervisor": _l("Supervisor"),
    "statistician": _l("Statistician"),
    "admin": _l("Administrator"),
}

JURISDICTION_LEVELS = {
    "county": _l("County / district"),
    "township": _l("Township / sub-district"),
    "village": _l("Village / community"),
}

ORG_TYPES = {
    "police_station": _l("Police station"),
    "police_bureau": _l("Public security bureau"),
    "civil_affairs": _l("Civil affairs bureau"),
    "court": _l("Court"),
    "procuratorate": _l("Procuratorate"),
    "legal_aid_centre": _l("Legal-aid centre"),
    "justice_bureau": _l("Justice bureau"),
    "womens_federation": _l("Women's federation"),
    "education_bureau": _l("Education bureau"),
    "health_bureau": _l("Health commission"),
    "school": _l("School"),
    "kindergarten": _l("Kindergarten"),
    "hospital": _l("Medical institution"),
    "village_committee": _l("Village / residents' committee"),
    "township_government": _l("Township government"),
    "social_work": _l("Social-work agency"),
    "relief_agency": _l("Relief agency"),
    "welfare_institution": _l("Child welfare institution"),
    "shelter": _l("Shelter"),
    "hotel": _l("Hotel"),
    "hotline_centre": _l("Hotline centre"),
    "working_committee": _l("Women and children working committee"),
    "other": _l("Other"),
}

# Organisations that receive mandatory reports (强制报告意见 Art. 2; 未保法 Art. 11 ¶2).
INTAKE_ORG_TYPES = ("police_station", "police_bureau", "civil_affairs")

# Mandatory reporters (强制报告意见 Art. 3; 未保法 Art. 130).
REPORTER_ORG_TYPES = (
    "village_committee",
    "school",
    "kindergarten",
    "hospital",
    "social_work",
    "relief_agency",
    "welfare_institution",
    "hotel",
    "other",
)

SEXES = {"F": _l("Female"), "M": _l("Male")}

RISK_LEVELS = {
    "low": _l("Low"),
    "medium": _l("Medium"),
    "high": _l("High"),
    "critical": _l("Critical"),
}

SPECIAL_PROTECTION = {
    "minor": _l("Minor"),
    "elderly": _l("Elderly"),
    "disabled": _l("Disabled"),
    "pregnant": _l("Pregnant or breastfeeding"),
    "seriously_ill": _l("Seriously ill"),
}

PERSON_ROLES = {
    "subject": _l("Subject"),
    "reporter": _l("Reporter"),
    "guardian": _l("Guardian"),
    "abuser": _l("Suspected abuser"),
    "applicant": _l("Applicant"),
    "respondent": _l("Respondent"),
}

# 强制报告意见 Art. 4: the nine situations that must be reported. Any one makes the report urgent.
SITUATIONS = {
    1: _l("Genitals or private parts injured, or suspected to be, abnormally"),
    2: _l("A girl under 14 sexually abused, pregnant or having had an abortion, or suspected to"),
    3: _l(
        "A girl of 14 or over pregnant or having had an abortion due to (suspected) sexual abuse"
    ),
    4: _l(
        "Multiple injuries, severe malnutrition or unconsciousness, with (suspected) domestic "
        "violence, bullying, abuse, beating or drugging"
    ),
    5: _l(
        "Disability or death from suicide, self-harm, work injury, poisoning, drugging, beating "
        "or other abnormal causes"
    ),
    6: _l("Abandoned or left without care for a long time"),
    7: _l("Of unknown origin, missing, trafficked or bought"),
    8: _l("Organised into begging"),
    9: _l("Other serious harm to body or mind, or in present danger of unlawful harm"),
}

CHILD_SAFETY = {
    "safe": _l("Safe for now"),
    "unsafe": _l("Not safe"),
    "unknown": _l("Unknown"),
}

REFERRAL_STATUSES = {
    "sent": _l("Sent"),
    "accepted": _l("Accepted"),
    "completed": _l("Completed"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
}

DEADLINE_STATUSES = {
    "open": _l("Open"),
    "met": _l("Met"),
    "missed": _l("Missed"),
    "waived": _l("Waived"),
}

VISIT_METHODS = {
    "home": _l("Home visit"),
    "phone": _l("Phone"),
    "school": _l("At school"),
    "office": _l("At the office"),
}

VISIT_OUTCOMES = {
    "safe": _l("Safe"),
    "concern": _l("Concern"),
    "escalate": _l("Escalate"),
    "unreachable": _l("Unreachable"),
}


def label(vocabulary: dict, code) -> str:
    """The label of a code, or the code itself if it is not (or no longer) in the vocabulary."""
    value = vocabulary.get(code)
    return str(value) if value is not None else str(code)


DEADLINE_KINDS = {
    "report_late": _l("Report made in time"),
    "accept_due": _l("Acceptance"),
    "verify_due": _l("Verification"),
    "feedback_due": _l("Feedback to the reporting unit"),
    "visit_due": _l("Follow-up visit"),
    "referral_due": _l("Answer to a referral"),
}

# Timeline entries that are not workflow steps.
EVENT_LABELS = {
    "visit_recorded": _l("Visit recorded"),
    "referral_sent": _l("Referral sent"),
    "referral_accepted": _l("Referral accepted"),
    "referral_declined": _l("Referral declined"),
    "referral_completed": _l("Referral completed"),
    "referral_withdrawn": _l("Referral withdrawn"),
}
