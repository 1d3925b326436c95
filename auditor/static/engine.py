"""The static engine: parse every test file once (both cores), run the rules, join, suppress.

Files are analysed in a process pool in batches; each file's `FileFacts` (including its file-level
findings and suppression comments) is cached under `.auditor/static/` keyed by the file's content
hash and the engine options, so a warm scan only hashes files and runs the cheap project-level join.
"""

from __future__ import annotations

import contextlib
import fnmatch
import gc
import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from auditor import state
from auditor.config import Config
from auditor.errors import ConfigError
from auditor.model import Diagnostic, Finding, UnusedSuppression
from auditor.project import Project
from auditor.pytest_config import PytestSettings
from auditor.static.facts import EngineOptions, FileFacts, RawFinding
from auditor.static.fileset import (
    KIND_CONFTEST,
    KIND_HELPER,
    KIND_ORPHAN,
    KIND_TEST,
    imported_helpers,
    orphan_candidates,
)
from auditor.static.registry import select_codes
from auditor.static.source_index import SourceIndex, build_source_index
from auditor.static.suppress import (
    apply_baseline,
    apply_suppressions,
    read_baseline,
    write_baseline,
)
from auditor.version import __version__

BATCH = 16
POOL_THRESHOLD = 24  # below this many files to parse, a process pool costs more than it saves


@dataclass
class StaticResult:
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unused_suppressions: list[UnusedSuppression] = field(default_factory=list)
    files: int = 0
    tests: int = 0
    parsed: int = 0
    cached: int = 0
    baselined: int = 0
    facts: dict[str, FileFacts] = field(default_factory=dict)


class _RuleMeta(TypedDict):
    default_enabled: bool
    options: dict[str, Any]


def rules_meta(cache_dir: Path | None) -> dict[str, dict[str, Any]]:
    """code -> {default_enabled, options} for every rule. Cached as JSON per engine version so a
    fully cached scan never has to import libcst and the rule modules."""
    path = cache_dir / "rules.json" if cache_dir else None
    if path is not None:
        loaded = state.read_cache(path, engine_fingerprint(), dict[str, _RuleMeta])
        if loaded is not None:
            return {code: dict(meta) for code, meta in loaded.items()}
    from auditor.static.registry import all_rules

    meta = {
        r.code: {"default_enabled": r.default_enabled, "options": dict(r.options)}
        for r in all_rules()
    }
    if path is not None:
        state.write_cache(path, engine_fingerprint(), meta)
    return meta


def rule_settings_from(
    config: Config, meta: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Validate `[tool.auditor.rules.TQxxx]` tables against each rule's declared options."""
    out: dict[str, dict[str, Any]] = {}
    for code, table in config.rules.items():
        rule = meta.get(code.upper())
        if rule is None:
            raise ConfigError(
                f"[tool.auditor.rules] names unknown rule '{code}'. Run `auditor rules` for the list."
            )
        if not isinstance(table, dict):
            raise ConfigError(f"[tool.auditor.rules.{code}] must be a table of settings.")
        options: dict[str, Any] = rule["options"]
        for key, value in table.items():
            if key not in options:
                valid = ", ".join(sorted(options)) or "(none)"
                raise ConfigError(
                    f"Unknown setting '{key}' in [tool.auditor.rules.{code}]. Valid settings for "
                    f"{code}: {valid}."
                )
            default = options[key]
            if type(value) is not type(default) and not (
                isinstance(default, float) and isinstance(value, int)
            ):
                raise ConfigError(
                    f"[tool.auditor.rules.{code}] {key} must be {type(default).__name__}; "
                    f"got {value!r}."
                )
        out[code.upper()] = dict(table)
    return out


def build_options(
    settings: PytestSettings, config: Config, cache_dir: Path | None = None
) -> EngineOptions:
    meta = rules_meta(cache_dir)
    enabled = select_codes(
        [(code, bool(m["default_enabled"])) for code, m in sorted(meta.items())],
        config.select,
        config.ignore,
        config.extend_select,
    )
    return EngineOptions(
        settings=settings,
        enabled=frozenset(enabled),
        rule_settings=rule_settings_from(config, meta),
        helper_patterns=tuple(config.assertion_helpers),
    )


# -- worker side ------------------------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _init_worker(options: Any) -> None:
    from auditor.static.registry import all_rules

    _WORKER["options"] = options
    _WORKER["rules"] = [cls(options.rule_settings.get(cls.code)) for cls in all_rules()]


def _analyze_batch(batch: list[tuple[str, str, str]]) -> list[FileFacts]:
    from auditor.static.context import analyze_source

    options = _WORKER["options"]
    rules = _WORKER["rules"]
    out: list[FileFacts] = []
    for rel, text, kind in batch:
        with _collector_paused():
            out.append(analyze_source(rel, text, options, rules, is_test_module=kind == KIND_TEST))
    return out


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Run one file's analysis without the cyclic garbage collector, then collect its young
    objects once. A parsed file is ~10^5-10^6 libcst nodes, all alive until the analysis ends and
    freed by reference counting afterwards; with the collector on, the allocations trigger
    collections that traverse the whole live tree again and again (a tenth of the scan's CPU).
    The few cycles one file leaves are collected right after it, so memory stays bounded."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


def analyze_many(sources: list[tuple[str, str, str]], options: Any, jobs: int) -> list[FileFacts]:
    """Analyse (relpath, text, kind) triples, in parallel when it pays off; order is preserved.

    `kind` is one of KIND_TEST (a module pytest collects), KIND_CONFTEST, KIND_HELPER (imported
    by a collected file) or KIND_ORPHAN (not collected, not imported, but defines test-like
    functions: only TQ405 looks at it)."""
    if jobs <= 1 or len(sources) < POOL_THRESHOLD:
        _init_worker(options)
        return _analyze_batch(sources)
    batches = [sources[i : i + BATCH] for i in range(0, len(sources), BATCH)]
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(options,)
    ) as pool:
        results = pool.map(_analyze_batch, batches)
        return [facts for batch in results for facts in batch]


# -- cache ------------------------------------------------------------------------------------
class FactsCache:
    """One JSON cache per options token: {content digest: FileFacts}. Pruned to current files.

    Read through `auditor.state.read_cache` (key checked first, typed decoding, a corrupt file is
    discarded with a warning): nothing read from `.auditor/static/` can run code.
    """

    def __init__(self, directory: Path | None, token: str) -> None:
        self.path = directory / f"facts-{token}.json" if directory else None
        self.token = token
        self.entries: dict[str, FileFacts] = {}
        self.dirty = False
        if self.path is not None:
            loaded = state.read_cache(self.path, token, dict[str, FileFacts])
            self.entries = loaded or {}

    def save(self, keep: set[str]) -> None:
        if self.path is None:
            return
        pruned = {k: v for k, v in self.entries.items() if k in keep}
        if not self.dirty and len(pruned) == len(self.entries):
            return
        if not state.write_cache(self.path, self.token, pruned):
            return
        for stale in self.path.parent.glob("facts-*"):  # other engine versions/options
            if stale != self.path:
                stale.unlink(missing_ok=True)


_ENGINE_HASH: list[str] = []


def engine_fingerprint() -> str:
    """Hash of the static engine's own code: any change to a rule or to the facts invalidates the
    caches (a version number alone misses development installs and stale pickled dataclasses)."""
    if not _ENGINE_HASH:
        digest = hashlib.sha256(__version__.encode())
        package = Path(__file__).resolve().parent
        for path in sorted(package.rglob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        _ENGINE_HASH.append(digest.hexdigest()[:16])
    return _ENGINE_HASH[0]


def _excluded(rel: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(rel, pattern) for pattern in patterns)


def _digest(relpath: str, data: bytes, kind: str = KIND_TEST) -> str:
    return hashlib.sha256(f"{kind}:{relpath}".encode() + b"\0" + data).hexdigest()


def _source_digest(project: Project) -> str:
    digest = hashlib.sha256(engine_fingerprint().encode())
    for path in project.source_files():
        try:
            digest.update(str(path).encode() + b"\0" + path.read_bytes())
        except OSError:
            continue
    return digest.hexdigest()[:20]


def _source_index(project: Project, cache_dir: Path | None, key: str) -> SourceIndex:
    cache_file = cache_dir / "source-index.json" if cache_dir else None
    if cache_file is not None:
        cached = state.read_cache(cache_file, key, SourceIndex)
        if cached is not None:
            return cached
    index = build_source_index(project.source_paths, project.root)
    if cache_file is not None:
        state.write_cache(cache_file, key, index)
    return index


def _project_findings(
    project: Project,
    files: dict[str, FileFacts],
    options: EngineOptions,
    cache_dir: Path | None,
    key: str,
    source_key: str,
) -> dict[str, list[RawFinding]]:
    """The cross-file rules' findings; cached by (engine, options, every file's digest, source)."""
    cache_file = cache_dir / "project-findings.json" if cache_dir else None
    if cache_file is not None:
        stored = state.read_cache(cache_file, key, dict[str, list[RawFinding]])
        if stored is not None:
            return stored
    from auditor.static.project_context import ProjectContext
    from auditor.static.registry import all_rules

    index = _source_index(project, cache_dir, source_key)
    context = ProjectContext(files, index, options.enabled, options.rule_settings)
    for cls in all_rules():
        if cls.code in options.enabled:
            cls(options.rule_settings.get(cls.code)).check_project(context)
    if cache_file is not None:
        state.write_cache(cache_file, key, context.findings)
    return context.findings


# -- the scan ---------------------------------------------------------------------------------
def scan(
    project: Project,
    *,
    jobs: int = 1,
    use_cache: bool = True,
    baseline: str | None = None,
    write_baseline_to: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> StaticResult:
    """Run the static analysis over the project's test files."""
    config = project.config
    cache_dir = project.state_dir / "static" if use_cache else None
    options = build_options(project.pytest, config, cache_dir)
    token = hashlib.sha256(f"{engine_fingerprint()}:{options.cache_token()}".encode()).hexdigest()[
        :16
    ]
    cache = FactsCache(cache_dir, token)
    result = StaticResult()

    keys: list[tuple[str, str]] = []
    kinds: dict[str, str] = {}
    files: dict[str, FileFacts] = {}

    def analyse(plan: list[tuple[Path, str]]) -> list[FileFacts]:
        """Analyse one round of (path, kind); returns the facts of the files it added."""
        todo: list[tuple[str, str, str]] = []
        todo_keys: list[str] = []
        round_keys: list[tuple[str, str]] = []
        for path, kind in plan:
            rel = project.rel(path)
            if rel in kinds or _excluded(rel, config.exclude):
                continue
            kinds[rel] = kind
            try:
                data = path.read_bytes()
            except OSError as exc:
                if kind != KIND_ORPHAN:
                    result.diagnostics.append(
                        Diagnostic(path=rel, message=f"cannot be read: {exc}")
                    )
                continue
            key = _digest(rel, data, kind)
            round_keys.append((rel, key))
            if key in cache.entries:
                continue
            from auditor.static.context import decode_source

            text, error = decode_source(data)
            if text is None:
                if kind != KIND_ORPHAN:
                    result.diagnostics.append(Diagnostic(path=rel, message=str(error)))
                round_keys.pop()
                continue
            todo.append((rel, text, kind))
            todo_keys.append(key)
        if progress is not None and todo:
            progress(f"parsing {len(todo)} test files ({len(round_keys) - len(todo)} cached)")
        if todo:
            for key, facts in zip(todo_keys, analyze_many(todo, options, jobs), strict=False):
                cache.entries[key] = facts
            cache.dirty = True
        result.parsed += len(todo)
        result.cached += len(round_keys) - len(todo)
        added: list[FileFacts] = []
        for rel, key in round_keys:
            facts = cache.entries[key]
            if facts.error:
                if kinds[rel] != KIND_ORPHAN:
                    result.diagnostics.append(
                        Diagnostic(
                            path=rel, message=facts.error, line=facts.extra.get("error_line")
                        )
                    )
                continue
            keys.append((rel, key))
            files[rel] = facts
            added.append(facts)
        return added

    from auditor.static.discover import discover

    collection = discover(project.pytest, project.tests_dirs)
    added = analyse(
        [(p, KIND_TEST) for p in collection.test_modules]
        + [(p, KIND_CONFTEST) for p in collection.conftests]
    )
    candidates = [p for p in collection.helpers if p not in collection.test_modules]
    for _depth in range(3):  # helpers imported by tests, and the helpers they import
        imported = {name for f in added for name in (*f.imported_modules, *f.pytest_plugins)}
        new = [
            p
            for p in imported_helpers(imported, candidates, project.root)
            if project.rel(p) not in kinds
        ]
        if not new:
            break
        added = analyse([(p, KIND_HELPER) for p in new])
    if "TQ405" in options.enabled:
        remaining = [p for p in candidates if project.rel(p) not in kinds]
        analyse([(p, KIND_ORPHAN) for p in orphan_candidates(remaining, project.root, "test")])
    cache.save({k for _, k in keys})
    result.files = sum(1 for kind in kinds.values() if kind != KIND_ORPHAN)
    result.facts = files
    result.tests = sum(len(f.tests) for f in files.values() if f.is_test_module)

    source_key = _source_digest(project)
    join_key = hashlib.sha256(
        "\0".join([token, source_key, *(k for _, k in keys)]).encode()
    ).hexdigest()
    project_findings = _project_findings(project, files, options, cache_dir, join_key, source_key)

    for rel, facts in files.items():
        raw = list(facts.findings) + project_findings.get(rel, [])
        if kinds.get(rel) == KIND_ORPHAN:  # not collected, not imported: only "never runs"
            raw = [f for f in raw if f.rule == "TQ405"]
        kept, unused = apply_suppressions(facts, raw, config.per_file_ignores, options.enabled)
        result.findings.extend(kept)
        result.unused_suppressions.extend(unused)
    result.findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule))

    if write_baseline_to:
        write_baseline(Path(write_baseline_to), result.findings)
    baseline_path = baseline or config.baseline
    if baseline_path:
        entries = read_baseline(
            project.root / baseline_path
            if not Path(baseline_path).is_absolute() and not Path(baseline_path).exists()
            else Path(baseline_path)
        )
        result.findings, stale, result.baselined = apply_baseline(result.findings, entries)
        result.unused_suppressions.extend(stale)
    return result
