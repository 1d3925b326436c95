"""End to end: the real CLI's static stage on sample_project reports every planted smell documented
in sample_project/README.md, and none of the documented look-alikes.

The expectations are read from the README tables, so the documentation and the analyser cannot
drift apart silently. The scan runs on a copy of the sample (it writes `.auditor/`).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from tree_guard import SAMPLE, copy_sample_project

ROW = re.compile(
    r"^\|\s*`(?P<path>[^`:]+):(?P<line>\d+)`\s*\|\s*`?(?P<name>[^|`]*?)`?\s*\|\s*(?P<rules>[^|]*)\|"
)
CODE = re.compile(r"TQ\d{3}")


def _section_rows(title_prefix: str) -> list[dict[str, object]]:
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    rows: list[dict[str, object]] = []
    in_section = False
    for line in text.splitlines():
        if line.startswith("#"):
            in_section = line.lstrip("#").strip().startswith(title_prefix)
            continue
        if not in_section:
            continue
        match = ROW.match(line)
        if match:
            codes = CODE.findall(match.group("rules").split("(also")[0].split("(+")[0])
            rows.append(
                {
                    "path": match.group("path"),
                    "line": int(match.group("line")),
                    "name": match.group("name").strip(),
                    "codes": codes,
                }
            )
    return rows


@pytest.fixture(scope="module")
def sample_findings(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], ...]:
    """The findings of `auditor scan sample_project/tests --only static` on a fresh copy."""
    workdir = tmp_path_factory.mktemp("static-e2e")
    copy_sample_project(workdir)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            "sample_project/tests",
            "--only",
            "static",
            "--format",
            "json",
            "--no-cache",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return tuple(json.loads(proc.stdout)["findings"])


def _matches(finding: dict[str, object], row: dict[str, object], code: str) -> bool:
    if finding["rule"] != code or finding["path"] != row["path"]:
        return False
    test = str(finding.get("test") or "")
    if row["name"] and (
        test.endswith("::" + str(row["name"])) or test.endswith("." + str(row["name"]))
    ):
        return True
    return abs(int(finding["line"]) - int(row["line"])) <= 2  # type: ignore[arg-type]


PLANTED = [
    pytest.param(row, code, id=f"{code}-{row['path']}:{row['line']}")
    for title in ("Default-on, high precision", "Default-on, warning")
    for row in _section_rows(title)
    for code in row["codes"]  # type: ignore[attr-defined]
]
LOOKALIKES = [
    pytest.param(row, code, id=f"not-{code}-{row['path']}:{row['line']}")
    for row in _section_rows("Look-alikes that must NOT be reported")
    for code in row["codes"]  # type: ignore[attr-defined]
]


def test_readme_tables_were_parsed():
    assert len(PLANTED) >= 30
    assert len(LOOKALIKES) >= 6


@pytest.mark.parametrize(("row", "code"), PLANTED)
def test_planted_smell_is_reported(row, code, sample_findings):
    hits = [f for f in sample_findings if _matches(f, row, code)]
    assert hits, f"{code} not reported at {row['path']}:{row['line']} ({row['name']})"


@pytest.mark.parametrize(("row", "code"), LOOKALIKES)
def test_lookalike_is_not_reported(row, code, sample_findings):
    hits = [f for f in sample_findings if _matches(f, row, code)]
    assert not hits, f"{code} wrongly reported on a look-alike: {hits}"
