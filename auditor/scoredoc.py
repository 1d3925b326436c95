"""`auditor explain-score`: how the overall score is computed, with the weights in effect.

With `--scorecard FILE` (a `--json` output) it also replays that card's arithmetic, component by
component, so a reader can check every step of the number a report showed them. The definitions
are read from `auditor.metric_registry`, so this text cannot drift from the code.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path

from auditor import score
from auditor.errors import UsageError
from auditor.metric_registry import COMPONENT_BY_NAME
from auditor.model import Scorecard


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`auditor explain-score [PATH] [--scorecard FILE]`."""
    parser.add_argument(
        "--scorecard", metavar="FILE", help="also replay the computation for this JSON scorecard"
    )
    parser.add_argument(
        "path", nargs="?", default=".", help="project whose [tool.auditor.score] weights to show"
    )


def _configured_weights(path: str) -> tuple[dict[str, float], str]:
    from auditor.config import load_config
    from auditor.project import find_root

    start = Path(path)
    if not start.exists():
        return score.weights(None), "defaults"
    root = find_root(start.resolve())
    config = load_config(root)
    source = f"{config.source_file} [tool.auditor.score]" if config.score else "defaults"
    return score.weights(config), source


def formula_text(weights: dict[str, float], source: str) -> list[str]:
    """The formula, one line per component with its weight, share and definition (lines of text)."""
    total = sum(w for w in weights.values() if w > 0) or 1.0
    lines = [
        "Overall score = weighted mean of the components that have data (0-100).",
        f"Weights ({source}); shares when every component has data:",
    ]
    for name, weight in weights.items():
        component = COMPONENT_BY_NAME[name]
        lines.append(
            f"  {name:<14} {weight:>5g}  ({100 * weight / total:.0f}%)  {component.label}"
        )
        lines += textwrap.wrap(
            component.definition, width=96, initial_indent=" " * 24, subsequent_indent=" " * 24
        )
    bands = ", ".join(f"{letter} >= {floor:g}" for floor, letter in score.GRADE_BANDS)
    lines += [
        "A component whose stage did not run (or has no data) is left out and the remaining",
        "weights are scaled to sum to 1; the report names every component left out and why.",
        "With only the static stage the score comes from findings alone and is labelled so.",
        f"Grade: {bands}, else F.",
        "Components are rounded to one decimal before weighting; the score is rounded once more.",
    ]
    return lines


def replay(card: Scorecard) -> list[str]:
    """The card's score arithmetic, component by component (one line each), then the sum."""
    summary = card.summary
    components = summary.components
    used = summary.weights
    lines = [f"This scorecard: {summary.score_basis}"]
    terms = []
    for name, share in used.items():
        value = components.get(name)
        if value is None:  # a weight is only ever given to a component with a value
            continue
        lines.append(f"  {name:<14} {value:>6.1f} x {share:.4f} = {value * share:7.2f}")
        terms.append(value * share)
    for item in summary.excluded:
        lines.append(f"  {item.component:<14} left out: {item.reason}")
    if terms:
        lines.append(f"  sum = {sum(terms):.2f} -> score {summary.score} ({summary.grade})")
    else:
        lines.append("  no component had data: no score")
    return lines


def run(args: argparse.Namespace) -> int:
    """Print the formula (and the replay of `--scorecard`); 0, or UsageError for an unreadable scorecard."""
    weights, source = _configured_weights(args.path)
    lines = formula_text(weights, source)
    if args.scorecard:
        path = Path(args.scorecard)
        try:
            card = Scorecard.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise UsageError(
                f"Cannot read the scorecard {path}: {exc}. Pass a file written by "
                "`auditor scan --json FILE`."
            ) from exc
        lines += ["", *replay(card)]
    print("\n".join(lines))
    return 0
