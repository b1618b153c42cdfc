"""The service layer: one function per use case, the only code that changes state.

Services flush and never commit: the request handler (or CLI command) commits once,
so a state change and its event rows land together or not at all.
"""

# Each case type's module registers its creator, effects and deadline openers.
from . import dv_warning, legal_aid, mandatory_report, police, protection_order  # noqa: F401
