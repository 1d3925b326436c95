"""One wording of a flaky test's cause for every report (terminal, HTML, SARIF, JUnit, PR comment)."""

from __future__ import annotations

from auditor.flaky.state import summary as state_summary
from auditor.model import FLAKY_KINDS, FlakyTest, Scorecard


def _state(entry: FlakyTest, by: str) -> str:
    text = state_summary([e for e in entry.state if e.get("by", by) == by])
    return f" ({text})" if text else ""


def rate(entry: FlakyTest) -> str:
    """ "failed 3 of 12 runs (25.0%, 95% CI 8.9-53.2%)"."""
    text = f"failed {entry.failures} of {entry.runs} runs"
    if entry.failure_rate is not None and entry.failure_ci:
        low, high = entry.failure_ci
        text += f" ({entry.failure_rate:g}%, 95% CI {low:g}-{high:g}%)"
    return text


def cause(entry: FlakyTest) -> str:
    """The verified cause as one sentence."""
    also = f" together with {', '.join(entry.also_needed)}" if entry.also_needed else ""
    if entry.kind == "order-dependent":
        text = f"fails when {entry.polluter}{also} runs before it{_state(entry, 'polluter')}"
        if entry.cleaner:
            text += f"; {entry.cleaner} cleans up after it{_state(entry, 'cleaner')}"
        return text + "."
    if entry.kind == "brittle":
        return (
            f"fails when run alone; passes only after {entry.state_setter}{also}"
            f"{_state(entry, 'state-setter')}."
        )
    if entry.kind == "parallel-unsafe":
        partner = f" while {entry.concurrent} runs at the same time" if entry.concurrent else ""
        return f"fails under pytest -n 2{partner}, passes in every serial run; {rate(entry)}."
    return f"{rate(entry)} in fresh processes, whatever ran before it."


def title(entry: FlakyTest) -> str:
    return f"{entry.kind} test {entry.test}"


def counts(card: Scorecard) -> dict[str, int]:
    out: dict[str, int] = {kind: 0 for kind in FLAKY_KINDS}
    for entry in card.flaky:
        out[entry.kind] += 1
    return out


def counts_line(card: Scorecard) -> str:
    """ "2 order-dependent, 1 non-deterministic" (kinds with none left out; "none" if empty)."""
    parts = [f"{n} {kind}" for kind, n in counts(card).items() if n]
    return ", ".join(parts) or "none"


def search_line(card: Scorecard) -> str:
    """What the flakiness search covered, from `card.meta.flaky` ("" when it did not run)."""
    search = card.meta.flaky
    if search is None:
        return ""
    text = f"{search.tests} tests, {search.runs} runs in {search.seconds:g} s"
    if search.pair_coverage is not None:
        text += f", pair coverage {100 * search.pair_coverage:.0f}%"
    if search.not_covered:
        text += f"; not covered: {'; '.join(search.not_covered)}"
    return text
