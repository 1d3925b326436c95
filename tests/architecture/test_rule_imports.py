"""Rule modules do not import other rule modules (issue 9): shared code lives in `_*.py` helpers.

A rule module is a module of `auditor/static/rules/` whose name does not start with `_` (and is
not `base.py`). Importing one rule module from another couples two families and makes the
registry's import order matter; the helper modules exist for what they share.
"""

from __future__ import annotations

import ast
from pathlib import Path

RULES = Path(__file__).resolve().parents[2] / "auditor" / "static" / "rules"
PACKAGE = "auditor.static.rules"


def _rule_modules() -> set[str]:
    return {p.stem for p in RULES.glob("*.py") if not p.stem.startswith("_") and p.stem != "base"}


def _imported_rule_modules(path: Path, rule_modules: set[str]) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1:  # from .x import y / from . import x
                module = f"{PACKAGE}.{module}" if module else PACKAGE
            if module == PACKAGE:
                found.update(a.name for a in node.names if a.name in rule_modules)
            elif module.startswith(PACKAGE + "."):
                name = module[len(PACKAGE) + 1 :].split(".")[0]
                if name in rule_modules:
                    found.add(name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE + "."):
                    name = alias.name[len(PACKAGE) + 1 :].split(".")[0]
                    if name in rule_modules:
                        found.add(name)
    return found


def test_no_rule_module_imports_another_rule_module() -> None:
    rule_modules = _rule_modules()
    assert "assertions" in rule_modules and "mocking" in rule_modules  # the walk sees the rules
    offenders = {
        path.stem: sorted(imported)
        for path in sorted(RULES.glob("*.py"))
        if path.stem in rule_modules
        and (imported := _imported_rule_modules(path, rule_modules) - {path.stem})
    }
    assert offenders == {}, f"rule modules importing rule modules: {offenders}"


def test_the_check_catches_an_import(tmp_path: Path) -> None:
    module = tmp_path / "fake.py"
    module.write_text(
        "from auditor.static.rules.mocking import X\nfrom . import fixtures\n"
        "from auditor.static.rules._mock_targets import Y\n",
        encoding="utf-8",
    )
    assert _imported_rule_modules(module, {"mocking", "fixtures"}) == {"mocking", "fixtures"}
