"""One real run: the order is obeyed, a hanging test is stopped at the time limit and recorded as
`timeout`, and the progress bar counts test executions."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from auditor.flaky.progress import RichProgress
from auditor.flaky.runner import ProcessExecutor
from auditor.flaky.runs import RunSpec
from auditor.flaky.session import Session
from auditor.project import load_project

TESTS = (
    "import time\n\n\ndef test_ok():\n    assert True\n\n\n"
    "def test_hangs():\n    time.sleep(120)\n\n\ndef test_after():\n    assert True\n"
)


@pytest.mark.slow
def test_order_is_obeyed_and_a_hanging_test_is_cut_at_the_limit(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '0'\n")
    (tmp_path / "tests" / "test_t.py").write_text(TESTS)
    project = load_project(tmp_path / "tests")
    executor = ProcessExecutor(project, project.state_dir / "flaky" / "work")
    ok, hangs, after = (f"tests/test_t.py::{n}" for n in ("test_ok", "test_hangs", "test_after"))
    quick = executor.run(RunSpec("order", (after, ok)), timeout=120)
    assert quick.executed == [after, ok]
    assert quick.outcomes == {after: "passed", ok: "passed"}
    cut = executor.run(RunSpec("order", (ok, hangs, after)), timeout=8)
    assert cut.timed_out
    assert cut.outcomes == {ok: "passed", hangs: "timeout"}
    assert cut.failed(hangs) is True and cut.failed(after) is None
    assert cut.seconds < 60


def test_progress_counts_planned_and_unplanned_runs() -> None:
    class Fixed:
        def run(self, spec: RunSpec, timeout: float) -> object:
            from auditor.flaky.runs import RunResult

            return RunResult(
                key=spec.key, kind=spec.kind, outcomes=dict.fromkeys(spec.order, "passed")
            )

    console = Console(file=io.StringIO(), force_terminal=False)
    with RichProgress(console) as progress:
        session = Session(Fixed(), progress=progress)  # type: ignore[arg-type]
        progress.plan(4)
        session.run(RunSpec("order", ("a", "b", "c", "d")))
        session.run(RunSpec("probe", ("a", "b")))  # analysis runs add to the total themselves
        task = progress._progress.tasks[0]
        assert (task.completed, task.total) == (6, 6)


FRESH = (
    "import os\nimport random\nfrom pathlib import Path\n\n\n"
    "def test_pollutes():\n    os.environ['AUDITOR_ZYGOTE_LEAK'] = '1'\n\n\n"
    "def test_sees_clean_env():\n    assert 'AUDITOR_ZYGOTE_LEAK' not in os.environ\n\n\n"
    "def test_draw():\n    Path(os.environ['DRAW_OUT']).write_text(repr(random.random()))\n"
)


@pytest.mark.slow
def test_forked_runs_are_fresh_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Probes and verifications are forked from a pytest zygote: nothing leaks from one run into
    the next, each gets its own environment and `random` is reseeded in every fork."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '0'\n")
    (tmp_path / "tests" / "test_f.py").write_text(FRESH)
    project = load_project(tmp_path / "tests")
    executor = ProcessExecutor(project, project.state_dir / "flaky" / "work")
    pollutes, clean, draw = (
        f"tests/test_f.py::{n}" for n in ("test_pollutes", "test_sees_clean_env", "test_draw")
    )
    try:
        together = executor.run(RunSpec("verify", (pollutes, clean)), timeout=120)
        assert together.outcomes == {pollutes: "passed", clean: "failed"}
        assert executor._zygote is not None  # the verification really was forked
        apart = executor.run(RunSpec("probe", (clean,)), timeout=120)
        assert apart.outcomes == {clean: "passed"}
        draws = []
        for i in range(2):
            out = tmp_path / f"draw{i}"
            monkeypatch.setenv("DRAW_OUT", str(out))
            assert executor.run(RunSpec("probe", (draw,), label=str(i)), 120).outcomes == {
                draw: "passed"
            }
            draws.append(out.read_text())
        assert draws[0] != draws[1]
    finally:
        executor.close()
    assert executor._zygote is None
