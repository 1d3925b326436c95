"""auditor: would your tests catch a bug?

The Python API is the product; `auditor.cli` is a thin client of it::

    from auditor import audit, Options
    card = audit(Options(tests="tests", only={"static"}))
    print(card.summary.findings)
"""

from __future__ import annotations

from auditor.api import audit
from auditor.model import Scorecard
from auditor.options import Options
from auditor.version import __version__

__all__ = ["Options", "Scorecard", "__version__", "audit"]
