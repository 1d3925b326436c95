"""Shared test options: slow end-to-end tests run only with --slow (CI runs them); and a guard
that the suite leaves no trace in `sample_project/` (tests work on copies under tmp_path)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tree_guard import SAMPLE, changes, snapshot


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="also run tests marked slow (real engines)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: real engine run; use --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def sample_project_untouched() -> Iterator[None]:
    """Fail the run (an error at teardown of its last test) if anything under sample_project/
    was added, removed or modified: a test must copy the sample to tmp_path before running on it."""
    before = snapshot(SAMPLE)
    yield
    diff = changes(before, snapshot(SAMPLE))
    assert not diff, "the test-suite changed sample_project/ (work on a copy):\n" + "\n".join(diff)
