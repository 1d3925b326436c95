"""auditor: would your tests catch a bug?

The Python API is the product; `auditor.cli` is a thin client of it::

    from auditor import audit, Options
    card = audit(Options(tests="tests", only={"static"}))
    print(card.summary.findings)

The names are imported on first use (PEP 562), so that importing a small submodule — the pytest
plugins we load into the audited project's own test process — does not import the whole package
and so does not change what that process does (Hypothesis, for one, draws literal constants from
every non-site-packages module it finds loaded).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from auditor.version import __version__

if TYPE_CHECKING:
    from auditor.api import audit
    from auditor.model import Scorecard
    from auditor.options import Options

__all__ = ["Options", "Scorecard", "__version__", "audit"]

_LAZY = {"audit": "auditor.api", "Scorecard": "auditor.model", "Options": "auditor.options"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'auditor' has no attribute {name!r}")
