"""Shared test options: slow end-to-end tests run only with --slow (CI runs them)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="also run tests marked slow (real engines)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: real engine run; use --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
