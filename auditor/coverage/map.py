"""The who-tests-what table: (project-relative file, line) -> pytest node ids.

Built once from coverage.py's `CoverageData` (never from `coverage json --show-contexts`, which
repeats the whole context map per function and reaches gigabytes), stored compactly with interned
test ids under `.auditor/coverage/map.json`, and loaded by the mutation and properties stages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAP_VERSION = 1


def normalise_context(context: str) -> str:
    """pytest-cov style `nodeid|run` and our bare node ids both become the node id."""
    for suffix in ("|setup", "|run", "|teardown", "|call"):
        if context.endswith(suffix):
            return context[: -len(suffix)]
    return context


def map_path(state_dir: Path) -> Path:
    return state_dir / "coverage" / "map.json"


@dataclass
class CoverageMap:
    """Lines executed per test. Empty contexts (import time, outside any test) are not tests."""

    tests: list[str] = field(default_factory=list)
    files: dict[str, dict[int, list[int]]] = field(default_factory=dict)

    @classmethod
    def from_contexts(cls, by_file: dict[str, dict[int, Iterable[str]]]) -> CoverageMap:
        """Build from `{path: {line: [context, ...]}}` (what `contexts_by_lineno` returns)."""
        index: dict[str, int] = {}
        files: dict[str, dict[int, list[int]]] = {}
        for path in sorted(by_file):
            lines: dict[int, list[int]] = {}
            for line, contexts in sorted(by_file[path].items()):
                ids = {normalise_context(c) for c in contexts if c}
                ids.discard("")
                if ids:
                    lines[line] = sorted(index.setdefault(i, len(index)) for i in sorted(ids))
            files[path] = lines
        tests = [""] * len(index)
        for test, i in index.items():
            tests[i] = test
        return cls(tests=tests, files=files)

    def tests_for(self, path: str, line: int) -> set[str]:
        return {self.tests[i] for i in self.files.get(path, {}).get(line, [])}

    def tests_for_lines(self, path: str, lines: Iterable[int]) -> set[str]:
        out: set[str] = set()
        for line in lines:
            out |= self.tests_for(path, line)
        return out

    def lines_per_test(self) -> dict[str, int]:
        """How many source lines each test executes (TestResult.covers_lines), in one pass."""
        counts = [0] * len(self.tests)
        for lines in self.files.values():
            for ids in lines.values():
                for i in ids:
                    counts[i] += 1
        return {test: counts[i] for i, test in enumerate(self.tests)}

    def covered_lines(self, path: str) -> set[int]:
        return set(self.files.get(path, {}))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": MAP_VERSION,
            "tests": self.tests,
            "files": {p: {str(k): v for k, v in lines.items()} for p, lines in self.files.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CoverageMap:
        if data.get("version") != MAP_VERSION:
            raise ValueError(f"unsupported coverage map version {data.get('version')!r}")
        files = {
            p: {int(k): list(v) for k, v in lines.items()} for p, lines in data["files"].items()
        }
        return cls(tests=list(data["tests"]), files=files)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), separators=(",", ":")), encoding="utf-8")

    @classmethod
    def load(cls, project_or_state_dir: Any) -> CoverageMap:
        """Load the map of a Project (or of a state dir); an empty map when none was recorded."""
        state_dir = getattr(project_or_state_dir, "state_dir", project_or_state_dir)
        path = map_path(Path(state_dir))
        if not path.is_file():
            return cls()
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
