"""Measured precision of the static rules on real suites judged by hand.

`benchmarks/precision/suites.json` lists the suites (PyPI sdists) and whether each was used to
tune the rules ("tuning") or not ("held-out"); `benchmarks/precision/labels.jsonl` holds one
judged finding per line: project, version, rule, path, line, verdict ("tp" / "fp") and a one-line
reason. This script re-scans every suite with the default rules and prints, for error and warning
findings:

- precision per rule and per severity (tp / (tp + fp)) over the labelled findings, per split;
- findings that have no label yet (judge them and add lines to labels.jsonl);
- labels that no longer match a finding (the rule stopped firing there);
- findings in files pytest does not collect (neither a test module nor a conftest.py).

Targets on held-out suites: error >= 0.95, warning >= 0.85.

    python benchmarks/precision.py [--split held-out] [--show-unlabelled] [--write-docs]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import sdist

HERE = Path(__file__).resolve().parent
DATA = HERE / "precision"
CACHE = HERE / ".cache"
TARGETS = {"error": 0.95, "warning": 0.85}


def load_labels() -> dict[tuple[str, str, str, int], dict[str, Any]]:
    """(project, rule, path, line) -> label."""
    labels: dict[tuple[str, str, str, int], dict[str, Any]] = {}
    for line in (DATA / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            labels[(item["project"], item["rule"], item["path"], int(item["line"]))] = item
    return labels


def scan_suite(suite: dict[str, str], workdir: Path) -> tuple[list[Any], dict[str, Any]]:
    """The error/warning findings of one suite, and its per-file facts."""
    sys.path.insert(0, str(HERE.parent))
    from auditor.config import parse_config
    from auditor.project import load_project
    from auditor.static.engine import scan

    requirement = f"{suite['project']}=={suite['version']}"
    prefix = f"{suite['project'].replace('-', '_')}-{suite['version']}"
    try:
        archive = sdist.download(requirement, prefix, CACHE)
    except StopIteration:  # older sdists keep the hyphenated name
        archive = sdist.download(requirement, f"{suite['project']}-{suite['version']}", CACHE)
    sdist.extract(archive, workdir)
    root = next(p for p in workdir.iterdir() if p.is_dir())
    project = load_project(root / suite["tests"], config=parse_config({}))
    result = scan(project, use_cache=False)
    return list(result.findings), result.facts


def _ratio(tp: int, fp: int) -> str:
    return f"{tp / (tp + fp):.2f}" if tp + fp else "  - "


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=["held-out", "tuning", "all"], default="held-out")
    parser.add_argument("--show-unlabelled", action="store_true")
    parser.add_argument("--write-docs", action="store_true", help="rewrite docs/precision.md")
    args = parser.parse_args()

    suites = json.loads((DATA / "suites.json").read_text(encoding="utf-8"))
    labels = load_labels()
    used: set[tuple[str, str, str, int]] = set()
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    by_severity: dict[str, Counter[str]] = defaultdict(Counter)
    by_judged: dict[str, Counter[str]] = defaultdict(Counter)  # severity when it was judged
    unlabelled: list[str] = []
    outside = 0
    scanned: list[str] = []
    for suite in suites:
        if args.split != "all" and suite["split"] != args.split:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            findings, facts = scan_suite(suite, Path(tmp))
        scanned.append(f"{suite['project']} {suite['version']}")
        for finding in findings:
            facts_of = facts.get(finding.path)
            if facts_of is not None and not (facts_of.is_test_module or facts_of.is_conftest):
                outside += 1
            key = (suite["project"], finding.rule, finding.path, finding.line)
            label = labels.get(key)
            if label is None:
                if finding.severity not in TARGETS:
                    continue  # info findings are not judged
                unlabelled.append(
                    f"{suite['project']} {finding.rule} {finding.severity} "
                    f"{finding.path}:{finding.line} {finding.message}"
                )
                continue
            used.add(key)
            verdict = label["verdict"]
            by_judged[label.get("severity", finding.severity)][verdict] += 1
            by_rule[finding.rule][verdict] += 1
            by_severity[finding.severity][verdict] += 1
    stale = [
        k for k, v in labels.items() if k not in used and v.get("split", "") in ("", args.split)
    ]

    print(f"suites ({args.split}): {', '.join(scanned)}")
    print(f"\n{'severity':10} {'tp':>4} {'fp':>4} {'precision':>9}  target")
    for severity in ("error", "warning", "info"):
        c = by_severity[severity]
        target = TARGETS.get(severity)
        ok = target is None or c["tp"] + c["fp"] == 0 or c["tp"] / (c["tp"] + c["fp"]) >= target
        verdict = f">= {target} {'OK' if ok else 'MISSED'}" if target else "(no target)"
        print(f"{severity:10} {c['tp']:4} {c['fp']:4} {_ratio(c['tp'], c['fp']):>9}  {verdict}")
    print(f"\n{'rule':8} {'tp':>4} {'fp':>4} {'precision':>9}")
    for rule in sorted(by_rule):
        c = by_rule[rule]
        print(f"{rule:8} {c['tp']:4} {c['fp']:4} {_ratio(c['tp'], c['fp']):>9}")
    print(f"\nfindings in files pytest does not collect (not test module/conftest): {outside}")
    print(f"unlabelled findings: {len(unlabelled)}; labels without a finding now: {len(stale)}")
    if args.show_unlabelled:
        for line in unlabelled:
            print("  ", line)
    if args.write_docs:
        _write_docs(args.split, scanned, by_rule, by_severity, by_judged)
    return 0


def _write_docs(
    split: str,
    scanned: list[str],
    by_rule: dict[str, Counter[str]],
    by_severity: dict[str, Counter[str]],
    by_judged: dict[str, Counter[str]],
) -> None:
    lines = [
        "# Measured precision of the static rules",
        "",
        "Generated by `python benchmarks/precision.py --write-docs`: every error- and "
        "warning-level finding",
        f"on the {split} suites ({', '.join(scanned)}) judged by hand "
        "(`benchmarks/precision/labels.jsonl`,",
        "one line and reason per finding). These suites were not used to tune the rules. A rule "
        "with no row",
        "found nothing there. Rules below the target were moved to `info` until fixed; the",
        "per-rule counts include those findings (judged at the severity they had then).",
        "",
        "| severity | true positives | false positives | precision | target |",
        "|---|---|---|---|---|",
    ]
    for severity in ("error", "warning", "info"):
        c = by_severity[severity]
        target = f">= {TARGETS[severity]}" if severity in TARGETS else "-"
        lines.append(
            f"| {severity} | {c['tp']} | {c['fp']} | {_ratio(c['tp'], c['fp'])} | {target} |"
        )
    lines += [
        "",
        "Before the demotions (each finding at the severity it had when judged):",
        "",
        "| severity | true positives | false positives | precision |",
        "|---|---|---|---|",
    ]
    for severity in ("error", "warning"):
        c = by_judged[severity]
        lines.append(f"| {severity} | {c['tp']} | {c['fp']} | {_ratio(c['tp'], c['fp'])} |")
    lines += [
        "",
        "Per rule (all variants together; a variant may have been demoted while the rule's "
        "default severity stayed):",
        "",
        "| rule | true positives | false positives | precision |",
        "|---|---|---|---|",
    ]
    for rule in sorted(by_rule):
        c = by_rule[rule]
        lines.append(f"| {rule} | {c['tp']} | {c['fp']} | {_ratio(c['tp'], c['fp'])} |")
    target = HERE.parent / "docs" / "precision.md"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    measured = {rule: [c["tp"], c["fp"]] for rule, c in sorted(by_rule.items())}
    (DATA / "measured.json").write_text(json.dumps(measured, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {target} and {DATA / 'measured.json'} (regenerate docs/rules.md next)")


if __name__ == "__main__":
    raise SystemExit(main())
