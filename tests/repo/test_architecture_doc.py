"""ARCHITECTURE.md's package map matches the real tree, so it cannot go stale silently.

Every package directory and every module under `auditor/` must be listed (modules of the
rule-family package `auditor/static/rules/` are covered by that package's line), every
`auditor/...` path the document names must exist, and every stage has its own package.
"""

from __future__ import annotations

import re
from pathlib import Path

from auditor.api import STAGE_RUNNERS
from auditor.model import STAGES

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "ARCHITECTURE.md"
SUMMARISED_PACKAGES = {"auditor/static/rules/"}
PATH = re.compile(r"`(auditor/[\w/.]*)`")


def named_paths() -> set[str]:
    return set(PATH.findall(DOC.read_text(encoding="utf-8")))


def real_tree() -> tuple[list[str], list[str]]:
    """(package directories as `auditor/x/`, module files as `auditor/x/y.py`), sorted."""
    root = REPO / "auditor"
    packages, modules = [], []
    for init in sorted(root.rglob("__init__.py")):
        if "__pycache__" in init.parts:
            continue
        rel = init.parent.relative_to(REPO).as_posix() + "/"
        if rel != "auditor/":
            packages.append(rel)
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        parent = path.parent.relative_to(REPO).as_posix() + "/"
        if path.name == "__init__.py" and parent != "auditor/reports/" and parent != "auditor/":
            continue  # a package's own line describes its __init__
        if any(parent.startswith(s) for s in SUMMARISED_PACKAGES):
            continue
        modules.append(rel)
    return packages, modules


def test_every_package_and_module_is_in_the_package_map():
    packages, modules = real_tree()
    named = named_paths()
    missing = [p for p in packages + modules if p not in named]
    assert not missing, (
        "ARCHITECTURE.md's package map does not list these (add one line each, "
        "saying what the module is for):\n" + "\n".join(missing)
    )


def test_every_path_the_document_names_exists():
    stale = sorted(p for p in named_paths() if not (REPO / p).exists())
    assert not stale, "ARCHITECTURE.md names paths that do not exist:\n" + "\n".join(stale)


def test_the_tree_scan_sees_packages_and_modules():
    packages, modules = real_tree()
    assert {"auditor/static/", "auditor/mutation/", "auditor/pr/"} <= set(packages)
    assert {"auditor/api.py", "auditor/mutation/status.py"} <= set(modules)


def test_each_stage_is_a_listed_package_with_a_stage_module():
    named = named_paths()
    for stage in STAGES:
        module = STAGE_RUNNERS[stage].partition(":")[0].replace(".", "/") + ".py"
        assert module in named, f"{stage}: {module} missing from ARCHITECTURE.md"
        assert f"auditor/{stage}/" in named
