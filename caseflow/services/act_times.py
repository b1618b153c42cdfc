"""The time a person acted, kept apart from the time someone typed it in.

Every step whose legal effect depends on when a person acted (a report made, a
reconsideration applied for, an objection lodged, materials supplied, a delivery or
service done, a visit made) records the act's time in its own column and on its timeline
entry (`acted_at`); the entry's own time and actor say when and by whom it was entered.
An entry made more than LATE_ENTRY_HOURS after the act is marked `late_entry`, so a
reader sees that the record came later than the act, not that the act was late.
"""

from datetime import datetime, timedelta

from flask import current_app

from .. import timeutil


def late_entry_hours() -> int:
    return int(current_app.config["LATE_ENTRY_HOURS"])


def entry_marks(acted_at: datetime, entered_at: datetime | None = None) -> dict:
    """The timeline data of an act: its time, and the late-entry mark when due."""
    entered_at = entered_at or timeutil.now()
    hours = late_entry_hours()
    marks = {"acted_at": acted_at.isoformat()}
    if entered_at - acted_at > timedelta(hours=hours):
        marks.update({"late_entry": True, "late_entry_hours": hours})
    return marks
