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
    "data_reporter": _l("Data reporter of a responsible unit"),
    "admin": _l("Administrator"),
    # Staff of a residents' or villagers' committee: notified of warning letters and does
    # 查访 in its place (反家庭暴力法 Art. 17), and may apply for a protection order (Art. 23).
    "committee": _l("Residents' / villagers' committee staff"),
    # Staff of a school, kindergarten, medical, social-work, relief or welfare institution or
    # hotel, reporting harm to children themselves (强制报告意见 Art. 3; 未保法 Art. 11).
    "institution_reporter": _l("Mandatory reporter of an institution"),
    # Staff of a disabled persons' federation, an elderly organisation or a relief agency:
    # they may apply for a protection order for a victim (法释〔2022〕17号 Art. 2).
    "assisting_org": _l(
        "Staff of a disabled persons' federation, elderly organisation or relief agency"
    ),
    "auditor": _l("Auditor (reads the access log)"),
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
    "disabled_federation": _l("Disabled persons' federation"),
    "elderly_organisation": _l("Elderly people's organisation"),
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

# How a mandatory report was made (强制报告意见 Art. 2: to the police or civil affairs, by
# phone, in person or in writing), kept with its time: the act, not its entry.
REPORT_CHANNELS = {
    "system": _l("Entered in this system at once"),
    "phone_110": _l("Phoned to 110"),
    "phone": _l("By phone to the receiving unit"),
    "in_person": _l("In person at the receiving unit"),
    "in_writing": _l("In writing"),
}
# Units whose own staff file mandatory reports (role `institution_reporter`): the close-contact
# institutions of 强制报告意见 Art. 3 and 未保法 Art. 11 ¶2. A report carries its unit's type.
INSTITUTION_REPORTER_ORG_TYPES = (
    "school",
    "kindergarten",
    "hospital",
    "social_work",
    "relief_agency",
    "welfare_institution",
    "hotel",
)
# 未保法 Art. 40: a school or kindergarten reports sexual abuse and harassment to the police
# and to the education bureau.
SCHOOL_ORG_TYPES = ("school", "kindergarten")
# 强制报告意见 Art. 4 situations that are (suspected) sexual abuse.
SEXUAL_ABUSE_SITUATIONS = frozenset({1, 2, 3})

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
    "deliver_due": _l("Delivery of the warning letter"),
    "first_visit_due": _l("First follow-up visit (查访)"),
    "ruling_due": _l("Court ruling on the protection order"),
    "reconsideration_window": _l("Reconsideration may be requested"),
    "respondent_review_window": _l("The respondent may apply for reconsideration"),
    "decision_due": _l("Decision on the legal-aid application"),
    "assign_due": _l("Assignment of a legal-aid lawyer"),
    "objection_decision_due": _l("Decision on the objection"),
    # D7: police decision not to open a case (公安机关办理刑事案件程序规定 Arts. 178–179).
    "no_case_notice_due": _l("Notice of not opening a case served"),
    "police_review_window": _l("Reconsideration of not opening a case may be requested"),
    "police_review_decision_due": _l("Decision on the reconsideration of not opening a case"),
    # D9: a public-order (治安) case decided (公安机关办理行政案件程序规定 Art. 165).
    "penalty_decision_due": _l("Decision on the public-order case"),
    "household_screening_due": _l("Screening visit of a high-risk household"),
}

# Every entry of the rule pack, by name: the deadlines, and the variants and reminders the
# pack keeps beside them (an extended period, a local rule, a reminder before expiry).
# Rule-pack entries that are another length of a deadline kind (an extension, an urgent
# ruling, a local verifier): shown by name on the rules pages, never by their key.
RULE_ENTRIES = {
    "verify_due_extended": _l("Verification, extended (verification needed)"),
    "verify_due_complex": _l("Verification, extended (major or complex case)"),
    "verify_due_local": _l("Verification by civil affairs or the township supervisor"),
    "criticism_visit_due": _l("Visit after criticism and education"),
    "penalty_decision_due_extended": _l("Decision on the public-order case, extended"),
    "police_review_decision_due_extended": _l(
        "Decision on the reconsideration of not opening a case, extended"
    ),
    "ruling_due_urgent": _l("Court ruling on the protection order, urgent"),
    "order_expiry": _l("Reminder before a protection order expires"),
}

# Timeline entries that are not workflow steps.
EVENT_LABELS = {
    "visit_recorded": _l("Visit recorded"),
    "referral_sent": _l("Referral sent"),
    "referral_accepted": _l("Referral accepted"),
    "referral_declined": _l("Referral declined"),
    "referral_completed": _l("Referral completed"),
    "referral_withdrawn": _l("Referral withdrawn"),
    "order_started": _l("Protection-order application started from this case"),
    "legal_aid_started": _l("Referred to legal aid"),
    "legal_aid_update": _l("Legal-aid case update"),
    "call_attached": _l("Hotline call attached"),
    "deadline_waived": _l("Deadline waived"),
    "deadline_recomputed": _l("Deadline counted again on a new calendar"),
    "guardian_notice": _l("Guardian notification (未保法 Art. 40)"),
    "attachment_added": _l("Attachment added"),
    "attachment_withdrawn": _l("Attachment withdrawn"),
    "note_added": _l("Note"),
    "person_linked": _l("Party linked to a person record"),
    "person_merged": _l("Person records merged"),
    "person_unmerged": _l("Merge of person records undone"),
    "screening_visit": _l("High-risk household screening visit"),
    "assigned": _l("Assigned"),
    "transfer_offered": _l("Transfer offered to another unit"),
    "transfer_accepted": _l("Transfer accepted"),
    "transfer_declined": _l("Transfer declined"),
}

# The kinds of evidence a case may hold (workflows.md "Common parts": attachments).
# The three scans are the signed copies of the printable documents.
ATTACHMENT_KINDS = {
    "photo": _l("Photo"),
    "medical_record": _l("Medical record"),
    "police_record": _l("Police call and attendance record (出警记录)"),
    "warning_letter_scan": _l("Signed warning letter (告诫书) scan"),
    "application_scan": _l("Signed protection-order application (申请书) scan"),
    "service_receipt_scan": _l("Signed service receipt (送达回证) scan"),
    "audio": _l("Audio recording"),
    "video": _l("Video recording"),
    "other": _l("Other document"),
}

# --- domestic violence (反家庭暴力法; 法释〔2022〕17号) ---------------------------------

# The abuser's relation to the victim. Cohabitants count (Art. 37); 法释 Art. 4 names
# in-laws and people in guardianship, support or foster relations.
DV_RELATIONS = {
    "spouse": _l("Spouse"),
    "former_spouse": _l("Former spouse"),
    "partner": _l("Partner living together (cohabitant)"),
    "former_partner": _l("Former cohabiting partner"),
    "parent": _l("Parent"),
    "child": _l("Son or daughter"),
    "sibling": _l("Brother or sister"),
    "grandparent": _l("Grandparent"),
    "grandchild": _l("Grandchild"),
    "in_law": _l("In-law (儿媳、女婿、公婆、岳父母)"),
    "guardian": _l("Guardian, supporter or foster carer"),
    "other_family": _l("Other family member"),
    "co_resident": _l("Other person living together"),
}

# Forms of violence: Art. 2 and 法释〔2022〕17号 Art. 3.
VIOLENCE_FORMS = {
    "physical": _l("Physical (beating, binding, injuring)"),
    "psychological": _l("Psychological (abuse, threats, insults)"),
    "sexual": _l("Sexual"),
    "economic": _l("Economic control"),
    "deprivation": _l("Starving or freezing (冻饿)"),
    "restriction": _l("Restricting personal freedom"),
    "stalking": _l("Stalking or harassment"),
}

INJURY_LEVELS = {
    "none": _l("No visible injury"),
    "minor": _l("Minor injury"),
    "serious": _l("Serious injury"),
    "unknown": _l("Not yet assessed"),
}

# What the police did about the incident (Art. 16; escalation to penalty or prosecution).
DV_OUTCOMES = {
    "criticism": _l("Criticism and education (批评教育)"),
    "warning": _l("Warning letter (告诫书)"),
    "admin_penalty": _l("Public-security penalty (治安处罚)"),
    "criminal_case": _l("Criminal case opened (刑事立案)"),
}
ESCALATION_OUTCOMES = ("admin_penalty", "criminal_case")

# Who applies for a protection order: the victim, or a proxy (Art. 23 ¶2; 法释〔2022〕17号
# Art. 2 adds civil affairs, disabled persons' federations and elderly organisations).
PO_APPLICANT_ROLES = {
    "victim": _l("The victim"),
    "close_relative": _l("A close relative"),
    "police": _l("Public security organ"),
    "womens_federation": _l("Women's federation"),
    "residents_committee": _l("Residents' committee"),
    "village_committee": _l("Villagers' committee"),
    "relief_agency": _l("Relief agency"),
    "civil_affairs": _l("Civil affairs department"),
    "disabled_federation": _l("Disabled persons' federation"),
    "elderly_organisation": _l("Elderly people's organisation"),
}

# The organisation types that may apply as each proxy. The victim applies herself and a close
# relative applies in person, helped by any drafting unit: those two have no entry.
PROXY_ORG_TYPES = {
    "police": ("police_station", "police_bureau"),
    "womens_federation": ("womens_federation",),
    "residents_committee": ("village_committee",),
    "village_committee": ("village_committee",),
    "relief_agency": ("relief_agency",),
    "civil_affairs": ("civil_affairs",),
    "disabled_federation": ("disabled_federation",),
    "elderly_organisation": ("elderly_organisation",),
}

# Why the victim cannot apply in person. Art. 23 ¶2: no or limited capacity, coercion or
# intimidation; 法释〔2022〕17号 Art. 2: old age, disability, serious illness.
PROXY_REASONS = {
    "no_capacity": _l("No or limited civil capacity"),
    "coerced": _l("Coerced or intimidated"),
    "old_age": _l("Old age"),
    "disability": _l("Disability"),
    "serious_illness": _l("Serious illness"),
}
# 法释 Art. 2 has the proxy apply 「根据当事人意愿」: for these reasons the victim's consent is
# asked. Art. 23 ¶2 (no capacity, coercion) asks none, and a minor is never asked.
CONSENT_REASONS = frozenset({"old_age", "disability", "serious_illness"})

# Measures (Art. 29 (1)–(4); 法释〔2022〕17号 Art. 10 for item (4)).
PO_MEASURES = {
    "no_violence": _l("(1) Prohibit the respondent from domestic violence"),
    "no_contact": _l(
        "(2) Prohibit harassing, stalking or contacting the applicant and close relatives"
    ),
    "move_out": _l("(3) Order the respondent to move out of the applicant's residence"),
    "no_remote_abuse": _l(
        "(4) Prohibit insults, defamation or threats by phone, text, messaging or email"
    ),
    "keep_away": _l(
        "(4) Prohibit activities within a set distance of the home, school or workplace"
    ),
    "other": _l("(4) Other measures to protect the applicant's safety"),
}

# Evidence (法释〔2022〕17号 Art. 6 ¶2, items 1–11).
PO_EVIDENCE = {
    "statement": _l("The party's own statement"),
    "police_documents": _l("Police warning letter or penalty decision"),
    "police_records": _l("Attendance, call or questioning records, police receipt"),
    "apology": _l("The respondent's apology letter or pledge"),
    "recordings": _l("Audio or video recordings"),
    "messages": _l("Calls, text messages, instant messages or emails"),
    "medical": _l("Medical records"),
    "complaints": _l("Complaint records held by units, committees or the women's federation"),
    "witness_children": _l("Testimony of minor children"),
    "witnesses": _l("Testimony of other witnesses"),
    "injury_report": _l("Injury assessment (伤情鉴定意见)"),
}

# The basic court with jurisdiction (Art. 25).
COURT_BASES = {
    "applicant_residence": _l("The applicant's residence"),
    "respondent_residence": _l("The respondent's residence"),
    "place_of_violence": _l("Where the violence happened"),
}

# Who must be served with the order (Art. 32).
SERVICE_PARTIES = {
    "applicant": _l("Applicant"),
    "respondent": _l("Respondent"),
    "police": _l("Public security organ"),
    "committee": _l("Residents' / villagers' committee"),
}

PO_END_REASONS = {
    "expired": _l("Expired"),
    "revoked": _l("Revoked"),
}

# The court's decision on the respondent's 复议 of a granted order (Art. 31).
PO_REVIEW_OUTCOMES = {
    "upheld": _l("Order upheld"),
    "changed": _l("Order changed"),
    "revoked": _l("Order revoked"),
}

# --- legal aid (法律援助法) ----------------------------------------------------------------

LEGAL_MATTERS = {
    "protection_order": _l("Protection-order application"),
    "divorce": _l("Divorce, custody or property after domestic violence"),
    "maintenance": _l("Maintenance or support payments"),
    "injury_damages": _l("Damages for personal injury"),
    "criminal_victim": _l("Representation of a crime victim"),
    "guardianship": _l("Revoking a guardian's qualification"),
    "labour": _l("Wages or work injury"),
    "other": _l("Other"),
}

# No means test for victims of abuse, abandonment or domestic violence (Art. 32 (4)).
MEANS_EXEMPTIONS = {
    "abuse": _l("Victim of abuse (虐待)"),
    "abandonment": _l("Victim of abandonment (遗弃)"),
    "domestic_violence": _l("Victim of domestic violence"),
}

LEGAL_AID_DECISIONS = {"granted": _l("Granted"), "denied": _l("Denied")}

# --- hotline calls (workflows.md §5) -------------------------------------------------------

CALL_LINES = {
    "12338": _l("12338 women's rights hotline"),
    "12345": _l("12345 government service hotline"),
    "walk_in": _l("Walk-in"),
    "other": _l("Other"),
}

CALL_CATEGORIES = {
    "domestic_violence": _l("Domestic violence"),
    "marriage_family": _l("Marriage and family dispute"),
    "sexual_violence": _l("Sexual assault or harassment"),
    "trafficking": _l("Trafficking"),
    "employment_discrimination": _l("Sex discrimination at work"),
    "property": _l("Property rights"),
    "child_protection": _l("Child protection"),
    "legal_consultation": _l("Legal consultation"),
    "other": _l("Other"),
}

CALL_URGENCY = {
    "normal": _l("Normal"),
    "urgent": _l("Urgent"),
    "danger": _l("In danger now"),
}

CALL_ACTIONS = {
    "advice": _l("Advice given"),
    "referral": _l("Referred to a department"),
    "case_created": _l("Case opened"),
    "emergency_110": _l("Transferred to 110"),
}

CALLER_RELATIONS = {
    "self": _l("The person concerned"),
    "family": _l("Family member"),
    "neighbour": _l("Neighbour"),
    "friend": _l("Friend"),
    "colleague": _l("Colleague or teacher"),
    "official": _l("Official or social worker"),
    "other": _l("Other"),
}


# --- law-domain indicators (shared/domain/indicators.md) ------------------------------

PLAN_KINDS = {
    "women": _l("Women's development plan"),
    "children": _l("Children's development plan"),
}

# How a plan's written target reads (§C): 提高/增加 → increase; 降低/减少/下降 → decrease;
# 得到控制 → controlled (not above the baseline year); 保持合理比例 → band; numbers as written.
TARGET_DIRECTIONS = {
    "increase": _l("Increase"),
    "decrease": _l("Decrease"),
    "controlled": _l("Kept under control (not above the baseline year)"),
    "band": _l("Within a reasonable band"),
    "ge": "≥",
    "gt": ">",
    "le": "≤",
    "lt": "<",
    "eq": "=",
}

TARGET_ATTRIBUTES = {"binding": _l("Binding (约束性)"), "expected": _l("Expected (预期性)")}

INDICATOR_STATUSES = {
    "met": _l("Target met"),
    "on_track": _l("On track"),
    "at_risk": _l("At risk"),
    "off_track": _l("Off track"),
    "no_data": _l("No data"),
}

SUBMISSION_STATUSES = {
    "submitted": _l("Awaiting review"),
    "accepted": _l("Accepted"),
    "returned": _l("Returned"),
    "replaced": _l("Replaced by a later revision"),
}

EXPORT_STATUSES = {
    "queued": _l("Queued"),
    "running": _l("Running"),
    "done": _l("Done"),
    "failed": _l("Failed"),
}

AGE_BANDS = {
    "0-5": _l("0–5 years"),
    "6-13": _l("6–13 years"),
    "14-17": _l("14–17 years"),
    "18+": _l("18 and over"),
    "unknown": _l("Age unknown"),
}


# The doors through which a case's identities are read (access_log.channel).
# The login log (models/security.py LoginEvent, /admin/security).
LOGIN_EVENTS = {
    "failure": _l("Wrong password"),
    "refused": _l("Refused while locked"),
    "locked": _l("Locked after failures"),
    "unlocked": _l("Lock lifted"),
    "reset": _l("Password reset"),
}
LOGIN_CHANNELS = {"web": _l("Web page"), "api": _l("API"), "admin": _l("Administrator")}

ACCESS_CHANNELS = {
    "page": _l("Case page"),
    "api_detail": _l("API: one case"),
    "api_list": _l("API: case list"),
    "search": _l("Search"),
    "prefill": _l("Form pre-filled from a case"),
    "hotline_preview": _l("Hotline: matching cases"),
    "print": _l("Printed document"),
    "person": _l("Person record"),
    "export": _l("Export"),
    "attachment": _l("Attachment"),
    "list": _l("Case list"),
    "log_viewer": _l("Access-log viewer"),
}


# A high-risk household's screening visit (services/persons.py, 高风险家庭排查).
SCREENING_OUTCOMES = {
    "safe": _l("Safe"),
    "concern": _l("Concern"),
    "escalate": _l("Escalate"),
    "unreachable": _l("Unreachable"),
}

# Why a household is on the high-risk list.
HIGH_RISK_REASONS = {
    "repeat_abuser": _l("Repeat abuser"),
    "order_violated": _l("Protection order violated"),
    "visit_escalated": _l("A visit asked for escalation"),
    "child": _l("A child in the household"),
}
