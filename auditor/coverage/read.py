"""Turn coverage.py's data file into our model: the CoverageMap and one ModuleCoverage per module.

Contexts come straight from `CoverageData.contexts_by_lineno`; statement and branch totals from
coverage's own JSON reporter *without* contexts (small and public), so our percentages are exactly
the ones `coverage report` would print for the same data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from coverage import Coverage, CoverageData

from auditor.coverage.map import CoverageMap
from auditor.model import ModuleCoverage
from auditor.project import Project


def read_map(project: Project, data_file: Path) -> CoverageMap:
    data = CoverageData(basename=str(data_file))
    data.read()
    by_file: dict[str, dict[int, Iterable[str]]] = {}
    for measured in data.measured_files():
        rel = project.rel(measured)
        by_file[rel] = {line: list(ctx) for line, ctx in data.contexts_by_lineno(measured).items()}
    return CoverageMap.from_contexts(by_file)


def read_modules(project: Project, data_file: Path, rcfile: Path) -> list[ModuleCoverage]:
    report_file = data_file.parent / "coverage.json"
    cov = Coverage(data_file=str(data_file), config_file=str(rcfile))
    cov.load()
    cov.json_report(outfile=str(report_file), ignore_errors=True)
    report: dict[str, Any] = json.loads(report_file.read_text(encoding="utf-8"))
    modules: list[ModuleCoverage] = []
    for name, info in report.get("files", {}).items():
        summary = info["summary"]
        path = Path(name)
        if not path.is_absolute():
            path = Path.cwd() / path  # coverage names files relative to our cwd
        modules.append(
            ModuleCoverage(
                path=project.rel(path),
                statements=int(summary["num_statements"]),
                covered=int(summary["covered_lines"]),
                missing_lines=sorted(int(n) for n in info.get("missing_lines", [])),
                branches=int(summary.get("num_branches", 0)),
                covered_branches=int(summary.get("covered_branches", 0)),
            )
        )
    return sorted(modules, key=lambda m: m.path)
