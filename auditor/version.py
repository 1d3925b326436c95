"""The installed version of auditor, in one place (the package metadata mirrors it)."""

from __future__ import annotations

__version__ = "0.1.0"
