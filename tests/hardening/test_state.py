"""auditor.state: where state lives, atomic writes, self-healing caches, the project lock."""

from __future__ import annotations

import json
import pickle
import threading
import time
from dataclasses import dataclass, field

import pytest

from auditor import state
from auditor.errors import ToolError, UsageError


@pytest.fixture
def warnings(monkeypatch):
    seen: list[str] = []
    monkeypatch.setattr(state, "warning_sink", seen.append)
    monkeypatch.setattr(state, "_seen_warnings", set())
    return seen


def test_default_state_dir_is_under_the_project_root(tmp_path, monkeypatch):
    monkeypatch.delenv(state.ENV_VAR, raising=False)
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    assert state.state_dir(tmp_path, [tmp_path / "tests"]) == tmp_path / ".auditor"


def test_cache_dir_beats_environment_beats_default(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv(state.ENV_VAR, str(tmp_path / "from-env"))
    assert state.state_dir(tmp_path) == tmp_path / "from-env"
    assert state.state_dir(tmp_path, cache_dir=tmp_path / "flag") == tmp_path / "flag"


def test_no_config_above_the_tests_keeps_state_out_of_tests(tmp_path, monkeypatch):
    monkeypatch.delenv(state.ENV_VAR, raising=False)
    tests = tmp_path / "proj" / "tests"
    tests.mkdir(parents=True)
    # with no marker, the project root falls back to the tests directory itself
    assert state.state_dir(tests, [tests]) == tmp_path / "proj" / ".auditor"


def test_atomic_write_replaces_whole_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "data.json"
    state.atomic_write_json(target, {"a": 1})
    state.atomic_write_json(target, {"b": 2})
    assert json.loads(target.read_text()) == {"b": 2}
    assert [p.name for p in target.parent.iterdir()] == ["data.json"]


def test_append_after_a_truncated_last_line_keeps_the_new_record(tmp_path):
    log = tmp_path / "h.jsonl"
    log.write_text('{"n": 1}\n{"n": 2, "trunc', encoding="utf-8")
    state.append_line(log, json.dumps({"n": 3}))
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '{"n": 1}' and lines[-1] == '{"n": 3}'
    assert json.loads(lines[-1]) == {"n": 3}


def test_concurrent_appends_never_interleave(tmp_path):
    log = tmp_path / "h.jsonl"
    record = json.dumps({"pad": "x" * 3000})

    def writer() -> None:
        for _ in range(50):
            state.append_line(log, record)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 200 and all(json.loads(line) for line in lines)


@dataclass
class Inner:
    name: str
    lines: set[int] = field(default_factory=set)


@dataclass
class Outer:
    items: dict[int, list[Inner]] = field(default_factory=dict)


def test_cache_round_trip_of_typed_data(tmp_path):
    path = tmp_path / "c.json"
    value = {"f": Outer(items={3: [Inner("a", {1, 2})]})}
    assert state.write_cache(path, "k1", value)
    assert state.read_cache(path, "k1", dict[str, Outer]) == value


def test_cache_with_another_key_is_stale_not_corrupt(tmp_path, warnings):
    path = tmp_path / "c.json"
    state.write_cache(path, "old", {"a": 1})
    assert state.read_cache(path, "new", dict[str, int]) is None
    assert warnings == [] and path.exists()


CORRUPTIONS = {
    "empty": b"",
    "truncated": b'{"key": "k", "data": {"a": ',
    "garbage": b"\x00\xff\xfe garbage",
    "not-an-envelope": b"[1, 2, 3]",
    "wrong-type": b'{"key": "k", "data": {"a": "not an int"}}',
    "pickle": pickle.dumps({"a": 1}),
}


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_a_corrupt_cache_is_discarded_with_one_warning(tmp_path, warnings, kind):
    path = tmp_path / "c.json"
    path.write_bytes(CORRUPTIONS[kind])
    assert state.read_cache(path, "k", dict[str, int]) is None
    assert len(warnings) == 1 and str(path) in warnings[0]
    assert not path.exists()  # healed: the next run recomputes and rewrites it


def test_cache_in_an_unwritable_directory_warns_and_goes_on(tmp_path, warnings):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert state.write_cache(blocker / "c.json", "k", {"a": 1}) is False
    assert len(warnings) == 1


def test_require_writable_names_the_cache_dir_option(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UsageError, match="--cache-dir"):
        state.require_writable(blocker / "state")


def test_second_holder_waits_with_a_message_then_gets_the_lock(tmp_path):
    messages: list[str] = []
    order: list[str] = []
    with state.project_lock(tmp_path):

        def second() -> None:
            with state.project_lock(tmp_path, on_wait=messages.append):
                order.append("second")

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)
        order.append("first done")
    thread.join(timeout=10)
    assert order == ["first done", "second"]
    assert len(messages) == 1 and "another auditor scan of this project is running" in messages[0]


def test_lock_timeout_refuses_with_a_clear_message(tmp_path):
    errors: list[BaseException] = []
    with state.project_lock(tmp_path):

        def second() -> None:
            try:
                with state.project_lock(tmp_path, timeout=0.2):
                    pass
            except ToolError as exc:
                errors.append(exc)

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=10)
    assert len(errors) == 1 and "--cache-dir" in str(errors[0])
