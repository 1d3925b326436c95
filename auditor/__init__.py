"""auditor: would your tests catch a bug?

The Python API is the product; `auditor.cli` is a thin client of it::

    from auditor import audit, Options
    card = audit(Options(tests="tests", only={"static"}))
    print(card.summary["findings"])
"""

from __future__ import annotations

__version__ = "0.1.0"

from auditor.api import Options, audit
from auditor.model import Scorecard

__all__ = ["Options", "Scorecard", "__version__", "audit"]
