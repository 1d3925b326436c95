"""Results of our runner, streamed to disk as they come: `mutants/auditor-results.jsonl`.

One JSON line per finished mutant, appended and flushed immediately, so Ctrl-C (or a killed
process) loses nothing that finished. Each line carries the AST hash of the mutant's function at
the time it ran; a line whose hash no longer matches the generated `.meta` is stale and ignored
(the function changed, mutmut's own invalidation rule). After a run the results are folded into
mutmut's `.meta` files as exit codes (so `mutmut results`/`browse` agree in the workspace):

| our outcome | `.meta` exit code (mutmut's meaning) |
|---|---|
| a test failed | 1 (killed) |
| every test passed | 0 (survived) |
| timeout, confirmed | -24 (SIGXCPU: timeout) |
| no covering test | 33 (no tests) |
| runner error | 35 (suspicious) |
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from auditor.mutation.results import RawMutant, read_meta

RESULTS = "auditor-results.jsonl"
TIMEOUT_CODE = -24
NO_TESTS_CODE = 33
ERROR_CODE = 35


@dataclass
class RunRecord:
    """What our runner measured for one mutant."""

    id: str
    hash: str
    exit_code: int  # see the table in the module docstring
    killed_by: str = ""
    error: str = ""
    seconds: float = 0.0  # wall time of the mutant's run
    test_seconds: float = 0.0  # pytest's durations of the tests it ran (the floor of `seconds`)
    limit: float = 0.0
    tests_run: int = 0
    fresh: bool = False


class ResultStore:
    def __init__(self, mutants_dir: Path) -> None:
        self.mutants_dir = mutants_dir
        self.path = mutants_dir / RESULTS
        self._fh: Any = None

    def append(self, record: RunRecord) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("a", encoding="utf-8")
        self._fh.write(json.dumps(asdict(record), sort_keys=True) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def load(self) -> dict[str, RunRecord]:
        """The last record per mutant id (lines cut short by a crash are skipped)."""
        out: dict[str, RunRecord] = {}
        if not self.path.is_file():
            return out
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                data = json.loads(line)
                out[data["id"]] = RunRecord(**data)
            except (ValueError, KeyError, TypeError):
                continue
        return out

    def forget(self, ids: set[str]) -> None:
        """Drop the records of these mutants (e.g. their tests changed)."""
        kept = [r for r in self.load().values() if r.id not in ids]
        self._rewrite(kept)

    def _rewrite(self, records: list[RunRecord]) -> None:
        self.close()
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(
            "".join(json.dumps(asdict(r), sort_keys=True) + "\n" for r in records), "utf-8"
        )
        tmp.replace(self.path)

    def fold(self) -> int:
        """Write current records into the `.meta` files; returns how many were written."""
        records = self.load()
        if not records:
            return 0
        written = 0
        current: list[RunRecord] = []
        for meta_path in sorted(self.mutants_dir.rglob("*.py.meta")):
            data = read_meta(meta_path)
            hashes = data.get("hash_by_function_name", {})
            changed = False
            for name in data["exit_code_by_key"]:
                record = records.get(name)
                if record is None or hashes.get(_mangled(name)) != record.hash:
                    continue
                current.append(record)
                if data["exit_code_by_key"][name] != record.exit_code:
                    data["exit_code_by_key"][name] = record.exit_code
                    data.setdefault("durations_by_key", {})[name] = record.seconds
                    changed = True
                    written += 1
            if changed:
                meta_path.write_text(json.dumps(data, indent=4), encoding="utf-8")
        self._rewrite(current)
        return written


def _mangled(name: str) -> str:
    return name.partition("__mutmut_")[0].rpartition(".")[2]


def overlay(raws: list[RawMutant], records: dict[str, RunRecord]) -> list[RawMutant]:
    """Apply current records (same function hash) to mutmut's raw results, in place."""
    for raw in raws:
        record = records.get(raw.name)
        if record is None or record.hash != raw.hash:
            continue
        raw.exit_code = record.exit_code
        raw.duration = record.seconds
        raw.estimated = None
        raw.killed_by = record.killed_by
        raw.error = record.error
        raw.limit = record.limit
    return raws
