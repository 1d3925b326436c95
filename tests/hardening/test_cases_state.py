"""Issue 12, "nothing lost, nothing corrupted": caches heal, history survives, scans do not collide,
state can live elsewhere, and a planted cache file runs no code."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hardening_projects import auditor, make_project

from auditor import cli, state

PAYLOAD_MARK = "planted-cache-ran"


class _Planted:
    """Unpickling this runs `open(MARK, 'w')`: the proof that a cache executed code."""

    def __init__(self, mark: Path) -> None:
        self.mark = mark

    def __reduce__(self):
        return (open, (str(self.mark), "w"))


def _static_json(tests: Path, *extra: str) -> tuple[int, dict, str]:
    done = auditor("scan", str(tests), "--only", "static", "--format", "json", *extra, cwd=tests.parent)
    card = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
    return done.returncode, card, done.stderr


def _finding_keys(card: dict) -> list[tuple]:
    return sorted((f["rule"], f["path"], f["line"]) for f in card.get("findings", []))


STATIC_TESTS = '''\
from calc import add


def test_add():
    add(2, 3) == 5


def test_nothing():
    pass
'''

CORRUPTIONS = {
    "empty": b"",
    "truncated": None,  # first half of the real file
    "garbage bytes": b"\xff\xfe\x00\x01garbage",
    "wrong shape": b'{"key": 1, "data": [1, 2]}',
    "JSON list": b"[1, 2, 3]",
}


@pytest.mark.parametrize("how", sorted(CORRUPTIONS))
def test_case_corrupted_static_cache_files_heal(tmp_path, how):
    tests = make_project(tmp_path, tests=STATIC_TESTS)
    code, clean, _ = _static_json(tests)
    assert code == 0 and _finding_keys(clean)  # TQ112/TQ110 are found
    files = sorted((tmp_path / ".auditor" / "static").iterdir())
    assert {f.name.split("-")[0].split(".")[0] for f in files} >= {"facts", "project", "rules", "source"}
    for path in files:
        original = path.read_bytes()
        path.write_bytes(CORRUPTIONS[how] if CORRUPTIONS[how] is not None else original[: len(original) // 2])
    code, healed, err = _static_json(tests)
    assert code == 0, err
    assert "Traceback" not in err
    assert _finding_keys(healed) == _finding_keys(clean)
    warned = [line for line in err.splitlines() if "discarded a corrupt cache file" in line]
    assert how == "wrong shape" or len(warned) == len(files)  # wrong-key envelopes are just stale
    code, again, err = _static_json(tests)  # healed: the rewritten caches are used silently
    assert code == 0 and "discarded" not in err and _finding_keys(again) == _finding_keys(clean)


def test_case_planted_pickle_cache_runs_no_code(tmp_path):
    tests = make_project(tmp_path)
    mark = tmp_path / PAYLOAD_MARK
    static = tmp_path / ".auditor" / "static"
    static.mkdir(parents=True)
    payload = pickle.dumps(_Planted(mark))
    # the old cache names (pickle) and the current ones (JSON): none may be unpickled
    for name in ("facts-0123456789abcdef.pickle", "project-findings.pickle",
                 "source-index-abc.pickle", "facts-0123456789abcdef.json", "project-findings.json",
                 "source-index.json", "rules.json"):
        (static / name).write_bytes(payload)
    code, card, err = _static_json(tests)
    assert code == 0, err
    assert not mark.exists(), "a planted cache file executed code"
    assert card["summary"]["findings"] is not None


def test_no_pickle_anywhere_in_the_package():
    package = Path(cli.__file__).parent
    users = [p for p in package.rglob("*.py") if "import pickle" in p.read_text(encoding="utf-8")]
    assert users == []


HISTORY_LINE = {"date": "2026-01-01T00:00:00Z", "branch": "main", "commit": "a" * 40,
                "stages": ["static"], "metrics": {"score": 50.0, "errors": 3}}


def test_case_garbage_line_in_history(tmp_path, capsys):
    tests = make_project(tmp_path)
    history = tmp_path / ".auditor" / "history.jsonl"
    history.parent.mkdir()
    history.write_bytes(
        json.dumps(HISTORY_LINE).encode() + b"\n\xff\xfe\x00 not json\n[1, 2]\n"
        + json.dumps({**HISTORY_LINE, "commit": "b" * 40}).encode() + b"\n"
    )
    assert cli.main(["history", str(tmp_path), "--json"]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(line)["commit"][0] for line in out.splitlines()] == ["a", "b"]
    assert "skipped 2 unreadable line(s)" in err
    # --ratchet reads the same file: it compares with the last good entry instead of crashing
    assert cli.main(["scan", str(tests), "--only", "static", "-q", "--ratchet"]) == 0


def test_case_truncated_history_line_keeps_the_next_scans(tmp_path):
    tests = make_project(tmp_path)
    history = tmp_path / ".auditor" / "history.jsonl"
    history.parent.mkdir()
    history.write_text(json.dumps(HISTORY_LINE) + "\n" + json.dumps(HISTORY_LINE)[:25], encoding="utf-8")
    for _ in range(2):
        assert cli.main(["scan", str(tests), "--only", "static", "-q"]) == 0
    done = auditor("history", str(tmp_path), "--json", cwd=tmp_path)
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 3  # the old good entry and both new scans


def test_case_no_config_above_tests_keeps_state_out_of_tests(tmp_path):
    project = tmp_path / "proj"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_x.py").write_text("def test_x():\n    assert 1 + 1 == 2\n")
    done = auditor("scan", "tests", "--only", "static", "-q", cwd=project)
    assert done.returncode == 0, done.stderr
    assert not (project / "tests" / ".auditor").exists()
    assert (project / ".auditor" / "history.jsonl").is_file()


def test_case_cache_dir_and_environment_put_all_state_elsewhere(tmp_path):
    tests = make_project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    assert auditor("scan", "tests", "--only", "static", "-q", "--cache-dir", str(elsewhere),
                   cwd=tmp_path).returncode == 0
    assert (elsewhere / "history.jsonl").is_file() and (elsewhere / "static").is_dir()
    from_env = tmp_path / "from-env"
    done = auditor("scan", "tests", "--only", "static", "-q", cwd=tmp_path,
                   env={state.ENV_VAR: str(from_env)})
    assert done.returncode == 0 and (from_env / "history.jsonl").is_file()
    assert not (tmp_path / ".auditor").exists()
    history = auditor("history", ".", "--json", "--cache-dir", str(elsewhere), cwd=tmp_path)
    assert len(history.stdout.splitlines()) == 1
    assert tests.is_dir()


def _read_only(project: Path, command: str) -> subprocess.CompletedProcess[str]:
    """Run `command` with `project` bind-mounted read-only (a private mount namespace)."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) to make a read-only mount")
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("user/mount namespaces are not available here")
    script = (
        f"mount --bind {project} {project} && mount -o remount,bind,ro {project} && "
        f"cd {project} && ! touch probe 2>/dev/null && {command}"
    )
    env = {k: v for k, v in os.environ.items() if k != state.ENV_VAR}
    env["NO_COLOR"] = "1"
    return subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True,
                          env=env, timeout=300, check=False)


def test_case_read_only_project_directory(tmp_path):
    make_project(tmp_path)
    python = f"{sys.executable} -m auditor"
    static = _read_only(tmp_path, f"{python} scan tests --only static -q")
    assert static.returncode == 0, static.stderr
    assert "running without the cache" in static.stderr and "Traceback" not in static.stderr
    full = _read_only(tmp_path, f"{python} scan tests -q --skip mutation,properties")
    assert full.returncode == 2 and "--cache-dir" in full.stderr
    assert "Read-only file system" in full.stderr
    elsewhere = tmp_path.parent / (tmp_path.name + "-state")
    ok = _read_only(tmp_path, f"{python} scan tests -q --skip mutation,properties --cache-dir {elsewhere}")
    assert ok.returncode == 0, ok.stderr
    assert (elsewhere / "coverage").is_dir()


def test_case_two_scans_of_one_project_take_turns(tmp_path):
    tests = make_project(tmp_path)
    state_dir = tmp_path / ".auditor"
    env = {k: v for k, v in os.environ.items() if k != state.ENV_VAR}
    with state.project_lock(state_dir):
        second = subprocess.Popen(
            [sys.executable, "-m", "auditor", "scan", str(tests), "--only", "static", "-q"],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        time.sleep(3)
        assert second.poll() is None, "the second scan ran while the first held the lock"
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "another auditor scan of this project is running" in err
    assert "score" in out


@pytest.mark.slow
def test_case_corrupted_engine_caches_lose_no_mutant(tmp_path):
    """Coverage, mutation (mutmut's .meta/.spans/stats), pseudo-tested and witness caches: each
    corrupted a different way, the next scan reports the same mutants and the same score."""
    make_project(tmp_path, config="[tool.auditor.witness]\nmax-examples = 20\nseconds = 2\n")
    before_json = tmp_path / "before.json"
    first = auditor("scan", "tests", "-q", "--json", str(before_json), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    state_dir = tmp_path / ".auditor"
    mutants = state_dir / "mutation" / "workspace" / "mutants"
    damage = {
        state_dir / "coverage" / "result.json": lambda b: b[: len(b) // 2],
        state_dir / "coverage" / "map.json": lambda b: b"\xff\xfe garbage",
        state_dir / "mutation" / "state.json": lambda b: b"[1, 2]",
        state_dir / "mutation" / "pseudo.json": lambda b: b'{"k": {"not": "a verdict"}}',
        state_dir / "properties" / "witness-cache.json": lambda b: b'{"m": 1',
        mutants / "calc" / "__init__.py.meta": lambda b: b[: len(b) // 3],
        mutants / "calc" / "__init__.py.spans": lambda b: b'{"spans": {"x": 1}}',
        mutants / "mutmut-stats.json": lambda b: b"",  # mutmut's runner only
        mutants / "auditor-results.jsonl": lambda b: b + b"\xff garbage\n{\"half\": ",
    }
    optional = {mutants / "mutmut-stats.json", mutants / "auditor-results.jsonl"}
    for path, spoil in damage.items():
        if path in optional and not path.is_file():
            continue
        assert path.is_file(), path
        path.write_bytes(spoil(path.read_bytes()))
    after_json = tmp_path / "after.json"
    second = auditor("scan", "tests", "-q", "--json", str(after_json), cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr
    before, after = json.loads(before_json.read_text()), json.loads(after_json.read_text())
    assert sorted((m["id"], m["status"]) for m in after["mutants"]) == sorted(
        (m["id"], m["status"]) for m in before["mutants"]
    )
    assert after["summary"]["mutation_score"] == before["summary"]["mutation_score"]
    assert after["summary"]["score"] == before["summary"]["score"]
    # one line each (the .spans file went with its .meta: that source file was regenerated)
    for name in ("result.json", "__init__.py.meta", "witness-cache.json"):
        assert name in second.stderr, f"no warning for {name}: {second.stderr}"


@pytest.mark.slow
def test_a_cache_dir_inside_the_project_is_not_mirrored_into_itself(tmp_path):
    make_project(tmp_path)
    done = auditor("scan", "tests", "-q", "--skip", "properties", "--cache-dir", "state-here",
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    workspace = tmp_path / "state-here" / "mutation" / "workspace"
    assert (workspace / "calc" / "__init__.py").is_file()
    assert not (workspace / "state-here").exists()
