"""What the case pages need for legal aid (workflows.md §4; 法律援助法 Art. 32, 43, 44, 49):
the referral form pre-filled from the case it comes from, the "refer to legal aid" box
and the linked legal-aid cases on every case page, and the legal-aid case's own section.

The routes stay in views/cases.py; these helpers keep the legal-aid rules in one place.
"""

from datetime import timedelta

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import policy, timeutil
from ..forms.base import choices
from ..services import legal_aid as legal_aid_service
from ..services import queries
from ..workflows import WORKFLOWS

# The applicant's means are not asked of victims of abuse, abandonment or domestic
# violence claiming their rights (法律援助法 Art. 32 (4)).
EXEMPTION_BY_TYPE = {
    "dv_warning": "domestic_violence",
    "protection_order": "domestic_violence",
    "mandatory_report": "abuse",
}

# A first guess of the matter, which the referrer can change: after a DV call, the
# divorce, custody or property claim; a protection order, the representation on it; a
# child abused, representation as a crime victim (Art. 29), abandoned, the guardian's
# qualification (未保法 Art. 108).
MATTER_BY_TYPE = {
    "dv_warning": "divorce",
    "protection_order": "protection_order",
    "mandatory_report": "criminal_victim",
}

ABANDONED = 6  # 强制报告意见 Art. 4 (6): abandoned or left without care for a long time

# The answers of the legal-aid case as the referring case's timeline names them.
UPDATE_LABELS = {
    "grant": _l("Legal aid: granted"),
    "deny": _l("Legal aid: denied"),
    "assign_lawyer": _l("Lawyer assigned"),
    "conclude": _l("Legal aid: concluded"),
    "withdraw": _l("Legal aid: application treated as withdrawn"),
    "uphold_denial": _l("Legal aid: denial upheld on objection"),
}


def pre_provision_last_day():
    """The last procedural deadline that allows urgent provision: under 7 days away."""
    return timeutil.to_local(timeutil.now()).date() + timedelta(
        days=legal_aid_service.PRE_PROVISION_DAYS - 1
    )


def referrer_roles() -> frozenset:
    workflow = WORKFLOWS["legal_aid"]
    return workflow.step(workflow.initial_trigger).roles


def source_or_404(raw_id):
    """The case a referral to legal aid starts from: in scope and not itself legal aid
    (404), still open (409: it exists, but cannot be referred now)."""
    try:
        case_id = int(raw_id)
    except (TypeError, ValueError):
        abort(404)
    case = policy.visible_case(current_user, case_id)
    if case is None or case.type == "legal_aid":
        abort(404)
    if not case.is_open:
        abort(409)
    return case


def check_source_arg(request) -> None:
    """The check order of the creation page: the case named by `?from_case=` is loaded in
    scope (404) and judged by its state (409) before the user's role (403)."""
    if request.method == "GET" and request.args.get("from_case") is not None:
        source_or_404(request.args.get("from_case"))


def _abandoned(case) -> bool:
    report = getattr(case, "mandatory_report", None)
    if report is None:
        return False
    codes = set(report.situation_codes or []) | set(report.confirmed_situations or [])
    return ABANDONED in codes


def _offer_place(form, source) -> None:
    """The case keeps the place of the case it comes from, even outside the user's area."""
    code = source.jurisdiction.code
    if code not in {c.value for c in form.jurisdiction.choices}:
        form.jurisdiction.choices = [
            *form.jurisdiction.choices,
            *choices([(code, source.jurisdiction.full_name)]),
        ]


def prefill(form, source) -> None:
    """The applicant from the case's subject (identities only for a user who may see them
    on that case), the place, the facts, a guessed matter and the means exemption."""
    form.source_case_id.data = source.id
    _offer_place(form, source)
    form.jurisdiction.data = source.jurisdiction.code
    person = source.subject
    if person is not None:
        sub = form.subject.form
        view = policy.person_view(current_user, source, person)
        sub.sex.data = view["sex"] or ""
        if not view["masked"]:
            for name in ("name", "id_number", "phone", "address"):
                sub[name].data = view[name] or ""
            sub.birth_date.data = person.birth_date
    form.special_protection.data = list(source.special_protection or [])
    text = (source.description or "").strip()[:5000]
    form.description.data = policy.redact_text(current_user, source, text)
    form.matter.data = MATTER_BY_TYPE.get(source.type, "other")
    exemption = EXEMPTION_BY_TYPE.get(source.type)
    if source.type == "mandatory_report" and _abandoned(source):
        exemption, form.matter.data = "abandonment", "guardianship"
    form.means_test_exempt_reason.data = exemption or ""


def form_source(form, request):
    """The source case of the legal-aid form: from `?from_case=` (404 unless it may be
    referred, and the form is pre-filled), or the hidden field on a form sent back."""
    if request.method == "GET" and request.args.get("from_case") is not None:
        source = source_or_404(request.args.get("from_case"))
        prefill(form, source)
        return source
    raw = request.form.get("source_case_id") if request.method == "POST" else None
    try:
        case_id = int(raw) if raw else None
    except ValueError:
        return None
    source = policy.visible_case(current_user, case_id) if case_id else None
    if source is None or source.type == "legal_aid":
        return None
    _offer_place(form, source)
    return source


def case_context(case) -> dict:
    """For every case page: the legal-aid cases referred from it and whether this user may
    refer it (an open case, not itself legal aid, with no open legal-aid case yet)."""
    if case.type == "legal_aid":
        aid = case.legal_aid
        source = (
            policy.visible_case(current_user, aid.source_case_id) if aid.source_case_id else None
        )
        return {
            "aid_source": source,
            "legal_aid_cases": [],
            "legal_aid_visible": set(),
            "legal_aid_update_labels": UPDATE_LABELS,
        }
    linked = queries.legal_aid_from(case)
    return {
        "legal_aid_cases": linked,
        "legal_aid_visible": {c.id for c in linked if policy.can_view(current_user, c)},
        "can_refer_legal_aid": case.is_open
        and current_user.role in referrer_roles()
        and not any(c.is_open for c in linked),
        "legal_aid_update_labels": UPDATE_LABELS,
    }
