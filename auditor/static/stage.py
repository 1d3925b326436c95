"""The static stage: libcst analysis of the test files, added to the scorecard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.meta import StaticStats
from auditor.model import Scorecard, StageReport
from auditor.project import Project
from auditor.static.engine import scan

if TYPE_CHECKING:
    from auditor.options import Options


def run(project: Project, options: Options, card: Scorecard) -> None:
    status = None
    if options.console is not None:
        status = options.console.status("static: scanning test files")
        status.start()
    try:
        result = scan(
            project,
            jobs=options.effective_jobs(project),
            use_cache=options.use_cache,
            baseline=options.baseline,
            write_baseline_to=options.write_baseline,
            progress=(lambda msg: status.update(f"static: {msg}")) if status else None,
        )
    finally:
        if status is not None:
            status.stop()
    card.findings.extend(result.findings)
    card.diagnostics.extend(result.diagnostics)
    card.unused_suppressions.extend(result.unused_suppressions)
    card.meta.static = StaticStats(
        files=result.files,
        tests=result.tests,
        parsed=result.parsed,
        cached=result.cached,
        baselined=result.baselined,
    )
    reason = f"{result.files} files, {result.tests} tests"
    if result.diagnostics:
        reason += f"; {len(result.diagnostics)} file(s) could not be analysed"
        listed = "; ".join(f"{d.path}: {d.message}" for d in result.diagnostics[:3])
        more = f" (and {len(result.diagnostics) - 3} more)" if len(result.diagnostics) > 3 else ""
        card.meta.add_error(
            "static",
            f"{len(result.diagnostics)} test file(s) could not be analysed and were "
            f"skipped; every other file was scanned. {listed}{more}. Fix these files (pytest "
            f"cannot collect them either) and run again.",
        )
    card.stages.append(StageReport(name="static", ran=True, reason=reason, engine=_engine()))
    if not result.files:
        card.meta.add_note(
            f"no tests found under {', '.join(card.project.tests)}: no Python files to analyse"
        )


def _engine() -> str:
    from importlib import metadata

    try:
        return f"libcst {metadata.version('libcst')}"
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "libcst"
