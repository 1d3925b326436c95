"""Real-project harness: pinned PyPI projects, their venvs, pytest/coverage.py oracles and
`auditor scan` records. CLI: `python -m benchmarks.corpus --help`; API: `ensure_project`."""

from .api import ProjectHandle, ensure_project
from .env import cache_root
from .registry import PROJECTS, TRAITS, Project

__all__ = ["PROJECTS", "TRAITS", "Project", "ProjectHandle", "cache_root", "ensure_project"]
