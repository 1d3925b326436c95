"""The properties stage: Hypothesis signals for the scorecard and witnesses for survivors.

Runs after coverage (statistics and the per-test map come from that run) and, when it ran, after
mutation (survivors and mutmut's trampolined workspace come from there). Results of the witness
search are cached per mutant under `.auditor/properties/` by a hash of the mutated file, the
mutant's diff and the search settings, so an unchanged project costs nothing the second time.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from importlib import metadata
from pathlib import Path
from typing import Any

from auditor import state
from auditor.model import Mutant, Scorecard, StageReport, to_jsonable
from auditor.options import Options
from auditor.project import Project
from auditor.properties import signals
from auditor.properties.paths import CACHE_FILE, WITNESS_FILE, properties_dir, stats_file
from auditor.properties.witness import (
    SEARCH_VERSION,
    SearchResult,
    WitnessSettings,
    apply,
    cacheable,
    candidates,
    mutants_dir,
    search,
)
from auditor.properties_model import WitnessSummary
from auditor.version import __version__


def engine() -> str:
    return (
        f"hypothesis {metadata.version('hypothesis')} (statistics collector, differential search)"
    )


def run(project: Project, options: Options, card: Scorecard) -> None:
    out_dir = properties_dir(project.state_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stats = signals.read_stats(stats_file(project.state_dir))
    spans, lines_by_file = _reach_inputs(project, card)
    settings = WitnessSettings.from_config(project.config, options.effective_jobs(project))
    witness_summary, note = _witnesses(project, options, card, settings, out_dir)
    card.properties = signals.build_properties(card, stats, spans, lines_by_file, witness_summary)
    write_witnesses(out_dir / WITNESS_FILE, card)
    card.stages.append(StageReport(name="properties", ran=True, engine=engine(), reason=note))


def _reach_inputs(
    project: Project, card: Scorecard
) -> tuple[list[signals.FunctionSpan] | None, dict[str, dict[int, set[str]]] | None]:
    if not card.stage_ran("coverage"):
        return None, None
    try:
        from auditor.coverage.map import CoverageMap

        cov_map = CoverageMap.load(project)
    except (ImportError, ValueError, OSError):
        return None, None
    lines_by_file = {
        path: {line: {cov_map.tests[i] for i in ids} for line, ids in lines.items()}
        for path, lines in cov_map.files.items()
    }
    spans: list[signals.FunctionSpan] = []
    for path in project.source_files():
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        spans.extend(signals.function_spans(project.rel(path), source))
    return spans, lines_by_file


def _witnesses(
    project: Project,
    options: Options,
    card: Scorecard,
    settings: WitnessSettings,
    out_dir: Path,
) -> tuple[WitnessSummary | None, str]:
    if not settings.enabled:
        return None, "witness search disabled ([tool.auditor.witness] enabled = false)"
    if not card.stage_ran("mutation"):
        return None, "no witness search: the mutation stage did not run"
    workdir = mutants_dir(card)
    survivors = candidates(card)
    if workdir is None:
        return None, "no witness search: the mutation workspace has no mutants/ directory"
    cache = _load_cache(out_dir / CACHE_FILE) if options.use_cache else {}
    keys = {m.id: _cache_key(project, m, settings) for m in survivors}
    results: dict[str, SearchResult] = {}
    todo: list[str] = []
    for mutant in survivors:
        hit = _cached_result(cache.get(mutant.id), keys[mutant.id])
        if hit is not None:
            results[mutant.id] = hit
        else:
            todo.append(mutant.id)
    shutil.rmtree(out_dir / "runs", ignore_errors=True)  # job files and logs of the last search
    results.update(_search_with_progress(todo, workdir, settings, out_dir, options))
    apply(card, results)
    cache.update(
        {i: {"key": keys[i], "result": to_jsonable(r)} for i, r in results.items() if cacheable(r)}
    )
    state.atomic_write_json(out_dir / CACHE_FILE, cache)
    summary = signals.witness_counts(card.mutants)
    summary.candidates = len(survivors)
    summary.searched_now = len(todo)
    summary.max_examples = settings.max_examples
    summary.seconds_per_mutant = settings.seconds
    summary.search_seconds = round(sum(results[i].seconds for i in todo if i in results), 3)
    note = "" if todo or not survivors else "witnesses re-used: mutants and settings are unchanged"
    return summary, note


def _search_with_progress(
    ids: list[str], workdir: Path, settings: WitnessSettings, out_dir: Path, options: Options
) -> dict[str, SearchResult]:
    if not ids or options.console is None:
        return search(ids, workdir, settings, scratch=out_dir / "runs")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    lock = threading.Lock()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=options.console,
        transient=True,
    ) as bar:
        task = bar.add_task("properties: witness search", total=len(ids))

        def advance(n: int) -> None:
            with lock:
                bar.advance(task, n)

        return search(ids, workdir, settings, scratch=out_dir / "runs", progress=advance)


def _cache_key(project: Project, mutant: Mutant, settings: WitnessSettings) -> str:
    digest = hashlib.sha256()
    try:
        digest.update((project.root / mutant.path).read_bytes())
    except OSError:
        digest.update(b"<missing>")
    for part in (
        mutant.id,
        mutant.diff,
        __version__,
        SEARCH_VERSION,
        metadata.version("hypothesis"),
        str(settings.max_examples),
        str(settings.seconds),
        *settings.strategies,
    ):
        digest.update(b"\0" + part.encode("utf-8"))
    return digest.hexdigest()[:24]


def _load_cache(path: Path) -> dict[str, Any]:
    data = state.read_json(path, "witness cache")
    return data if isinstance(data, dict) else {}


def _cached_result(hit: Any, key: str) -> SearchResult | None:
    """The cached result when its key matches and it has SearchResult's shape, else None."""
    if not isinstance(hit, dict) or hit.get("key") != key or not isinstance(hit.get("result"), dict):
        return None
    try:
        return SearchResult(**hit["result"])
    except TypeError:  # an entry of another shape: search again
        return None


def write_witnesses(path: Path, card: Scorecard) -> None:
    """The searched mutants of the last scan, for `auditor suggest` (no scorecard file needed)."""
    searched = [to_jsonable(m) for m in card.mutants if m.witness_status]
    data = {"project": to_jsonable(card.project), "mutants": searched}
    path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
