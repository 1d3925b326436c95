"""Fixtures for the report tests: hand-built scorecards and a project on disk for excerpts."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_cards import SOURCE, TESTS, make_full_card, make_static_card

from auditor.model import Scorecard


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "core.py").write_text(SOURCE)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_core.py").write_text(TESTS)
    return tmp_path


@pytest.fixture
def static_card() -> Scorecard:
    return make_static_card()


@pytest.fixture
def full_card() -> Scorecard:
    return make_full_card()
