"""The oracle-vs-auditor markdown table, and the symptoms it flags (pure functions of the JSON).

Columns: plain pytest (as configured) exit and counts; items pytest collects vs test items
auditor ran (scorecard `tests`) and the static stage's files/tests; coverage.py line % (oracle,
neutralised run) vs auditor's `summary.line_coverage` and the difference; mutants by status;
`unmutated` and `verified_survivors` when the scorecard has them ("n/a" when the field does not
exist in this scorecard version); findings by severity; auditor's exit code and wall time; notes.
"""

from __future__ import annotations

from typing import Any

from .oracle import test_module_files

COLUMNS = (
    "project",
    "pytest",
    "collected",
    "auditor tests",
    "static",
    "cov oracle",
    "cov auditor",
    "Δ cov",
    "mutants",
    "unmutated",
    "verified",
    "findings E/W/I",
    "exit",
    "wall s",
    "notes",
)
STATUS_ABBREV = (
    ("killed", "k"),
    ("survived", "s"),
    ("timeout", "t"),
    ("no_coverage", "nc"),
    ("skipped", "sk"),
    ("error", "e"),
)
_COUNT_ABBREV = (
    ("passed", "p"),
    ("failed", "f"),
    ("error", "E"),
    ("skipped", "s"),
    ("xfailed", "xf"),
    ("xpassed", "xp"),
)


def counts_text(counts: dict[str, int] | None) -> str:
    """`{"passed": 10, "skipped": 2}` -> `10p 2s`; None (no summary line) -> `?`."""
    if counts is None:
        return "?"
    parts = [f"{counts[k]}{a}" for k, a in _COUNT_ABBREV if counts.get(k)]
    return " ".join(parts) or "0"


def _pct(value: object) -> str:
    return "–" if value is None else f"{float(value):.1f}"  # type: ignore[arg-type]


def mutants_text(mutants: dict[str, int] | None) -> str:
    """`{"total": 10, "killed": 7, "survived": 3, ...}` -> `10: 7k 3s`; None -> `–`."""
    if not mutants:
        return "–"
    parts = [f"{mutants[k]}{a}" for k, a in STATUS_ABBREV if mutants.get(k)]
    return f"{mutants.get('total', 0)}: " + " ".join(parts)


def diagnose(oracle: dict[str, Any] | None, record: dict[str, Any] | None) -> list[str]:
    """Symptoms visible from the JSON alone: each a short phrase with its numbers."""
    notes: list[str] = []
    if oracle is not None:
        cov = oracle["coverage"]
        if cov.get("line_percent") is None or cov.get("exit_code") not in (0, None):
            notes.append(
                f"oracle coverage run: exit {cov.get('exit_code')}"
                + (f" ({cov['error'][:60]})" if cov.get("error") else "")
            )
    if record is None:
        return [*notes, "not scanned"]
    card = record.get("scorecard")
    if record.get("timed_out"):
        notes.append(f"killed at time limit ({record['seconds']:.0f}s)")
    if record.get("traceback"):
        notes.append("traceback in output")
    pytest_ok = oracle is not None and oracle["pytest"]["exit_code"] == 0
    if record.get("exit_code") == 3 and pytest_ok:
        notes.append("exit 3 although plain pytest passes")
    if card is None:
        notes.append("no scorecard")
        return notes
    summary = card.get("summary", {})
    ours = summary.get("line_coverage")
    theirs = oracle["coverage"].get("line_percent") if oracle else None
    if ours is not None and theirs is not None and abs(ours - theirs) > 1.0:
        notes.append(f"line coverage {ours:.1f} vs {theirs:.1f}")
    if ours == 0.0:
        notes.append("0.0% line coverage")
    if oracle is not None and card.get("tests"):
        ran, collected = len(card["tests"]), oracle["collect"]["count"]
        if ran != collected:
            notes.append(f"{ran} test items vs {collected} collected")
    notes += _source_notes(oracle, card)
    mutants = summary.get("mutants") or {}
    total = mutants.get("total") or 0
    if total and mutants.get("timeout", 0) > 0.2 * total:
        notes.append(f"{mutants['timeout']}/{total} mutants timeout")
    if total and mutants.get("error", 0) > 0.2 * total:
        notes.append(f"{mutants['error']}/{total} mutants error")
    for stage in card.get("stages", []):
        if not stage.get("ran") and stage.get("reason") and "--only" not in stage["reason"]:
            notes.append(f"{stage['name']} not run: {stage['reason'][:80]}")
    return notes


def _source_notes(oracle: dict[str, Any] | None, card: dict[str, Any]) -> list[str]:
    notes = []
    project = card.get("project") or {}
    if project.get("source") == []:
        notes.append("no source discovered")
    modules = [m.get("path", "") for m in card.get("modules", [])]
    outside = [m for m in modules if m.startswith("/") or "site-packages" in m]
    if outside:
        notes.append(f"{len(outside)} modules outside the project measured (e.g. {outside[0]})")
    if oracle is not None:
        tests = set(test_module_files(oracle["collect"].get("node_ids", [])))
        as_source = [m for m in modules if m in tests]
        if as_source:
            notes.append(f"{len(as_source)} test modules measured as source")
        static = ((card.get("meta") or {}).get("static") or {}).get("files")
        # conftest/helper modules make the static count a little larger; flag misses and gross
        # excess (data files analysed as tests) only
        if static is not None and tests and (static < len(tests) or static > 2 * len(tests) + 5):
            notes.append(f"static analysed {static} files, pytest collects tests from {len(tests)}")
    return notes


def row(name: str, oracle: dict[str, Any] | None, record: dict[str, Any] | None) -> list[str]:
    """One table row for project `name`."""
    card = (record or {}).get("scorecard") or {}
    summary = card.get("summary", {})
    pytest = (
        "–"
        if oracle is None
        else (f"exit {oracle['pytest']['exit_code']}: {counts_text(oracle['pytest']['counts'])}")
    )
    collected = (
        "–"
        if oracle is None
        else (f"{oracle['collect']['count']} in {len(oracle['collect']['files'])} files")
    )
    static = (card.get("meta") or {}).get("static") or {}
    theirs = oracle["coverage"].get("line_percent") if oracle else None
    ours = summary.get("line_coverage")
    delta = "–" if ours is None or theirs is None else f"{ours - theirs:+.1f}"
    findings = summary.get("findings")
    verified = card.get("verified_survivors")
    unmutated = card.get("unmutated")
    return [
        name,
        pytest,
        collected,
        str(len(card["tests"])) if card.get("tests") is not None else "–",
        f"{static.get('files', '–')}f/{static.get('tests', '–')}t" if static else "–",
        _pct(theirs),
        _pct(ours),
        delta,
        mutants_text(summary.get("mutants")),
        "n/a" if unmutated is None else str(len(unmutated)),
        "n/a" if verified is None else f"{verified.get('confirmed')}/{verified.get('sampled')}",
        "–" if not findings else f"{findings['error']}/{findings['warning']}/{findings['info']}",
        "–" if record is None else str(record.get("exit_code")),
        "–" if record is None else f"{record['seconds']:.0f}",
        "; ".join(diagnose(oracle, record)),
    ]


def render(rows: list[list[str]]) -> str:
    """A GitHub markdown table with COLUMNS; `|` inside cells is escaped."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)
