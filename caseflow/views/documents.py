"""Printable documents (A4, the browser prints them): the 告诫书 (反家庭暴力法 Art. 16), the
protection-order application (Art. 24) with a copy for the respondent, and the service
checklist of an order (Art. 32).

An official document with masked names is useless, so a user who may open the case but not
see its identities is refused (403) rather than shown a masked letter. Each view is logged.
"""

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import policy, presenters
from ..extensions import db
from ..services.access_log import log_access

bp = Blueprint("documents", __name__)


def _document_case(case_id: int, case_type: str):
    case = policy.visible_case(current_user, case_id)
    if case is None or case.type != case_type:
        abort(404)
    return case


def _refused():
    message = _(
        "You may open this case but not see the identities in it, and an official document "
        "cannot be printed with hidden names. Ask the handling unit for it."
    )
    return render_template("error.html", code=403, message=message), 403


def _render(case, what: str, template: str, **context):
    log_access(current_user, case, "print", what=f"document:{what}")
    db.session.commit()
    # Free text as this user may read it (the reporter's identity stays hidden from a
    # team member who may not see it): the same redactor as the case page.
    shown = presenters.shown(current_user, case)
    for key in ("incident", "order"):
        if key in context:
            context[key] = getattr(
                shown, "dv_incident" if key == "incident" else "protection_order"
            )
    return render_template(template, case=shown, document=what, **context)


@bp.get("/cases/<int:case_id>/documents/warning")
@login_required
def warning(case_id):
    """The 告诫书, handed to the abuser: the abuser's identity, the facts, the prohibition
    (Art. 16 ¶2). It never carries the victim's phone or address."""
    case = _document_case(case_id, "dv_warning")
    incident = case.dv_incident
    if incident is None or not incident.warning_number:
        abort(404)
    if not policy.can_see_identity(current_user, case):
        return _refused()
    return _render(
        case,
        "warning",
        "documents/warning.html",
        incident=incident,
        abuser=case.person("abuser"),
        victim_name=case.subject.name if case.subject else None,
    )


@bp.get("/cases/<int:case_id>/documents/application")
@login_required
def application(case_id):
    """The written application (Art. 24). `?copy=respondent` is the copy the court sends the
    respondent: no address or phone of the victim or of the applicant."""
    case = _document_case(case_id, "protection_order")
    if not policy.can_see_identity(current_user, case):
        return _refused()
    for_respondent = request.args.get("copy") == "respondent"
    return _render(
        case,
        "application:respondent" if for_respondent else "application",
        "documents/application.html",
        order=case.protection_order,
        victim=case.subject,
        applicant=case.person("applicant"),
        respondent=case.person("respondent"),
        for_respondent=for_respondent,
    )


@bp.get("/cases/<int:case_id>/documents/service")
@login_required
def service(case_id):
    """The service checklist of an issued order: applicant, respondent, police and committee
    (Art. 32). Names and service times only; no address or phone of the victim."""
    case = _document_case(case_id, "protection_order")
    order = case.protection_order
    if order is None or order.issued_at is None:
        abort(404)
    if not policy.can_see_identity(current_user, case):
        return _refused()
    applicant = case.person("applicant") if order.is_proxy else case.subject
    return _render(
        case,
        "service",
        "documents/service.html",
        order=order,
        applicant_name=(applicant.name or applicant.organisation_name) if applicant else None,
        respondent=case.person("respondent"),
    )
