"""The access log: every answer that shows a case's identities writes one row (who, when,
which case, through which channel) in the same transaction as the answer.

Reading the log is itself a read: the viewer's pages and exports log the cases they show.
"""

from sqlalchemy import select

from .. import policy, timeutil
from ..extensions import db
from ..models import AccessLog, Case, User
from ..vocab import ACCESS_CHANNELS

# The doors an identity can leave through (access_log.channel):
# page, api_detail, api_list, search, prefill, hotline_preview, print, export, attachment,
# list (a page listing cases), log_viewer (the access-log viewer showing a case's readers).
CHANNELS = tuple(ACCESS_CHANNELS)


def log_access(user: User, case: Case, channel: str, what: str = "view") -> None:
    """One read of one case. Added to the session: committed with the answer itself."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown access-log channel {channel!r}")
    db.session.add(
        AccessLog(at=timeutil.now(), user_id=user.id, case_id=case.id, channel=channel, what=what)
    )


def log_reads(user: User, cases, channel: str, what: str = "view") -> int:
    """The cases of a list or search answer whose identities this user sees unmasked: one
    row each (a list of masked names shows no identity and logs nothing)."""
    ids = [c.id for c in cases]
    if not ids:
        return 0
    visible = set(
        db.session.scalars(
            select(Case.id).where(Case.id.in_(ids), policy.identity_scope(user))
        ).all()
    )
    for case in cases:
        if case.id in visible:
            log_access(user, case, channel, what)
    return len(visible)
