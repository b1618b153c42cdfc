"""Case notes: a line on the timeline written by the case team outside any workflow step.

A note is free text and so identity data: it is written only by people who may see the
case's identities, and it is an event like every other (hash-chained, never edited).
"""

from flask_babel import lazy_gettext as _l

from .. import policy
from ..models import Case, Event, User
from .audit import append_event
from .cases import check_version, conflicts_as_409, flush, touch
from .errors import Forbidden, InvalidTransitionError, ValidationFailed

MAX_NOTE = 5000


@conflicts_as_409
def add(case: Case, actor: User, text, version) -> Event:
    """Order: version (409), state (409), role (403), the text (422)."""
    check_version(case, version)
    if not case.is_open:
        raise InvalidTransitionError(_l("Notes can only be added to an open case."))
    if not policy.can_add_note(actor, case):
        raise Forbidden(_l("Only the case team may write notes on this case."))
    text = text.strip() if isinstance(text, str) else None
    if not text:
        raise ValidationFailed(fields={"text": [_l("Write the note.")]})
    if len(text) > MAX_NOTE:
        raise ValidationFailed(fields={"text": [_l("At most 5000 characters.")]})
    touch(case)
    event = append_event(case, actor, "note_added", case.state, text, {})
    flush()
    return event
