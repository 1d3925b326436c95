"""One mutant's differential search: pins, pairs, then Hypothesis; the "done" record.

Runs inside the witness worker (worker.py), where the trampolined module is imported. Each input
runs once on the original and once on the mutant (`differential.execute`, switched by
`set_mutant`); a difference becomes a witness when its test reproduces it (`testgen`); what the
search saw is kept in an `evidence.Evidence`, which decides when to stop early and whether a
likely-equivalent claim may be made.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException, Unsatisfiable
from hypothesis.statistics import collector

from auditor.properties.differential import (
    Outcome,
    Target,
    changed_state,
    compare,
    execute,
    locals_change,
)
from auditor.properties.evidence import (
    NEAR_MISS_FACTOR,
    NOT_REPRODUCED,
    UNRENDERABLE,
    Evidence,
    decide,
    min_distinct_for,
    sentence,
)
from auditor.properties.inputs import SearchInputs, input_key, pairs_for, search_inputs
from auditor.properties.names import MutantName
from auditor.properties.reach import MutationSite
from auditor.properties.render import Unrenderable, witness_test_name
from auditor.properties.testgen import build_test, verify
from auditor_strategies.fields import forget_recipes
from auditor_strategies.signature import UnhintedParameterError

SetMutant = Callable[[str], None]


class Skip(Exception):
    """The mutant's function cannot be searched (reason in the message)."""


class _Found(Exception):
    """Raised inside the property when a verified witness is found (Hypothesis then shrinks)."""


class _OutOfTime(BaseException):
    """The per-mutant time budget ran out (BaseException so Hypothesis does not shrink it)."""


_INPUTS: dict[tuple[Any, str], SearchInputs] = {}


def inputs_for(target: Target) -> SearchInputs:
    """The search's inputs (built once per function: its mutants share them), or Skip with the
    reason when the parameters cannot be generated."""
    key = (target.func, target.kind)
    if key not in _INPUTS:
        _INPUTS[key] = _inputs_for(target)
    return _INPUTS[key]


def _inputs_for(target: Target) -> SearchInputs:
    try:
        return search_inputs(target)
    except UnhintedParameterError as exc:
        raise Skip(str(exc)) from exc
    except (TypeError, ValueError) as exc:  # no signature (builtins, C extensions)
        raise Skip(f"no usable signature: {exc}") from exc


class _Stop(BaseException):
    """The search learned what it could (evidence.early_stop); BaseException: no shrinking."""


class _Enough(BaseException):
    """`max-examples` distinct inputs ran (duplicates drawn by Hypothesis are not counted)."""


UNRENDERABLE_LIMIT = 8  # differing inputs without a source form before the search gives up
DUPLICATE_ALLOWANCE = 4  # Hypothesis may draw this many times max-examples to get them distinct


def search(
    name: MutantName,
    mutant_id: str,
    target: Target,
    job: dict[str, Any],
    site: MutationSite | None,
    set_mutant: SetMutant,
) -> dict[str, Any]:
    """Differential search original vs mutant: boundary pins, then Hypothesis; the "done" record.

    `job` holds `max_examples`, `seconds` and `call_timeout`; `set_mutant("")` activates the
    original, `set_mutant(mutant_id)` the mutant. The record carries `evidence`
    (evidence.Evidence as JSON): what was tried and reached, and why the outcome is what it is.
    Raises Skip when the function's arguments cannot be generated.
    """
    call_timeout = float(job.get("call_timeout", 1.0))
    max_examples = int(job["max_examples"])
    inputs = inputs_for(target)
    deadline = time.monotonic() + float(job["seconds"])
    ev = Evidence(
        free_inputs=len(inputs.free),
        fixed=inputs.fixed,
        pins_total=inputs.pins_total,
        min_distinct=min_distinct_for(max_examples),
        site=site.description if site is not None else "",
    )
    state: dict[str, Any] = {
        "note": "",
        "unrenderable": 0,
        "unverified": "",
        "witness": None,
        "callables": False,  # the function returned a callable (probe arguments are drawn)
    }
    name_of_test = witness_test_name(name.function, name.cls, name.number)
    parameters = _parameter_names(target)
    pins_done = [False]

    def run_example(
        ctor: dict[str, Any], kwargs: dict[str, Any], probes: list[tuple[Any, ...]]
    ) -> bool:
        """One input on both sides; False when the original does not return in time."""
        if time.monotonic() > deadline:
            raise _OutOfTime()
        key = input_key(ctor, kwargs, probes if state["callables"] else None)
        fresh = key not in ev  # replays while shrinking a witness are not counted again
        state["original_kind"] = ""
        if state["witness"] is None:
            if fresh and ev.distinct >= ev.limit(max_examples):
                raise _Enough()
            if ev.seen(key):
                return True
        elif fresh:
            ev.seen(key)
        want_locals = ev.locals_checked and ev.watching() and site is not None
        original = execute(
            target, ctor, kwargs, set_mutant, "", call_timeout, probes, site, want_locals
        )
        state["callables"] = state["callables"] or original.transcript is not None
        state["original_kind"] = original.kind
        if original.kind == "timeout":
            return False
        mutant = execute(
            target, ctor, kwargs, set_mutant, mutant_id, call_timeout, probes, site, want_locals
        )
        reached = site is None or site.reached_by(mutant.watch, kwargs)
        same, note = compare(original, mutant)
        if same:
            state["note"] = state["note"] or note
            absorbed = False
            change = (
                locals_change(original.watch.locals, mutant.watch.locals, parameters)
                if reached and want_locals and not note
                else None
            )
            if change is not None:
                absorbed = ev.same_change(change) and _locals_deterministic(
                    target, ctor, kwargs, probes, site, original, call_timeout, ev, set_mutant
                )
            script = original.transcript
            if fresh:
                conclusive = script is None or script.conclusive
                ev.note_example(reached, conclusive, absorbed, bool(note))
            stop = ev.early_stop(pins_done[0])
            if stop:
                ev.stopped_early = stop
                raise _Stop()
            return True
        if fresh:
            ev.differences += 1
            ev.note_example(True, True, False, False)
        try:
            call, code = build_test(target, name_of_test, ctor, kwargs, original, mutant)
        except Unrenderable as exc:
            state["unrenderable"] += 1
            state["unrenderable_reason"] = str(exc)
            if state["unrenderable"] >= UNRENDERABLE_LIMIT:
                raise _Stop() from exc  # the difference is real; more of it will not render
            return True
        ok, why = verify(code, name_of_test, set_mutant, mutant_id, call_timeout * 2)
        if not ok:
            state["unverified"] = why
            return True
        state["witness"] = _witness(call, original, mutant, code)
        raise _Found()

    @settings(
        max_examples=max_examples * NEAR_MISS_FACTOR * DUPLICATE_ALLOWANCE,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(inputs.strategy, st.data())
    def differential(drawn: tuple[dict[str, Any], dict[str, Any]], data: st.DataObject) -> None:
        state["drawn"] = True
        # arguments for returned functions: drawn only when the pins showed the function returns
        # one (a flag fixed before generation, so every replay draws the same way)
        probes = data.draw(inputs.probe_strategy) if state["callables"] else inputs.probes
        if not run_example(*drawn, probes):
            reject()  # no test can pin the behaviour of a call that does not return

    started = time.monotonic()
    record: dict[str, Any] = {"event": "done", "id": mutant_id}
    statistics: dict[str, Any] = {}
    try:
        kinds: list[str] = []
        for ctor, kwargs in inputs.pins:
            run_example(ctor, kwargs, inputs.probes)
            ev.pins_tried += 1
            kinds.append(state["original_kind"])
        pins_done[0] = True
        if inputs.pairs is None:  # the same for every mutant of this function
            inputs.pairs = pairs_for(inputs, max_examples // 2, kinds)
        for ctor, kwargs in inputs.pairs:
            run_example(ctor, kwargs, inputs.probes)
            ev.pairs_tried += 1
        ev.duplicates = 0  # the pins' own repeats are not Hypothesis draws
        with collector.with_value(statistics.update):  # type: ignore[arg-type]
            differential()
        ev.exhausted = statistics.get("stopped-because") == "nothing left to do"
    except (_Found, _Stop, _Enough):
        pass
    except _OutOfTime:
        record["note"] = f"stopped after {job['seconds']}s"
    except Unsatisfiable:
        if state["witness"] is None and ev.distinct == 0:
            record.update(
                outcome="skipped",
                reason="no generated input could be run: the original timed out or was rejected",
            )
    except HypothesisException as exc:
        if state["witness"] is None:
            record.update(outcome="error", reason=f"Hypothesis: {type(exc).__name__}: {exc}"[:500])
    except Exception as exc:
        if state.get("drawn"):
            raise
        raise Skip(
            f"cannot generate arguments for {name.qualname}: {type(exc).__name__}: {exc}. "
            f"Register a strategy for the parameter types ([tool.auditor] strategies)."[:500]
        ) from exc
    finally:
        forget_recipes()
    if inputs.pins_error and not ev.pins_tried:
        ev.pins_total = max(ev.pins_total, 1)
    record["seconds"] = round(time.monotonic() - started, 3)
    record["examples"] = ev.distinct
    if state["witness"] is not None:
        record.update(outcome="witness", witness=state["witness"])
    elif "outcome" not in record:
        notes = [state["note"]]
        if state["unrenderable"]:
            notes.append(
                f"{state['unrenderable']} differing inputs could not be written as source "
                f"({state.get('unrenderable_reason', '')})"
            )
            ev.reason = UNRENDERABLE
        if state["unverified"]:
            notes.append(f"a difference was seen but {state['unverified']}")
            ev.reason = ev.reason or NOT_REPRODUCED
        if ev.reason:
            record["outcome"] = "unverified"
        else:
            record["outcome"] = decide(ev)
            notes.insert(0, sentence(ev))
        if inputs.pins_error:
            notes.append(f"no boundary inputs: {inputs.pins_error}")
        if record.get("note"):
            notes.append(record["note"])
        record["note"] = "; ".join(n for n in notes if n)
    record["evidence"] = ev.to_json()
    return record


def _parameter_names(target: Target) -> frozenset[str]:
    """The mutated function's parameter names (empty when it has no readable signature)."""
    func = target.cls.__init__ if target.kind == "init" else target.func  # type: ignore[misc]
    try:
        return frozenset(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return frozenset()


def _locals_deterministic(
    target: Target,
    ctor: dict[str, Any],
    kwargs: dict[str, Any],
    probes: list[tuple[Any, ...]],
    site: MutationSite | None,
    original: Outcome,
    call_timeout: float,
    ev: Evidence,
    set_mutant: SetMutant,
) -> bool:
    """Run the original once more (first time only): are its locals the same every time?
    Locals that change from run to run (a clock, an id) say nothing about the mutant."""
    if not ev.locals_verified:
        again = execute(target, ctor, kwargs, set_mutant, "", call_timeout, probes, site, True)
        ev.locals_verified = True
        ev.locals_checked = again.watch.locals == original.watch.locals
    return ev.locals_checked


def _witness(call: str, original: Outcome, mutant: Outcome, code: str) -> dict[str, Any]:
    changed = changed_state(original, mutant)
    return {
        "call": call,
        "original": original.describe(changed),
        "mutant": mutant.describe(changed),
        "test_code": code,
        "verified": True,
    }
