"""`auditor rules` and `auditor explain CODE`, generated from the rule classes themselves."""

from __future__ import annotations

from typing import Any

from rich.markdown import Markdown
from rich.table import Table

from auditor.errors import UsageError
from auditor.static.registry import all_rules, rule_by_code

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def print_rules(console: Any) -> None:
    table = Table(title="auditor static rules", show_lines=False)
    table.add_column("code", style="bold")
    table.add_column("name")
    table.add_column("severity")
    table.add_column("default")
    table.add_column("summary", overflow="fold")
    for rule in all_rules():
        table.add_row(
            rule.code,
            rule.name,
            f"[{SEVERITY_STYLE[rule.severity]}]{rule.severity}[/]",
            "on" if rule.default_enabled else "off",
            rule.summary,
        )
    console.print(table)
    console.print('Enable an off rule with `extend-select = ["TQ102"]` under [tool.auditor].')


def explain_markdown(code: str) -> str:
    rule = rule_by_code(code)
    if rule is None:
        codes = ", ".join(r.code for r in all_rules())
        raise UsageError(
            f"Unknown rule '{code}'. Known rules: {codes}. `auditor rules` lists them."
        )
    docs = rule.docs()
    state = "on" if rule.default_enabled else "off (enable with extend-select)"
    parts = [
        f"# {rule.code} {rule.name}",
        f"*{rule.summary}* — severity **{rule.severity}**, default **{state}**, tier {rule.tier}.",
        "## What it does",
        docs.get("What it does", ""),
        "## Why it matters",
        docs.get("Why it matters", ""),
        "## Example",
        f"```python\n{docs.get('Example', '')}\n```",
        "## Use instead",
        f"```python\n{docs.get('Use instead', '')}\n```",
    ]
    if rule.options:
        settings = ", ".join(f"`{k} = {v!r}`" for k, v in sorted(rule.options.items()))
        parts += ["## Settings", f"`[tool.auditor.rules.{rule.code}]`: {settings}"]
    parts += [
        "## Suppress",
        f"`# auditor: ignore[{rule.code}] -- reason` on the reported line (or the `def` line), "
        f"`# noqa: {rule.code}`, or `# auditor: ignore-file[{rule.code}]`.",
    ]
    return "\n\n".join(parts)


def print_explain(console: Any, code: str) -> None:
    console.print(Markdown(explain_markdown(code)))


def measured_precision() -> dict[str, tuple[int, int]]:
    """rule code -> (true positives, false positives) judged by hand on held-out real suites
    (`benchmarks/precision/measured.json`, written by `benchmarks/precision.py --write-docs`);
    empty outside a source checkout."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "precision" / "measured.json"
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {code: (int(v[0]), int(v[1])) for code, v in data.items()}


def rules_markdown(precision: dict[str, tuple[int, int]] | None = None) -> str:
    """docs/rules.md: every rule's explanation, generated (a test keeps the file in sync).

    `precision` (default: `measured_precision()`) adds each rule's measured held-out precision."""
    measured = measured_precision() if precision is None else precision
    lines = [
        "# Static rules",
        "",
        "Generated from the rule classes by `python -m auditor.static.docs > docs/rules.md`;",
        "`auditor explain CODE` prints the same text in the terminal. *Precision* is the share of",
        "findings judged right by hand on real suites that were not used to tune the rules",
        "(true positives / judged, details in [precision.md](precision.md)); `-` = no finding there.",
        "",
        "| code | name | severity | default | precision | summary |",
        "|---|---|---|---|---|---|",
    ]
    for rule in all_rules():
        default = "on" if rule.default_enabled else "off"
        tp, fp = measured.get(rule.code, (0, 0))
        score = f"{tp / (tp + fp):.2f} ({tp}/{tp + fp})" if tp + fp else "-"
        lines.append(
            f"| [{rule.code}](#{rule.code.lower()}-{rule.name}) | {rule.name} | {rule.severity} | "
            f"{default} | {score} | {rule.summary} |"
        )
    for rule in all_rules():
        lines += [
            "",
            explain_markdown(rule.code).replace("# ", "## ", 1).replace("\n## ", "\n### "),
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(rules_markdown())
