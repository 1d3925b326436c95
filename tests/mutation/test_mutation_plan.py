"""The runner's plan: which tests, in which order, for how long; and the progress bar's count."""

from __future__ import annotations

import ast
import io

from rich.console import Console

from auditor.coverage.map import CoverageMap
from auditor.mutation.execute import _progress
from auditor.mutation.plan import Planner, Target, covering_tests, statement_lines
from auditor.mutation.store import RunRecord

SOURCE = """def f(x):
    total = compute(
        x,
        1,
    )
    if total > 3:
        return total
    return 0
"""


def test_a_mutation_inside_a_multiline_statement_maps_to_its_first_line() -> None:
    tree = ast.parse(SOURCE)
    assert statement_lines(tree, 4, 4) == {2, 4}  # `1,` belongs to the statement on line 2
    assert statement_lines(tree, 6, 6) == {6}  # an `if` header, not its body


def test_tests_of_the_line_else_of_the_function() -> None:
    cov = CoverageMap.from_contexts({"m.py": {2: ["t::a"], 6: ["t::a", "t::b"], 7: ["t::b"]}})
    assert covering_tests(cov, "m.py", {6}, range(1, 9)) == {"t::a", "t::b"}
    assert covering_tests(cov, "m.py", {1}, range(1, 9)) == {"t::a", "t::b"}  # def line: fallback
    assert covering_tests(cov, "m.py", {1}, []) == set()


def test_killers_first_cheapest_per_kill_then_fastest() -> None:
    planner = Planner({"slow": 2.0, "fast": 0.1, "killer": 1.0, "cheap_killer": 0.6})
    planner.learn(Target("m1", "pkg.x_f", "p.py", []), "killer")
    planner.learn(Target("m2", "pkg.x_f", "p.py", []), "killer")
    planner.learn(Target("m3", "pkg.x_f", "p.py", []), "cheap_killer")
    order = planner.order(["slow", "fast", "killer", "cheap_killer"], "pkg.x_f")
    assert order == ["killer", "cheap_killer", "fast", "slow"]  # 1.0 s / 2 kills < 0.6 s / 1 kill
    assert planner.order(["slow", "fast"], "pkg.x_other") == ["fast", "slow"]


def test_time_limit_is_mutmuts_formula_on_exactly_the_tests_it_runs() -> None:
    planner = Planner({"a": 0.2, "b": 0.3, "c": 9.0}, multiplier=15.0, constant=1.0)
    assert planner.limit(["a", "b"]) == (0.5 + 1.0) * 15.0
    assert planner.limit_from_measured(0.5) == (0.5 + 1.0) * 15.0


def test_mutants_of_import_time_functions_run_fresh_against_every_test() -> None:
    planner = Planner({}, import_time={"pkg.m.x_build"}, all_tests=["t::a", "t::b", "t::c"])
    planner.file_tests = {"pkg/m.py": {"t::b"}}
    job = planner.job(Target("pkg.m.x_build__mutmut_1", "pkg.m.x_build", "pkg/m.py", ["t::c"]))
    assert job.fresh and job.tests[0] == "t::c" and job.tests[1] == "t::b"
    assert sorted(job.tests) == ["t::a", "t::b", "t::c"]
    warm = planner.job(Target("pkg.m.x_use__mutmut_1", "pkg.m.x_use", "pkg/m.py", ["t::a"]))
    assert not warm.fresh and warm.tests == ["t::a"]


def test_the_progress_bar_counts_mutants_not_name_patterns() -> None:
    console = Console(file=io.StringIO(), force_terminal=False)
    progress, advance = _progress(console, {"mutant": 497, "pseudo": 12})
    totals = {task.description: task.total for task in progress.tasks}
    assert totals == {"mutants": 497, "pseudo-tested": 12}
    advance(Target("a", "k", "p.py", [], "mutant"), RunRecord("a", "", 1))
    assert {t.description: t.completed for t in progress.tasks}["mutants"] == 1


def test_a_parametrized_id_from_another_process_runs_its_whole_test_function() -> None:
    """isodate: `test_parse[6-+001985-W15-expected19-...]` in the coverage run is `...expected1-...`
    in the workspace session (a parameter list built from a set follows the hash seed)."""
    from types import SimpleNamespace

    from auditor.mutation.server import WarmPlugin

    plugin = WarmPlugin(1, fresh=True)
    items = [SimpleNamespace(nodeid=n) for n in ("t.py::a[1]", "t.py::a[2]", "t.py::b", "t.py::c")]
    plugin.by_id = {i.nodeid: i for i in items}
    plugin.by_function = {"t.py::a": items[:2]}
    chosen, missing = plugin.select(["t.py::b", "t.py::a[expected19]", "t.py::a[1]", "t.py::gone"])
    assert [i.nodeid for i in chosen] == ["t.py::b", "t.py::a[1]", "t.py::a[2]"]
    assert missing == ["t.py::gone"]
