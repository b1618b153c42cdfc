"""The service layer: one function per use case, the only code that changes state.

Services flush and never commit: the request handler (or CLI command) commits once,
so a state change and its event rows land together or not at all.
"""

from . import mandatory_report  # noqa: F401  registers the type's creator and effects
