"""Which files the static stage analyses, and as what — decided by pytest's collection.

- **test modules**: the files pytest collects (`auditor.static.discover`);
- **conftest.py** files pytest loads;
- **helper modules**: other `.py` files under the walked directories that a test module, a
  conftest or another helper imports, or names in `pytest_plugins` (their fixtures and
  assertion helpers matter to the tests);
- **orphan candidates**: remaining files under the walked directories whose text defines a
  module-level test-like function (`def test...`) and that sit outside data directories — only
  the never-collected-test rule (TQ405) reads them, and a syntax error there is not reported
  (pytest never imports them: black's `tests/data/*.py` formatter inputs).

Files pytest does not collect and nothing imports are not analysed at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

KIND_TEST = "test"
KIND_CONFTEST = "conftest"
KIND_HELPER = "helper"
KIND_ORPHAN = "orphan"

#: directory names whose `.py` files are inputs or fixtures, not misnamed test modules
DATA_DIRS = frozenset(
    {"data", "fixtures", "resources", "testdata", "test_data", "examples", "example_scripts",
     "samples", "cases", "roots", "snapshots", "__snapshots__", "assets", "inputs"}
)  # fmt: skip


def module_names(path: Path, root: Path) -> list[str]:
    """Every dotted name a file may be imported as: `tests/unit/helpers.py` -> `tests.unit.helpers`,
    `unit.helpers`, `helpers` (pytest's prepend/append import modes put the first directory
    without `__init__.py` on sys.path; a rootdir-relative import also works)."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return []
    parts = list(rel.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return [".".join(parts[i:]) for i in range(len(parts)) if parts[i:]]


def imported_helpers(imported: Iterable[str], candidates: Iterable[Path], root: Path) -> list[Path]:
    """The candidate files that one of the `imported` dotted names (a module, or a name inside
    one: `tests.helpers.check_ok`) refers to."""
    by_name: dict[str, list[Path]] = {}
    for path in candidates:
        for name in module_names(path, root):
            by_name.setdefault(name, []).append(path)
    found: dict[Path, None] = {}
    for name in imported:
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            for path in by_name.get(".".join(parts[:end]), []):
                found[path] = None
    return list(found)


def orphan_candidates(candidates: Iterable[Path], root: Path, test_prefix: str) -> list[Path]:
    """Files outside data directories whose text defines a `def <test prefix>...` function."""
    pattern = re.compile(
        rb"^[ \t]*(?:async\s+)?def\s+" + re.escape(test_prefix.encode()), re.MULTILINE
    )
    out: list[Path] = []
    for path in candidates:
        try:
            rel_parts = path.relative_to(root).parts[:-1]
        except ValueError:
            rel_parts = path.parts[:-1]
        if DATA_DIRS & set(rel_parts) or path.name == "__init__.py":
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if pattern.search(data):
            out.append(path)
    return out
