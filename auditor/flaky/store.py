"""Finished runs under `.auditor/flaky/` as JSON lines (never pickle), so Ctrl-C keeps them.

`key.json` holds the fingerprint of the project (source, tests, configuration, seed); when it no
longer matches, the old runs are dropped. `runs.jsonl` gets one line per finished run, appended
and flushed at once; a line cut short by an interrupt is ignored on the next read.
"""

from __future__ import annotations

import json
from pathlib import Path

from auditor.flaky.runs import RunResult, RunSpec


class RunStore:
    """Finished runs by `RunSpec.key`; `enabled=False` (--no-cache) reads nothing but still writes."""

    def __init__(self, directory: Path, key: str, enabled: bool = True) -> None:
        self.directory = directory
        self.key = key
        self.runs: dict[str, RunResult] = {}
        directory.mkdir(parents=True, exist_ok=True)
        key_file = directory / "key.json"
        self.path = directory / "runs.jsonl"
        old_key = None
        if key_file.is_file():
            try:
                old_key = json.loads(key_file.read_text("utf-8")).get("key")
            except (OSError, ValueError, AttributeError):
                old_key = None
        if not enabled or old_key != key:
            self.path.unlink(missing_ok=True)
            key_file.write_text(json.dumps({"key": key}), encoding="utf-8")
            return
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    result = RunResult.from_json(json.loads(line))
                except (ValueError, TypeError):
                    continue
                self.runs[result.key] = result

    def get(self, spec: RunSpec) -> RunResult | None:
        return self.runs.get(spec.key)

    def put(self, result: RunResult) -> None:
        self.runs[result.key] = result
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(result.to_json(), sort_keys=True) + "\n")
            fh.flush()
