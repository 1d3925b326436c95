"""Quality gates: `--fail-under METRIC=VALUE`, `[tool.auditor.gate]`, `thresholds.break`, ratchet.

`evaluate` returns one message per missed gate; the CLI prints them and exits 1. A gate on a metric
whose stage did not run fails with a message that says so: a gate that silently passes because
nothing was measured would let an unmeasured change through CI.
"""

from __future__ import annotations

from auditor import metric_registry
from auditor.config import Config
from auditor.errors import UsageError
from auditor.meta import GateResult
from auditor.model import Scorecard
from auditor.options import Options
from auditor.project import Project
from auditor.score import metric_value as _value


def metric_value(card: Scorecard, metric: str) -> float | None:
    """The current value of a gate metric, None when it was not measured."""
    return _value(card, metric_registry.metric(metric))


def check_metric(metric: str) -> None:
    """UsageError unless `metric` is a gate metric of the registry (`metric_registry.GATE_METRICS`)."""
    if metric not in metric_registry.GATE_METRICS:
        valid = ", ".join(metric_registry.GATE_METRICS)
        raise UsageError(
            f"Unknown quality-gate metric '{metric}'. Valid metrics are: {valid} "
            f"(e.g. `--fail-under mutation_score=70` or `--fail-under errors=0`)."
        )


def _not_measured(card: Scorecard, metric: str) -> str:
    definition = metric_registry.metric(metric)
    stage = definition.stage
    if definition.patch_key is not None:
        return "no patch metrics were computed (run with --diff BASE)"
    if stage == "any":
        return card.summary.score_basis or "no stage produced data"
    report = card.stage(stage)
    if report is None or not report.ran:
        reason = report.reason if report and report.reason else "not run"
        return f"the {stage} stage did not run ({reason})"
    return f"the {stage} stage produced no data for it"


def _fmt(metric: str, value: float) -> str:
    """Percentages get a `%`; the score (0-100 points) and the error count do not."""
    return f"{value:g}{metric_registry.metric(metric).suffix}"


def gate_message(card: Scorecard, metric: str, limit: float, source: str) -> str | None:
    """None when the gate passes, else a message naming the metric, both values and the source."""
    value = metric_value(card, metric)
    if value is None:
        return f"{metric} >= {limit:g} ({source}) cannot be checked: {_not_measured(card, metric)}."
    if not metric_registry.metric(metric).higher_is_better:  # the limit is a maximum
        if value > limit:
            return f"{metric} is {_fmt(metric, value)}, at most {limit:g} allowed ({source})."
        return None
    if value < limit:
        required = _fmt(metric, limit)
        return f"{metric} is {_fmt(metric, value)}, below the required {required} ({source})."
    return None


def requested_gates(options: Options, config: Config | None) -> list[tuple[str, float, str]]:
    """(metric, limit, source) for every gate; a CLI value replaces the config's for its metric."""
    gates: dict[str, tuple[float, str]] = {}
    for metric, limit in (config.gate if config else {}).items():
        check_metric(metric)
        gates[metric] = (float(limit), f"[tool.auditor.gate] {metric} = {limit:g}")
    breaking = config.thresholds.break_ if config else None
    if breaking is not None and "mutation_score" not in gates:
        gates["mutation_score"] = (
            float(breaking),
            f"[tool.auditor.thresholds] break = {breaking:g}",
        )
    for metric, limit in options.fail_under.items():
        check_metric(metric)
        gates[metric] = (float(limit), f"--fail-under {metric}={limit:g}")
    return [(metric, limit, source) for metric, (limit, source) in gates.items()]


def evaluate(card: Scorecard, options: Options, project: Project | None = None) -> list[str]:
    """Messages for every missed gate (empty list: all gates pass); records all in `meta.gates`.

    Raises UsageError for a gate on an unknown metric.
    """
    for metric in options.fail_under:
        check_metric(metric)
    if project is None:
        from auditor.project import load_project

        project = load_project(options.tests)
    config = project.config
    results: list[GateResult] = []
    for metric, limit, source in requested_gates(options, config):
        message = gate_message(card, metric, limit, source)
        results.append(GateResult(f"{metric} ({source})", message is None, message or ""))
    if options.ratchet:
        from auditor import history

        ratchet = history.ratchet_messages(card, project)
        results += [GateResult("ratchet (--ratchet)", False, m) for m in ratchet]
        if not ratchet:
            results.append(GateResult("ratchet (--ratchet)", True))
    # recorded on the card so the JSON and JUnit reports show passing gates too
    card.meta.gates = results
    return [r.message for r in results if not r.passed]
