"""Deadlines: counting (calendar), the county's calendar (store, provisional), rule packs,
the ledger. `is_provisional(deadline_or_due)`: whether a provisional calendar decided it,
so such a deadline warns and records, and never refuses a party's act."""

from .calendar import is_provisional

__all__ = ["is_provisional"]
