"""Lightweight name resolution: which qualified name does `sleep`, `mock.patch` or `st.just` mean here?

A lightweight own index instead of libcst's QualifiedNameProvider (docs/static.md). We record
every `import` / `from ... import` binding of a module (module level and, as a fallback, inside
functions) and resolve `Name`/`Attribute` chains against them. This is an order of magnitude cheaper
than the scope analysis and exact for the import-based questions the rules ask.
"""

from __future__ import annotations

import libcst as cst

# Fixture parameters whose attribute calls mean a known API, however the test got them.
FIXTURE_OBJECTS: dict[str, str] = {
    "mocker": "pytest_mock.mocker",
    "class_mocker": "pytest_mock.mocker",
    "module_mocker": "pytest_mock.mocker",
    "package_mocker": "pytest_mock.mocker",
    "session_mocker": "pytest_mock.mocker",
    "monkeypatch": "pytest.MonkeyPatch",
    "capsys": "pytest.CaptureFixture",
    "capfd": "pytest.CaptureFixture",
    "capsysbinary": "pytest.CaptureFixture",
    "capfdbinary": "pytest.CaptureFixture",
    "caplog": "pytest.LogCaptureFixture",
    "request": "pytest.FixtureRequest",
    "snapshot": "snapshot",
}


def dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a pure Name/Attribute chain, else None."""
    parts: list[str] = []
    # exact type checks (no libcst subclasses exist): an ABC isinstance that fails is slow, and
    # this runs for nearly every call and attribute of every test
    while type(node) is cst.Attribute:
        parts.append(node.attr.value)
        node = node.value
    if type(node) is cst.Name:
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def last_segment(node: cst.BaseExpression) -> str | None:
    """The last attribute or name of a call's func, whatever the receiver (`x["a"].clear.assert_x`)."""
    if type(node) is cst.Attribute:
        return node.attr.value
    if type(node) is cst.Name:
        return node.value
    return None


def _module_name(node: cst.BaseExpression | None) -> str:
    if node is None:
        return ""
    name = dotted(node)
    return name or ""


class ImportMap:
    """Local name -> qualified name, from a module's import statements."""

    def __init__(self) -> None:
        self.bindings: dict[str, str] = {}

    def add_import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = _module_name(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.bindings[alias.asname.name.value] = full
            else:
                top = full.split(".")[0]
                self.bindings.setdefault(top, top)

    def add_import_from(self, node: cst.ImportFrom, package: str = "") -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        module = _module_name(node.module)
        if node.relative:
            dots = len(node.relative)
            base = package.split(".") if package else []
            if dots > 1:
                base = base[: len(base) - (dots - 1)] if dots - 1 <= len(base) else []
            module = ".".join([*base, module] if module else base)
        for alias in node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            name = alias.name.value
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.bindings[local] = f"{module}.{name}" if module else name

    def qualify_dotted(self, name: str, params: frozenset[str] = frozenset()) -> str:
        """Resolve the first segment of `name` through the imports (fixture params first)."""
        head, _, rest = name.partition(".")
        if head in params and head in FIXTURE_OBJECTS:
            base = FIXTURE_OBJECTS[head]
        elif head in self.bindings:
            base = self.bindings[head]
        elif head in FIXTURE_OBJECTS and head in params:
            base = FIXTURE_OBJECTS[head]
        else:
            base = head
        return f"{base}.{rest}" if rest else base

    def qualify(self, node: cst.BaseExpression, params: frozenset[str] = frozenset()) -> str | None:
        name = dotted(node)
        if name is None:
            return None
        return self.qualify_dotted(name, params)


def build_import_map(module: cst.Module, package: str = "") -> ImportMap:
    """Collect imports at module level, in nested blocks and inside functions/classes.

    Imports are statements, so only statement lists are walked (no expressions): an order of
    magnitude cheaper than a full visitor on big test files.
    """
    imports = ImportMap()
    stack: list[cst.CSTNode] = list(reversed(module.body))
    while stack:
        node = stack.pop()
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                if isinstance(small, cst.Import):
                    imports.add_import(small)
                elif isinstance(small, cst.ImportFrom):
                    imports.add_import_from(small, package)
            continue
        for suite in _suites(node):
            if isinstance(suite, cst.IndentedBlock):
                stack.extend(reversed(suite.body))
            elif isinstance(suite, cst.SimpleStatementSuite):
                stack.append(cst.SimpleStatementLine(body=suite.body))
    return imports


def _suites(node: cst.CSTNode) -> list[cst.BaseSuite]:
    suites: list[cst.BaseSuite] = []
    body = getattr(node, "body", None)
    if isinstance(body, cst.BaseSuite):
        suites.append(body)
    orelse = getattr(node, "orelse", None)
    if isinstance(orelse, cst.If):
        suites.extend(_suites(orelse))
    elif orelse is not None and isinstance(getattr(orelse, "body", None), cst.BaseSuite):
        suites.append(orelse.body)
    for handler in getattr(node, "handlers", ()) or ():
        suites.append(handler.body)
    final = getattr(node, "finalbody", None)
    if final is not None:
        suites.append(final.body)
    for case in getattr(node, "cases", ()) or ():
        suites.append(case.body)
    return suites
