"""Every route of the app, classified: does its answer show a case's identities?

Routes in IDENTITY_ROUTES write an access-log row for each case whose identities they
show, in the same transaction as the answer (services/access_log.py), through the channel
named here. Every other route is in NO_IDENTITY_ROUTES with the reason it shows none.
tests/privacy/test_access_log_routes.py walks the app's URL map: a route in neither list,
or an identity route that answers without logging, fails the suite.
"""

IDENTITY_ROUTES: dict[str, str] = {
    # The case page, and the page shown again after a refused action, visit or referral.
    "cases.detail": "page",
    "cases.act": "page",
    "cases.add_visit": "page",
    "cases.add_referral": "page",
    # A search matches names (logged for the cases whose names the user may see); the
    # list without a search shows numbers, states and places only.
    "cases.case_list": "search",
    # The referrals' reasons and answers, as written for the case team.
    "cases.referral_inbox": "list",
    # A form pre-filled from a DV case or the case a legal-aid referral starts from.
    "cases.new_case": "prefill",
    "documents.warning": "print",
    "documents.application": "print",
    "documents.service": "print",
    "api.get_case": "api_detail",
    "api.create_case": "api_detail",
    "api.fire_action": "api_detail",
    "api.answer_referral": "api_detail",
    "api.list_cases": "api_list",  # "search" with q
    "api.log_hotline_call": "api_detail",  # the case opened from the call
    # The cases of the same phone or ID number, and the case a call is about to join.
    "api.hotline_matches": "hotline_preview",
    "hotline.call_matches": "hotline_preview",
    "hotline.call_detail": "hotline_preview",
    "hotline.attach_call": "hotline_preview",
    "hotline.new_call": "hotline_preview",
    # The access-log viewer shows who read a case; its export is a file of those reads.
    "access_log.case_log": "log_viewer",
    "access_log.user_log": "log_viewer",
    "access_log.search": "log_viewer",
    "access_log.unusual": "log_viewer",
    "access_log.export": "export",
    "api.access_log": "log_viewer",
}

NO_IDENTITY_ROUTES: dict[str, str] = {
    "api.change_password": "the caller's own password",
    "api.list_sessions": "the caller's own sessions and tokens",
    "api.end_session": "ends one of the caller's sessions",
    "api.revoke_calling_token": "revokes the calling token",
    "api.revoke_token": "revokes one of the caller's tokens",
    "api.compute_deadline": "deadline arithmetic, no case",
    "api.get_calendar": "the working-day calendar",
    "api.put_calendar": "the working-day calendar",
    "audit.verification": "the last verification of the audit chains: case numbers only",
    "auth.admin_security": "login locks and the login log: accounts, no case",
    "auth.change_password": "the user's own password",
    "auth.end_session": "redirects",
    "auth.lift_lock": "redirects",
    "auth.my_sessions": "the user's own sessions and tokens",
    "auth.reset_password": "a one-time password for an account, no case",
    "auth.revoke_token": "redirects",
    "cases.calendar_year": "the working-day calendar",
    "cases.deadline_calculator": "deadline arithmetic, no case",
    "cases.enter_calendar": "redirects",
    "static": "files of the app",
    "auth.login": "the login form",
    "auth.logout": "ends the session",
    "auth.set_language": "sets the language",
    "api.issue_token": "a token for the caller",
    "api.me": "the caller's own account",
    "api.openapi": "the API description",
    "api.add_referrals": "echoes the referral the caller sent (reason redacted per policy)",
    "api.record_visit": "echoes the visit the caller recorded",
    "api.waive_deadline": "the deadline and the reason the caller gave",
    "api.list_notifications": "system messages; free text redacted per recipient when queued",
    "api.mark_notifications_read": "marks messages read",
    "api.indicators": "aggregates (small numbers suppressed)",
    "api.list_figures": "figures reported by units",
    "api.submit_figure": "a unit's figure",
    "api.review_figure": "a statistician's review of a figure",
    "cases.my_work": "case numbers, states and deadlines, no person",
    "cases.review": "case numbers, places and workload; comments redacted per policy",
    "cases.answer_referral": "redirects",
    "cases.waive_deadline": "redirects",
    "cases.rule_pack": "the deadline rules",
    "cases.workflows": "redirects",
    "cases.workflow_diagram": "the workflow and a case's state",
    "hotline.call_list": "the team's own calls: no case's identities",
    "hotline.callback_list": "the team's own calls: no case's identities",
    "hotline.callback_done": "redirects",
    "notifications.inbox": "system messages; free text redacted per recipient when queued",
    "notifications.mark_read": "redirects",
    "notifications.settings": "the user's own settings",
    "indicators.index": "aggregates (small numbers suppressed)",
    "indicators.detail": "aggregates (small numbers suppressed)",
    "indicators.figures": "a unit's figures",
    "indicators.review": "figures reported by units",
    "indicators.review_one": "a statistician's review of a figure",
    "indicators.band": "a plan target's band",
    "indicators.workstations": "the townships' workstation registry",
    "indicator_exports.form": "the workbook form",
    "indicator_exports.start": "starts a workbook of aggregates",
    "indicator_exports.job": "the workbook's progress",
    "indicator_exports.status": "the workbook's progress",
    "indicator_exports.download": "a workbook of aggregates",
}
