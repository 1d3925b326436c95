"""Hypothesis strategies that generate pytest modules with planted, known facts (ground truth).

A draw is a `PlantedModule`: the module's source plus the findings a correct analyser must report,
as (rule code, test name) pairs. The auditor's own property tests use these to check that the
provable rules report exactly the planted truth, that findings are invariant under reformatting,
renaming, reordering and comments, and that rule thresholds behave at threshold +/- 1 (values are
drawn around each rule's own configured threshold, imported from the rule class: a fixed range let
boundary mutants of a rule survive; docs/hypothesis-internals.md).
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass, field

from hypothesis import strategies as st

# Rules whose findings are exactly determined by the templates below (tier P shapes, and the
# threshold rules whose count is drawn around the configured threshold).
PROVABLE_CODES = ("TQ110", "TQ112", "TQ406", "TQ301", "TQ502", "TQ504", "TQ503", "TQ202", "TQ501")


def rule_threshold(code: str, default: int, key: str | None = None) -> int:
    """A rule's integer threshold option (`key`, else its first integer option), or `default`.

    Read from the rule class's `options` (its defaults, not a project's configuration), so the
    generators follow the rule when its threshold changes. `default` when the rule does not exist
    or has no integer option; never raises.
    """
    from auditor.static.registry import rule_by_code

    rule = rule_by_code(code)
    if rule is not None:
        if key is not None and isinstance(rule.options.get(key), int):
            return int(rule.options[key])
        for value in rule.options.values():
            if isinstance(value, int) and not isinstance(value, bool):
                return value
    return default


def around(threshold: int) -> st.SearchStrategy[int]:
    """Counts at the threshold's edges (the values a `>` vs `>=` slip disagrees on) and beyond.

    Samples from `{1, t - 1, t, t + 1, t + 3}` minus 0 (counts are at least 1).
    """
    return st.sampled_from(
        sorted({1, threshold - 1, threshold, threshold + 1, threshold + 3} - {0})
    )


@dataclass
class PlantedTest:
    """One generated test: its function `name`, its `source`, the rule codes a correct analyser
    reports on it (`truth`), the template it came from (`kind`) and its number of asserts."""

    name: str
    source: str
    truth: set[str] = field(default_factory=set)  # rule codes this test must get
    kind: str = ""
    asserts: int = 0


@dataclass
class PlantedModule:
    """A generated pytest module: a fixed header (imports and a `func` under test) and its tests."""

    tests: list[PlantedTest]
    header: str = (
        "from unittest import mock\n\nimport pytest\n"
        "from hypothesis import assume, given, settings, strategies as st\n\n\n"
        "def func(x):\n    return x * 2\n"
    )
    comments: bool = False

    @property
    def source(self) -> str:
        """The module's full source text: header, then each test, separated by blank lines."""
        return self.header + "\n\n" + "\n\n".join(t.source for t in self.tests) + "\n"

    def truth(self) -> set[tuple[str, str]]:
        """The planted findings as `(rule code, test function name)` pairs."""
        return {(code, t.name) for t in self.tests for code in t.truth}


identifiers = st.from_regex(r"[a-z][a-z0-9]{2,8}", fullmatch=True).filter(
    lambda s: not keyword.iskeyword(s) and s not in {"func", "pytest", "given", "settings", "st"}
)
literals = st.integers(min_value=-50, max_value=50)


def _good(name: str, value: int) -> PlantedTest:
    src = f"def test_{name}():\n    result = func({value})\n    assert result == {value * 2}\n"
    return PlantedTest(f"test_{name}", src, set(), "good", asserts=1)


def _discarded(name: str, value: int) -> PlantedTest:
    src = (
        f"def test_{name}():\n    result = func({value})\n    assert result is not None\n"
        f"    result == {value * 2}\n"
    )
    return PlantedTest(f"test_{name}", src, {"TQ112"}, "discarded", asserts=1)


def _empty(name: str, _value: int) -> PlantedTest:
    return PlantedTest(f"test_{name}", f'def test_{name}():\n    """TODO."""\n', {"TQ110"}, "empty")


def _no_oracle(name: str, value: int) -> PlantedTest:
    src = f"def test_{name}():\n    result = func({value})\n    func(result)\n"
    return PlantedTest(f"test_{name}", src, set(), "no_oracle")


def _degenerate_given(name: str, value: int) -> PlantedTest:
    src = f"@given(st.just({value}))\ndef test_{name}(x):\n    assert func(x) == {value * 2}\n"
    return PlantedTest(f"test_{name}", src, {"TQ504"}, "degenerate", asserts=1)


def _explicit_only(name: str, value: int) -> PlantedTest:
    src = (
        "from hypothesis import Phase, example\n\n"
        f"@settings(phases=[Phase.explicit])\n@example({value})\n@given(st.integers())\n"
        f"def test_{name}(x):\n    assert func(x) == x * 2\n"
    )
    return PlantedTest(f"test_{name}", src, {"TQ503"}, "explicit_only", asserts=1)


TEMPLATES = {
    "good": _good,
    "discarded": _discarded,
    "empty": _empty,
    "no_oracle": _no_oracle,
    "degenerate": _degenerate_given,
    "explicit_only": _explicit_only,
}


@st.composite
def max_examples_test(draw: st.DrawFn, name: str) -> PlantedTest:
    """A property test whose `max_examples` is drawn around TQ502's own threshold."""
    threshold = rule_threshold("TQ502", 10, "min-examples")
    n = draw(around(threshold))
    src = (
        f"@settings(max_examples={n})\n@given(st.integers())\ndef test_{name}(x):\n"
        f"    assert func(x) == x * 2\n"
    )
    return PlantedTest(
        f"test_{name}", src, {"TQ502"} if n < threshold else set(), "max_examples", 1
    )


@st.composite
def patch_stack_test(draw: st.DrawFn, name: str) -> PlantedTest:
    """A test with k object replacements, k drawn around TQ202's `max-replacements`."""
    threshold = rule_threshold("TQ202", 3, "max-replacements")
    k = draw(around(threshold))
    decorators = "".join(f'@mock.patch("vendorlib.client.call_{i}")\n' for i in range(k))
    params = ", ".join(f"m{i}" for i in range(k))
    src = f"{decorators}def test_{name}({params}):\n    assert func(m0.call_count) == 0\n"
    return PlantedTest(f"test_{name}", src, {"TQ202"} if k > threshold else set(), "patches", 1)


@st.composite
def assume_test(draw: st.DrawFn, name: str) -> PlantedTest:
    """A property with k cheap `assume` calls, k drawn around TQ501's `max-assumes`."""
    threshold = rule_threshold("TQ501", 2, "max-assumes")
    k = draw(around(threshold))
    assumes = "".join(f"    assume(x != {i * 1000 + 7})\n" for i in range(k))
    src = f"@given(st.integers())\ndef test_{name}(x):\n{assumes}    assert func(x) == x + x\n"
    return PlantedTest(f"test_{name}", src, {"TQ501"} if k > threshold else set(), "assumes", 1)


@st.composite
def scope_mismatch_fixture(draw: st.DrawFn, name: str) -> PlantedTest:
    """A fixture of a drawn scope requesting a function-scoped built-in (mismatch unless function)."""
    scope = draw(st.sampled_from(["function", "class", "module", "session"]))
    requested = draw(st.sampled_from(["tmp_path", "capsys", "request"]))
    src = (
        f"@pytest.fixture(scope={scope!r})\ndef {name}_fx({requested}):\n    return {requested}\n\n\n"
        f"def test_{name}({name}_fx):\n    assert {name}_fx is not None\n"
    )
    mismatch = scope != "function" and requested != "request"
    return PlantedTest(f"test_{name}", src, {"TQ301"} if mismatch else set(), "scope", 1)


@st.composite
def planted_modules(draw: st.DrawFn, min_tests: int = 1, max_tests: int = 8) -> PlantedModule:
    """A pytest module of unique-named tests drawn from the templates, plus optional duplicates.

    Between `min_tests` and `max_tests` tests with distinct names (plus at most one shadowing
    duplicate, whose shadowed first definition carries TQ406). Raises Hypothesis'
    `InvalidArgument` when `min_tests > max_tests`.
    """
    names = draw(st.lists(identifiers, min_size=min_tests, max_size=max_tests, unique=True))
    tests: list[PlantedTest] = []
    for name in names:
        kind = draw(st.sampled_from([*TEMPLATES, "max_examples", "scope", "patches", "assumes"]))
        value = draw(literals)
        if kind == "max_examples":
            tests.append(draw(max_examples_test(name)))
        elif kind == "patches":
            tests.append(draw(patch_stack_test(name)))
        elif kind == "assumes":
            tests.append(draw(assume_test(name)))
        elif kind == "scope":
            tests.append(draw(scope_mismatch_fixture(name)))
        else:
            tests.append(TEMPLATES[kind](name, value))
    if tests and draw(st.booleans()):
        # a shadowed duplicate: the FIRST definition never runs (TQ406 reported on it)
        victim = draw(
            st.sampled_from([t for t in tests if t.kind in ("good", "no_oracle")] or [None])
        )
        if victim is not None:
            dup = _good(victim.name[len("test_") :], 7)
            dup.truth = set()
            index = tests.index(victim)
            victim.truth = victim.truth | {"TQ406"}
            tests.insert(index + 1, dup)
    return PlantedModule(tests=tests)


# -- metamorphic transforms -------------------------------------------------------------------
def add_comments(source: str) -> str:
    """Put a comment after every line that ends a statement and before every def."""
    out: list[str] = []
    for line in source.splitlines():
        if line.startswith(("def ", "@")):
            out.append("# a comment that changes nothing")
        if (
            line.strip()
            and not line.rstrip().endswith((":", "\\", ",", "("))
            and "'''" not in line
            and '"""' not in line
        ):
            out.append(line + "  # note")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def add_blank_lines(source: str) -> str:
    """One more blank line wherever two separate definitions (a metamorphic no-op transform)."""
    return source.replace("\n\n\n", "\n\n\n\n")


def rename_local(source: str, old: str = "result", new: str = "outcome_value") -> str:
    """Rename every whole-word occurrence of `old` to `new` (the templates' local variable)."""
    import re

    return re.sub(rf"\b{old}\b", new, source)


def reorder(module: PlantedModule, order: list[int]) -> PlantedModule:
    """The same tests in another order (duplicates keep their relative order: shadowing depends
    on it).

    `order` is a permutation of `range(len(module.tests))`; an index out of range raises
    `IndexError`. A module with a shadowed duplicate is returned unchanged.
    """
    if any("TQ406" in t.truth for t in module.tests):
        return module
    return PlantedModule(tests=[module.tests[i] for i in order], header=module.header)


def strip_asserts(source: str) -> str:
    """Delete every assert statement (replaced by `pass` to keep the code valid).

    Line-based: only asserts that start a line and fit on it are replaced, which is what the
    templates produce.
    """
    out = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("assert "):
            out.append(line[: len(line) - len(stripped)] + "pass")
        else:
            out.append(line)
    return "\n".join(out) + "\n"
