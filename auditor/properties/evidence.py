"""What a witness search learned about one mutant, when it may stop, and what it may claim.

"Likely equivalent" is a claim, so it is made only with evidence (docs/properties.md):

- the function has at least one input the search can vary (a call with no free input is one
  example, not a search);
- every boundary input was tried: each literal of the function (and its neighbours) in every
  field the arguments reach (`auditor_strategies.fields.pins`);
- at least `min_distinct` *distinct* inputs ran the mutated code and compared conclusively (a
  returned function is compared by calling it), or the input space was exhausted.

Otherwise the mutant is `unverified`, with the reason as a short key (`reason`) and a sentence.

The budget follows what the search can still learn (issue 13). It grows after a near miss (the
mutant raised with another message while results were equal: it took another path): up to
NEAR_MISS_FACTOR times `max-examples` distinct inputs. Locals that differ alone do not grow it
(a help string kept in a parser differs on every input). It stops early when more examples
cannot teach it anything: after the pins, if each of the first WINDOW reaching inputs (at least
PROBE of them) changed only the function's local state in one and the same way (the result was
equal but a local variable other than a parameter differed, with the same two values on every
input: `Evidence.same_change`) or only an exception message, the mutant's change never reaches a
comparison. That ends as `unverified` with that reason, never as a claim. Locals are pictured
only for the first WINDOW reaching inputs (picturing costs time), so the decision rests on those
even when the pins outnumber them. A mutant no input reached gets the whole budget (deep lines
are reached late: stopping after 60 unreached inputs lost two python-slugify witnesses) and ends
`not_reached`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PROBE = 20  # reaching inputs watched before an early stop may be decided
WINDOW = 2 * PROBE  # the first reaching inputs, whose locals are pictured
NEAR_MISS_FACTOR = 3  # a search with near misses may run this many times max-examples inputs

# reason keys (stable: reports and the benchmark group by them)
NO_FREE_INPUTS = "no_free_inputs"
NOT_REACHED = "not_reached"
CONFINED = "confined"
MESSAGE_ONLY = "message_only"
BUDGET_NOT_MET = "budget_not_met"
PINS_CAPPED = "pins_capped"
NOT_CONCLUSIVE = "callables_not_compared"
UNRENDERABLE = "difference_unrenderable"
NOT_REPRODUCED = "difference_not_reproduced"
NO_INPUT = "no_input_ran"


def min_distinct_for(max_examples: int) -> int:
    """Distinct reaching inputs a claim needs: a third of `max-examples` (100 at the default
    300), at least 1."""
    return max(1, max_examples // 3)


@dataclass
class Evidence:
    """Counts of one mutant's search (all "distinct" counts are of distinct inputs)."""

    free_inputs: int = 0
    fixed: list[str] = field(default_factory=list)
    pins_total: int = 0
    pins_tried: int = 0
    pairs_tried: int = 0  # inputs pairing boundaries of two parameters (after the pins)
    distinct: int = 0
    duplicates: int = 0
    reached: int = 0
    conclusive: int = 0  # reached and compared conclusively (callables were callable)
    absorbed: int = 0  # reached, equal results, different locals at return
    message_only: int = 0  # reached, same exception type, different message
    watched: int = 0  # reaching inputs inside the window (the first WINDOW)
    quiet: int = 0  # of those, the ones that were absorbed or message-only
    differences: int = 0  # inputs on which the two sides differed (witness or not)
    exhausted: bool = False
    locals_checked: bool = True  # the original's locals are deterministic
    locals_verified: bool = False  # the determinism check ran
    site: str = ""  # where the mutant differs ("" = not located: every input counts as reaching)
    min_distinct: int = 0
    budget_met: bool = False
    stopped_early: str = ""
    reason: str = ""
    _keys: set[str] = field(default_factory=set, repr=False)
    _change: Any = field(default=None, repr=False)  # the locals change of the first confined input

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def seen(self, key: str) -> bool:
        """Record an input by its canonical key; True when it ran before (a duplicate)."""
        if key in self._keys:
            self.duplicates += 1
            return True
        self._keys.add(key)
        self.distinct += 1
        return False

    def same_change(self, change: Any) -> bool:
        """Is `change` (differential.locals_change of one input, not None) the change the first
        confined input showed? A change kept inside the function (a help string stored in a
        parser) is the same on every input; one that depends on the input (an index computed
        from it, a flag read later) may still reach the result on a rarer input, so it never
        counts as confined."""
        if self._change is None:
            self._change = change
        return bool(self._change == change)

    def watching(self) -> bool:
        """Is the next reaching input inside the window where locals and messages are watched?"""
        return self.reached < WINDOW

    def note_example(
        self, reached: bool, conclusive: bool, absorbed: bool, message_only: bool
    ) -> None:
        """Count one distinct input: `absorbed` (equal results, different locals) only counts
        while the locals are deterministic."""
        if not reached:
            return
        if self.watching():
            self.watched += 1
            self.quiet += (absorbed and self.locals_checked) or message_only
        self.reached += 1
        self.conclusive += conclusive
        self.absorbed += absorbed
        self.message_only += message_only

    def limit(self, max_examples: int) -> int:
        """Distinct inputs this search may run: `max_examples`, and NEAR_MISS_FACTOR times that
        after a near miss (the mutant raised with another message: it took another path)."""
        return max_examples * NEAR_MISS_FACTOR if self.message_only else max_examples

    def early_stop(self, pins_done: bool) -> str:
        """The reason to stop now (a key), or "" to keep searching."""
        if not pins_done or self.differences:
            return ""
        if self.watched >= PROBE and self.quiet == self.watched:
            return MESSAGE_ONLY if self.message_only >= self.absorbed else CONFINED
        return ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("_keys", None)
        data.pop("_change", None)
        return data


SENTENCES = {
    NO_FREE_INPUTS: (
        "the function has no input the search can vary{fixed_text}; one call is not evidence"
    ),
    NOT_REACHED: "none of {distinct} distinct generated inputs ran the mutated code",
    CONFINED: (
        "in {reached} inputs that ran the mutated code the results were equal while the "
        "function's local variables differed: the change did not reach anything compared"
    ),
    MESSAGE_ONLY: (
        "in {reached} inputs that ran the mutated code only an exception message differed "
        "(messages are not compared)"
    ),
    BUDGET_NOT_MET: (
        "only {conclusive} distinct inputs ran the mutated code and compared conclusively "
        "({min_distinct} needed for a claim)"
    ),
    PINS_CAPPED: "{pins_total} boundary inputs, more than the {pins_tried} the search tries",
    NOT_CONCLUSIVE: (
        "the function returns callables that could not be called with generated inputs, so "
        "no result was compared"
    ),
    NO_INPUT: "no generated input could be run on the original",
}


def sentence(evidence: Evidence) -> str:
    fixed = f" (fixed at their defaults: {', '.join(evidence.fixed)})" if evidence.fixed else ""
    template = SENTENCES.get(evidence.reason, "")
    return template.format(fixed_text=fixed, **evidence.to_json()) if template else ""


def decide(evidence: Evidence) -> str:
    """The outcome of a search that found no witness: "likely_equivalent", "unverified" or
    "skipped"; sets `evidence.reason` (empty for a claim) and `evidence.budget_met`."""
    evidence.budget_met = evidence.conclusive >= evidence.min_distinct or (
        evidence.exhausted and evidence.conclusive > 0
    )
    if evidence.distinct == 0:
        evidence.reason = NO_INPUT
        return "skipped"
    if evidence.free_inputs == 0:
        evidence.reason = NO_FREE_INPUTS
    elif evidence.stopped_early:
        evidence.reason = evidence.stopped_early
    elif evidence.reached == 0:
        evidence.reason = NOT_REACHED
    elif evidence.conclusive == 0:
        evidence.reason = NOT_CONCLUSIVE
    elif evidence.pins_tried < evidence.pins_total:
        evidence.reason = PINS_CAPPED
    elif not evidence.budget_met:
        evidence.reason = BUDGET_NOT_MET
    else:
        evidence.reason = ""
        return "likely_equivalent"
    return "unverified"
