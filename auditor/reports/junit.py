"""JUnit XML (`--junit`): every CI system draws it as a test report.

One test case per quality gate (passed or failed, from `gates.evaluate`) and one failing test case
per error-level finding, so a red build points at the exact gate or test that made it red.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from auditor.model import Scorecard


def build(card: Scorecard) -> ET.Element:
    """The JUnit tree: one case per quality gate (`meta.gates`) and one failing case per error finding."""
    suites = ET.Element("testsuites", name="auditor")
    gates = card.meta.gates or []
    gate_suite = ET.SubElement(suites, "testsuite", name="auditor.gates")
    for gate in gates:
        case = ET.SubElement(gate_suite, "testcase", classname="auditor.gates", name=gate.name)
        if not gate.passed:
            failure = ET.SubElement(case, "failure", message=gate.message, type="QualityGate")
            failure.text = gate.message
    gate_suite.set("tests", str(len(gates)))
    gate_suite.set("failures", str(sum(1 for g in gates if not g.passed)))

    errors = [f for f in card.findings if f.severity == "error"]
    finding_suite = ET.SubElement(suites, "testsuite", name="auditor.findings")
    for finding in sorted(errors, key=lambda f: (f.path, f.line, f.rule)):
        case = ET.SubElement(
            finding_suite,
            "testcase",
            classname=finding.path.removesuffix(".py").replace("/", "."),
            name=f"{finding.rule} {finding.test or finding.path}:{finding.line}",
            file=finding.path,
            line=str(finding.line),
        )
        failure = ET.SubElement(case, "failure", message=finding.message, type=finding.rule)
        failure.text = (
            f"{finding.path}:{finding.line}:{finding.column}: {finding.rule} {finding.message}"
        )
    finding_suite.set("tests", str(len(errors)))
    finding_suite.set("failures", str(len(errors)))

    suites.set("tests", str(len(gates) + len(errors)))
    suites.set("failures", str(sum(1 for g in gates if not g.passed) + len(errors)))
    return suites


def render(card: Scorecard, **_: Any) -> str:
    """The JUnit XML document as text."""
    root = build(card)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
