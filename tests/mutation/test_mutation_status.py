"""Exit code -> status, and the 255 correction (docs/mutmut-internals.md, "Exit codes")."""

from __future__ import annotations

import pytest

from auditor.mutation.status import verdict, wall_limit


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (1, "killed"),
        (3, "killed"),
        (0, "survived"),
        (33, "no_coverage"),
        (5, "no_coverage"),
        (-24, "timeout"),
        (24, "timeout"),
        (152, "timeout"),
        (36, "timeout"),
        (None, "pending"),
        (37, "skipped"),
        (-11, "error"),
        (-9, "error"),
        (2, "error"),
        (77, "error"),
    ],
)
def test_exit_codes_map_to_stryker_statuses(code: int | None, status: str) -> None:
    assert verdict(code, duration=0.1).status == status


def test_255_after_a_short_run_is_an_error_not_a_timeout() -> None:
    result = verdict(255, duration=0.2, estimated=0.01)
    assert result.status == "error"
    assert "255" in result.reason and "crash" in result.reason


def test_255_without_duration_is_an_error() -> None:
    assert verdict(255, duration=None).status == "error"


def test_255_near_the_wall_limit_is_a_real_timeout() -> None:
    limit = wall_limit(0.5, None, None)
    assert limit == pytest.approx(22.5)
    assert verdict(255, duration=limit * 0.95, estimated=0.5).status == "timeout"


def test_custom_timeout_settings_change_the_limit() -> None:
    assert wall_limit(0.0, 2.0, 0.5) == pytest.approx(1.0)
    assert (
        verdict(255, duration=0.9, estimated=0.0, multiplier=2.0, constant=0.5).status == "timeout"
    )
