"""The OpenAPI parts of the police periods (D7, D8, D9), the institution reports and the
proxy rules: merged into caseflow/openapi.py's action notes, action fields and schemas."""

from .forms.police import VERIFICATION_PERIOD_CHOICES

DATETIME = {"type": "string", "format": "date-time"}

ACTION_NOTES = {
    "mandatory_report.extend_verification": "police only, while the police reform's verify_due is "
    "open: `extended` 7 days or `complex` 30 days from the acceptance (D8); the timeline keeps "
    "the old and new due time",
    "mandatory_report.mark_unfounded": "by a police verifier it is a decision not to open a case: "
    "opens no_case_notice_due, 3 days (公安刑事程序规定 Art. 178)",
    "mandatory_report.serve_no_case_notice": "served_at not before the decision; opens the 7-day "
    "police_review_window from the service (Art. 179)",
    "mandatory_report.request_police_review": "once; applied_at not before the service and inside "
    "the 7-day window (409 otherwise, judged by applied_at); opens the 30-day decision",
    "mandatory_report.extend_police_review": "once, with the higher organ's approval: 60 days "
    "from the application",
    "mandatory_report.uphold_no_case": "decided_at not before the application",
    "mandatory_report.overturn_no_case": "decided_at not before the application; the case goes "
    "to `verified`",
    "dv_warning.decide_penalty": "while a 治安 case (escalation to admin_penalty) awaits its "
    "decision: penalty_decision_due, 30 days from the escalation (D9)",
    "dv_warning.extend_penalty_decision": "once, with the higher organ's approval: 60 days from "
    "the acceptance",
}

ACTION_PROPERTIES = {
    "period": {"type": "string", "enum": list(VERIFICATION_PERIOD_CHOICES)},
    "approved_by": {"type": "string", "maxLength": 200},
    "served_at": {**DATETIME, "description": "not in the future"},
}

# Fields added to the mandatory report's creation body and its case fields.
REPORT_CREATE_PROPERTIES = {
    "sexual_abuse": {
        "type": "boolean",
        "description": "sexual abuse or harassment (also implied by situations 1–3); a school's "
        "or kindergarten's such report goes to the police and to the education bureau as a "
        "referral (未保法 Art. 40)",
    },
    "guardian_notified_at": {
        **DATETIME,
        "description": "required for a school's report of sexual abuse unless "
        "guardian_is_suspect; not before discovered_at",
    },
}
REPORT_FIELDS = {
    "sexual_abuse": {"type": "boolean"},
    "guardian_notified_at": {**DATETIME, "nullable": True},
}
