"""Mutants that crash mutmut's pre-warmed forkserver worker are re-run with a cold worker."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.mutation.mutmut_run import engine
from auditor.mutation.mutmut_run import warm_worker_crashes as _warm_worker_crashes
from auditor.mutation.workspace import MutmutSettings


def _workspace(tmp_path: Path, codes: dict[str, int | None]) -> Path:
    meta = tmp_path / "mutants" / "pkg" / "mod.py.meta"
    meta.parent.mkdir(parents=True)
    meta.write_text(
        json.dumps(
            {
                "exit_code_by_key": codes,
                "hash_by_function_name": {},
                "type_check_error_by_key": {},
                "durations_by_key": {},
                "estimated_durations_by_key": {},
            }
        ),
        encoding="utf-8",
    )
    return tmp_path


def _settings(isolation: str, warmup: str = "collect") -> MutmutSettings:
    return MutmutSettings(
        source_paths=["pkg/"],
        also_copy=[],
        test_selection=["tests/"],
        pytest_args=[],
        process_isolation=isolation,
        forkserver_warmup=warmup,
    )


def test_exit_255_under_a_warm_forkserver_is_retried(tmp_path):
    ws = _workspace(
        tmp_path,
        {"pkg.mod.x_f__mutmut_1": 255, "pkg.mod.x_f__mutmut_2": 1, "pkg.mod.x_g__mutmut_1": 255},
    )
    names = ["pkg.mod.x_f__mutmut_1", "pkg.mod.x_f__mutmut_2"]
    assert _warm_worker_crashes(ws, _settings("forkserver"), names) == ["pkg.mod.x_f__mutmut_1"]


def test_no_retry_in_fork_mode_or_with_a_cold_worker(tmp_path):
    ws = _workspace(tmp_path, {"pkg.mod.x_f__mutmut_1": 255})
    names = ["pkg.mod.x_f__mutmut_1"]
    assert _warm_worker_crashes(ws, _settings("fork"), names) == []
    assert _warm_worker_crashes(ws, _settings("forkserver", "none"), names) == []


def test_the_engine_string_names_a_cold_worker():
    assert "(forkserver, warmup none, 2 children)" in engine(_settings("forkserver", "none"), 2)
    assert "(fork, 2 children)" in engine(_settings("fork"), 2)
    assert 'forkserver_warmup = "none"' in _settings("forkserver", "none").to_toml()
