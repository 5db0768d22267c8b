"""Admin wiring of the reports: each part registers its own URLs and menu items."""

from .meetings import hooks as meetings_hooks  # noqa: F401 (registers on import)
from .results import hooks as results_hooks  # noqa: F401 (registers on import)
from .sufficiency import hooks as sufficiency_hooks  # noqa: F401 (registers on import)
