"""`Scorecard.properties`: the property-based-testing numbers of one scan (docs/properties.md).

Filled by the properties stage (`auditor.properties.signals.build_properties`); `score.py` reads
the line reach. When the stage did not run, `Scorecard.properties` is None and the JSON holds `{}`.
Percentages are 0-100 with one decimal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.jsonable import OPTIONAL_KEY


@dataclass
class PropertyStats:
    """Hypothesis statistics for one `@given` test, from the `hypothesis.statistics` collector."""

    test: str
    examples: int = 0
    invalid: int = 0
    overrun: int = 0
    failing: int = 0
    stopped_because: str = ""
    seconds: float = 0.0


@dataclass
class FunctionReach:
    """Functions (mutmut's scope) whose body some test / some `@given` test executed.

    `reached_without_given` lists at most 50 `path::name` of functions no `@given` test reached.
    """

    total: int = 0
    reached: int = 0
    reached_by_given: int = 0
    share_by_given: float | None = None
    reached_without_given: list[str] = field(default_factory=list)


@dataclass
class KillAttribution:
    """Killed mutants by the kind of test that killed them, counted only when it is certain."""

    killed: int = 0
    by_property_tests: int = 0
    by_example_tests: int = 0
    unattributed: int = 0


@dataclass
class WitnessSummary:
    """The witness search: mutants searched by outcome, candidates, searched in this scan, and
    the budget (`max_examples` per mutant, `seconds_per_mutant`; `search_seconds` spent now)."""

    searched: int = 0
    witness: int = 0
    likely_equivalent: int = 0
    unverified: int = 0
    skipped: int = 0
    error: int = 0
    candidates: int = 0
    searched_now: int = 0
    max_examples: int = 0
    seconds_per_mutant: float = 0.0
    search_seconds: float = 0.0


@dataclass
class WitnessEvidence:
    """What the witness search of one mutant tried and saw (`mutants[].witness_evidence`).

    Counts are of *distinct* inputs. `reached`: inputs that ran the mutated code; `conclusive`:
    of those, the ones compared conclusively (a returned function could be called);
    `min_distinct`: what a likely-equivalent claim needs; `budget_met`: `conclusive >=
    min_distinct`, or the input space was `exhausted`; `pins_tried`/`pins_total`: boundary
    inputs (one literal of the function in one field); `pairs_tried`: inputs pairing two
    boundaries; `free_inputs`: fields the search varies (none: one call, no evidence); `fixed`:
    unhinted parameters left at their defaults; `absorbed`/`message_only`: reaching inputs on
    which only the function's locals / an exception message differed; `stopped_early` and
    `reason`: why the search ended without a claim (keys in docs/properties.md); `site`: where the
    mutant differs from the original ("" = not located)."""

    distinct: int = 0
    reached: int = 0
    conclusive: int = 0
    min_distinct: int = 0
    budget_met: bool = False
    exhausted: bool = False
    pins_tried: int = 0
    pins_total: int = 0
    pairs_tried: int = 0
    free_inputs: int = 0
    fixed: list[str] = field(default_factory=list)
    absorbed: int = 0
    message_only: int = 0
    differences: int = 0
    stopped_early: str = ""
    reason: str = ""
    site: str = ""


@dataclass
class Properties:
    """See docs/properties.md for each field. `functions` is None without the coverage map,
    `kills` None when mutation did not run, `witness` None when no search ran; the line-reach
    fields are absent (None) without the coverage map."""

    property_tests: int = 0
    tests: list[PropertyStats] = field(default_factory=list)
    examples: int = 0
    invalid_ratio: float | None = None
    high_invalid_tests: list[str] = field(default_factory=list)
    failing_tests: list[str] = field(default_factory=list)
    functions: FunctionReach | None = None
    kills: KillAttribution | None = None
    witness: WitnessSummary | None = None
    reached_lines: int | None = field(default=None, metadata=OPTIONAL_KEY)
    coverable_lines: int | None = field(default=None, metadata=OPTIONAL_KEY)
    line_share_by_given: float | None = field(default=None, metadata=OPTIONAL_KEY)
