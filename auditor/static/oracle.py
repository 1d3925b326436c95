"""The verification-oracle set (docs/static.md, "The oracle set"): does this test's own body check anything?

A test *verifies* if its own body (not nested def/lambda/class) contains an assert, an `assert*`
call on any receiver, a raises/warns expectation, a snapshot/regression check, an external check
(`subprocess.run(check=True)`), or a call to a helper that does one of these (depth <= 2; helpers in
other files are resolved at project level from the recorded call names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

from auditor.static.names import ImportMap, dotted, last_segment
from auditor.static.walk import all_nodes as all_nodes
from auditor.static.walk import own_nodes as own_nodes

ASSERT_CALL = re.compile(r"^_?assert")
DEFAULT_HELPER_PATTERN = re.compile(r"^_?(check|verify|expect|ensure|validate)_")
EXPECTATION_CALLS = {
    "pytest.raises",
    "pytest.warns",
    "pytest.deprecated_call",
    "pytest.fail",
    "pytest.approx",
    "pytest.RaisesGroup",
    "pytest.RaisesExc",
}
UNITTEST_ORACLE_METHODS = {"fail", "failIf", "failUnless", "failUnlessEqual", "failIfEqual"}
NULL_CONTEXTS = {"contextlib.nullcontext", "does_not_raise"}
WARNING_FILTERS = {"warnings.simplefilter", "warnings.filterwarnings"}
EXTERNAL_CHECKS = {"subprocess.check_call", "subprocess.check_output"}
EXTERNAL_METHODS = {"check_returncode", "raise_for_status"}


def _action_is_error(call: cst.Call) -> bool:
    """`warnings.simplefilter("error")` / `filterwarnings(action="error", ...)`: from here on a
    warning raises, so the code that follows is checked for warnings."""
    for index, arg in enumerate(call.args):
        key = arg.keyword.value if arg.keyword is not None else None
        if (key == "action" or (key is None and index == 0)) and isinstance(
            arg.value, cst.SimpleString
        ):
            return str(arg.value.evaluated_value) == "error"
    return False


@dataclass
class OracleScan:
    """What a function body does by way of verification."""

    has_oracle: bool = False
    kinds: set[str] = field(default_factory=set)
    calls: list[str] = field(
        default_factory=list
    )  # qualified names of other calls (helper candidates)
    called_params: set[str] = field(default_factory=set)


def is_oracle_call(
    call: cst.Call,
    imports: ImportMap,
    params: frozenset[str],
    helper_patterns: list[re.Pattern[str]],
) -> str | None:
    """The oracle kind of a call, or None."""
    last = last_segment(call.func)
    qualified = imports.qualify(call.func, params) if dotted(call.func) else None
    if last is not None and ASSERT_CALL.match(last):
        return "assert-call"
    if qualified in EXPECTATION_CALLS and qualified != "pytest.approx":
        return "expectation"
    if (
        last in ("raises", "warns", "deprecated_call")
        and qualified
        and qualified.startswith("pytest")
    ):
        return "expectation"
    if (
        isinstance(call.func, cst.Attribute)
        and dotted(call.func.value) == "self"
        and last in UNITTEST_ORACLE_METHODS
    ):
        return "expectation"
    if qualified in WARNING_FILTERS and _action_is_error(call):
        return "warnings-error"
    if qualified in EXTERNAL_CHECKS:
        return "external"
    if qualified in ("subprocess.run",) and any(
        a.keyword is not None
        and a.keyword.value == "check"
        and isinstance(a.value, cst.Name)
        and a.value.value == "True"
        for a in call.args
    ):
        return "external"
    if last in EXTERNAL_METHODS:
        return "external"
    if last is not None and (
        last.startswith("verify")
        and qualified is not None
        and ("approvaltests" in qualified or qualified.startswith("verify"))
    ):
        return "snapshot"
    if last == "check" and isinstance(call.func, cst.Attribute):
        receiver = last_segment(call.func.value)
        if receiver and receiver.endswith("_regression"):
            return "snapshot"
    if last in ("assert_match",):
        return "snapshot"
    if last is not None and any(p.match(last) for p in helper_patterns):
        return "helper-pattern"
    return None


def scan_body(
    root: cst.CSTNode,
    imports: ImportMap,
    params: frozenset[str],
    helper_patterns: list[re.Pattern[str]],
) -> OracleScan:
    """Scan a function's own body for oracles; record other calls for helper resolution."""
    result = OracleScan()
    for node in own_nodes(root):
        kind_of = type(node)  # exact type checks: libcst nodes are ABCs, isinstance is slow
        if kind_of is cst.Assert:
            result.has_oracle = True
            result.kinds.add("assert")
        elif kind_of is cst.Call:
            assert isinstance(node, cst.Call)
            kind = is_oracle_call(node, imports, params, helper_patterns)
            if kind:
                result.has_oracle = True
                result.kinds.add(kind)
                continue
            name = dotted(node.func)
            if name is not None:
                head = name.split(".")[0]
                if head in params:
                    result.called_params.add(head)
                else:
                    result.calls.append(imports.qualify_dotted(name, params))
        elif kind_of is cst.WithItem:
            assert isinstance(node, cst.WithItem)
            item = node.item
            call = item if isinstance(item, cst.Call) else None
            target = call.func if call is not None else item
            qualified = imports.qualify(target, params) if dotted(target) else None
            last = last_segment(target)
            if qualified in NULL_CONTEXTS or last == "does_not_raise":
                result.has_oracle = True
                result.kinds.add("no-raise")
        elif kind_of is cst.Raise:
            result.kinds.add("raise")
    return result


# The leading lookahead names every alternative's first letter: it matches exactly what the
# alternatives alone match, and lets the regex engine skip other positions at C speed.
NO_RAISE_INTENT = re.compile(
    r"(?=[smdwnj])(?:"
    r"(should|must|does|do|will|won)(n'?t| not)? ?(raise|crash|fail|throw|error)|smoke|no exception"
    r"|doesn'?t (raise|crash|fail|throw|blow)|not (raise|crash|fail|throw|blow)|just (make sure|check)"
    r"|without (error|crash|exception)|no (error|crash))",
    re.IGNORECASE,
)


def states_no_raise_intent(func: cst.FunctionDef, text: str) -> bool:
    """Docstring or comments (`text` = the test's source) say it only checks that nothing raises."""
    return bool(NO_RAISE_INTENT.search(text)) or bool(
        NO_RAISE_INTENT.search(func.name.value.replace("_", " "))
    )
