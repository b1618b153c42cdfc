"""The warning after saving free text that names a person of the case."""

from flask import flash
from flask_babel import gettext as _

from .. import policy

# Sub-forms that hold a person's structured identity: names belong there, not in the text.
PERSON_KEYS = frozenset({"subject", "reporter", "guardian", "abuser", "applicant", "respondent"})
# Fields that are not prose (the place of the incident is an address by design).
NOT_PROSE = frozenset({"csrf_token", "version", "client_token", "location", "jurisdiction"})


def free_texts(data) -> list[str]:
    """Every string a form holds outside the persons' own fields."""
    texts, stack = [], [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(v for k, v in value.items() if k not in PERSON_KEYS | NOT_PROSE)
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and len(value) > 1:
            texts.append(value)
    return texts


def identities_warning(case, data) -> str | None:
    """The warning for what was just saved, or None if it names nobody."""
    if not policy.identities_typed(case, free_texts(data)):
        return None
    return _(
        "The text you saved contains a name, ID number or phone number. "
        "Please write 'the party' or 'the respondent' instead of names."
    )


def warn_names_typed(case, data) -> None:
    message = identities_warning(case, data)
    if message:
        flash(message, "warning")
