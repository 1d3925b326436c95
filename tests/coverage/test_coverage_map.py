"""The who-tests-what map: context normalisation, interning, JSON round trip, queries."""

from __future__ import annotations

from pathlib import Path

from auditor.coverage.map import CoverageMap, map_path, normalise_context


def test_pytest_cov_phase_suffixes_are_normalised_to_the_node_id() -> None:
    assert normalise_context("tests/t.py::test_a|run") == "tests/t.py::test_a"
    assert normalise_context("tests/t.py::test_a|setup") == "tests/t.py::test_a"
    assert normalise_context("tests/t.py::TestX::test_b[1-2]") == "tests/t.py::TestX::test_b[1-2]"


def _map() -> CoverageMap:
    return CoverageMap.from_contexts(
        {
            "pkg/a.py": {
                1: [""],  # import time only: not a test
                3: ["tests/t.py::test_a|setup", "tests/t.py::test_a|run", "tests/t.py::test_b"],
                4: ["tests/t.py::test_b"],
            },
            "pkg/b.py": {7: ["tests/t.py::test_a"]},
        }
    )


def test_queries_answer_who_covers_what() -> None:
    cov = _map()
    assert cov.tests_for("pkg/a.py", 3) == {"tests/t.py::test_a", "tests/t.py::test_b"}
    assert cov.tests_for("pkg/a.py", 1) == set()
    assert cov.tests_for("pkg/zzz.py", 3) == set()
    assert cov.tests_for_lines("pkg/a.py", range(3, 5)) == {
        "tests/t.py::test_a",
        "tests/t.py::test_b",
    }
    assert cov.lines_per_test() == {"tests/t.py::test_a": 2, "tests/t.py::test_b": 2}
    assert cov.covered_lines("pkg/a.py") == {3, 4}


def test_map_round_trips_through_the_state_dir(tmp_path: Path) -> None:
    cov = _map()
    cov.save(map_path(tmp_path))
    loaded = CoverageMap.load(tmp_path)
    assert loaded == cov
    assert CoverageMap.load(tmp_path / "missing").tests == []
