"""Whether a party acted inside a window the law gives them (复议 within 5 days, the
respondent's 复议 within 5 days of service): the one place every such check is made.

The check compares the time the person acted with the window's end, never the time the
act was typed in: a reconsideration applied on the last evening and entered the next
morning is in time. A window computed on a provisional holiday calendar (no official
notice for that year yet) never refuses an act: the act is allowed and a warning is kept
with it, since the official calendar may still give the party more days.
"""

from dataclasses import dataclass
from datetime import datetime

# Windows a party may use, not duties of staff: one that lapses unused is no one's delay,
# so the sweep does not escalate it as overdue.
PARTY_WINDOWS = frozenset({"reconsideration_window", "respondent_review_window"})


@dataclass(frozen=True)
class ActCheck:
    on_time: bool
    provisional: bool  # the window was counted on a provisional calendar

    @property
    def allowed(self) -> bool:
        return self.on_time or self.provisional

    def event_data(self) -> dict:
        """What the step's timeline entry keeps: a warning when a late act was let through."""
        if self.on_time:
            return {}
        return {"window_warning": "late_on_provisional_calendar"}


def act_within(window_deadline, act_at: datetime) -> ActCheck:
    """Did an act at `act_at` fall inside `window_deadline`? The window runs to its due
    time (24:00 of the last day): an act at that instant is already outside it."""
    provisional = bool(getattr(window_deadline, "provisional", False))
    return ActCheck(on_time=act_at < window_deadline.due_at, provisional=provisional)
