"""Run rule examples in a throw-away project: the harness behind every VALID/INVALID test."""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

from auditor.config import parse_config
from auditor.model import Finding
from auditor.project import load_project
from auditor.static.engine import scan
from auditor.static.rules.base import Example, as_example


def run_example(example: str | Example) -> list[Finding]:
    """All findings (every default-enabled rule plus the example's config) for one example."""
    ex = as_example(example)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pyproject.toml").write_text("[project]\nname = 'example'\n", encoding="utf-8")
        if ex.pytest_ini:
            (root / "pytest.ini").write_text(
                "[pytest]\n" + textwrap.dedent(ex.pytest_ini), encoding="utf-8"
            )
        files = {ex.path: ex.code, **ex.files}
        for rel, code in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(code), encoding="utf-8")
        config = parse_config(ex.config)
        project = load_project(root / "tests", config=config)
        result = scan(project, jobs=1, use_cache=False)
        return result.findings


def findings_for(example: str | Example, code: str) -> list[Finding]:
    """The findings of one rule for an example (the rule is force-enabled)."""
    ex = as_example(example)
    config = dict(ex.config)
    extend = list(config.get("extend-select", []))
    if code not in extend:
        extend.append(code)
    config["extend-select"] = extend
    forced = Example(
        code=ex.code, files=ex.files, path=ex.path, config=config, pytest_ini=ex.pytest_ini
    )
    return [f for f in run_example(forced) if f.rule == code]
