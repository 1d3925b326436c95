"""`FileContext`: what a file-level rule sees — the tree, the collection model, name resolution,
the oracle scan of each test — and `analyze_file`, the worker that turns one file into `FileFacts`.
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import tokenize
from typing import Any

import libcst as cst
from libcst.metadata import CodePosition, CodeRange

from auditor.static.collect import (
    Collector,
    FixtureFunc,
    FunctionInfo,
    ModuleInventory,
    TestFunc,
)
from auditor.static.facts import (
    ClassFact,
    EngineOptions,
    FileFacts,
    FixtureFact,
    HelperFact,
    RawFinding,
    TestFact,
)
from auditor.static.names import ImportMap, build_import_map, dotted
from auditor.static.oracle import (
    DEFAULT_HELPER_PATTERN,
    OracleScan,
    scan_body,
    states_no_raise_intent,
)
from auditor.static.rules.base import Rule
from auditor.static.walk import LineIndex, Span, all_nodes, clear_memo, own_nodes, use_module

SUPPRESS_LINE = re.compile(r"auditor:\s*ignore\[([A-Za-z0-9_, ]+)\](?:\s*--\s*(.*))?")
SUPPRESS_FILE = re.compile(r"auditor:\s*ignore-file\[([A-Za-z0-9_, ]+)\]")
NOQA = re.compile(r"noqa:\s*((?:TQ\d{3}[,\s]*)+)", re.IGNORECASE)


_TRAILING_COMMENT = re.compile(r"\s+#[^'\"]*$")
_SPACES = re.compile(r"\s+")


def normalized_source(code: str) -> str:
    """Source without comment lines, trailing comments, blank lines or layout: the basis of
    content fingerprints (stable when code moves, is re-indented or gains comments).

    Deliberately regex-based (C speed): tokenising every test was a third of the scan time.
    A `#` followed by a quote is kept (it may be inside a string)."""
    out: list[str] = []
    for line in code.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        stripped = _TRAILING_COMMENT.sub("", stripped)
        out.append(_SPACES.sub(" ", stripped))
    return " ".join(out)


def short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class FileContext:
    """One parsed file, as file-level rules see it."""

    def __init__(
        self,
        relpath: str,
        source: str,
        module: cst.Module,
        options: EngineOptions,
        is_conftest: bool,
        is_test_module: bool,
    ) -> None:
        self.relpath = relpath
        self.source = source
        self.module = module
        self.options = options
        self.settings = options.settings
        self.is_conftest = is_conftest
        self.is_test_module = is_test_module
        self.module_name = relpath[:-3].replace("/", ".") if relpath.endswith(".py") else relpath
        package = self.module_name.rsplit(".", 1)[0] if "." in self.module_name else ""
        self.imports: ImportMap = build_import_map(module, package)
        self.lines = source.splitlines()
        self._index: LineIndex | None = None
        self._positions: Any = None
        self.inventory: ModuleInventory = Collector(
            module, self.imports, self.settings, relpath, is_test_module
        ).collect()
        self.helper_patterns = [DEFAULT_HELPER_PATTERN] + [
            re.compile(p) for p in options.helper_patterns
        ]
        self.findings: list[RawFinding] = []
        self._oracles: dict[int, OracleScan] = {}
        self._helper_oracle: dict[str, bool] = {}

    # -- collection model -------------------------------------------------------------------
    @property
    def tests(self) -> list[TestFunc]:
        return self.inventory.tests

    @property
    def fixtures(self) -> list[FixtureFunc]:
        return self.inventory.fixtures

    def setting(self, rule: Rule | type[Rule], key: str) -> Any:
        code = rule.code
        return self.options.rule_settings.get(code, {}).get(key, rule.options.get(key))

    # -- positions and code -----------------------------------------------------------------
    def span(self, node: cst.CSTNode, within: cst.CSTNode | None = None) -> Span:
        """Where a node is: exact for statements, defs, names of defs, decorators, with-items and
        except handlers; the enclosing statement's span for expressions (see walk.py)."""
        if self._index is None and self._positions is None:
            try:
                self._index = LineIndex(self.module, ast.parse(self.source))
            except (SyntaxError, ValueError, RecursionError):
                from libcst.metadata import MetadataWrapper, PositionProvider

                wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
                self._positions = wrapper.resolve(PositionProvider)
        if self._index is not None:
            roots: list[cst.CSTNode] = (
                [within, self.module] if within is not None else [self.module]
            )
            return self._index.span(node, roots)
        where = self._positions[node]
        return Span(where.start.line, where.start.column, where.end.line, where.end.column)

    def pos(self, node: cst.CSTNode) -> CodeRange:
        where = self.span(node)
        return CodeRange(
            CodePosition(where.line, where.column), CodePosition(where.end_line, where.end_column)
        )

    def line(self, node: cst.CSTNode) -> int:
        return self.span(node).line

    def code(self, node: cst.CSTNode) -> str:
        """The node's code (libcst codegen: use for messages, not in hot loops)."""
        return self.module.code_for_node(node)

    def source_of(self, node: cst.CSTNode) -> str:
        """The source lines a (statement-level) node spans; cheap, no codegen."""
        where = self.span(node)
        return "\n".join(self.lines[where.line - 1 : where.end_line])

    def qualify(self, node: cst.BaseExpression, func: FunctionInfo | None = None) -> str | None:
        params = func.param_set if func is not None else frozenset()
        return self.imports.qualify(node, params) if dotted(node) else None

    # -- oracle -----------------------------------------------------------------------------
    def oracle(self, func: FunctionInfo) -> OracleScan:
        """The oracle scan of a function's own body, including same-module helpers (depth <= 2)."""
        key = id(func.node)
        if key not in self._oracles:
            scan = scan_body(func.node.body, self.imports, func.param_set, self.helper_patterns)
            if not scan.has_oracle:
                for call in scan.calls:
                    if self.local_helper_asserts(call, depth=2):
                        scan.has_oracle = True
                        scan.kinds.add("helper")
                        break
            if not scan.has_oracle and self.nested_oracle(func.node, func.param_set, depth=2):
                scan.has_oracle = True
                scan.kinds.add("nested")
            if not scan.has_oracle and isinstance(func, TestFunc) and self._warnings_oracle(func):
                scan.has_oracle = True
                scan.kinds.add("warnings-error")
            self._oracles[key] = scan
        return self._oracles[key]

    def nested_oracle(self, node: cst.FunctionDef, params: frozenset[str], depth: int) -> bool:
        """Does a function or class defined inside `node` verify something, and does `node` use
        it — call it, hand it to a runner or the code under test (`trio.run(main)`,
        `runner(check)`, `parser.parse(s, extra_types={"y": y})`), decorate it (`@app.route`),
        instantiate or pass on the class? The asserts of a `y()`/`n()` helper called 60 times
        are the test's oracle."""
        nested = [n for n in own_nodes(node.body) if type(n) in (cst.FunctionDef, cst.ClassDef)]
        if not nested:
            return False
        used = {n.value for n in own_nodes(node.body) if type(n) is cst.Name}
        for inner in nested:
            assert isinstance(inner, (cst.FunctionDef, cst.ClassDef))
            if inner.name.value not in used and not inner.decorators:
                continue
            if isinstance(inner, cst.FunctionDef):
                if self._function_verifies(inner, params, depth):
                    return True
                continue
            methods = inner.body.body if isinstance(inner.body, cst.IndentedBlock) else []
            for method in methods:
                if isinstance(method, cst.FunctionDef) and self._function_verifies(
                    method, params, depth
                ):
                    return True
        return False

    def _function_verifies(self, node: cst.FunctionDef, params: frozenset[str], depth: int) -> bool:
        scan = scan_body(node.body, self.imports, params, self.helper_patterns)
        if scan.has_oracle or any(self.local_helper_asserts(c, 2) for c in scan.calls):
            return True
        return depth > 0 and self.nested_oracle(node, params, depth - 1)

    def _warnings_oracle(self, test: TestFunc) -> bool:
        """Warnings turned into errors are the check: `@pytest.mark.filterwarnings("error")` on
        the test, class or module; or `-W error` / `filterwarnings = error` in the pytest
        configuration for a test about warnings (its name or body mentions them)."""
        for mark, call in test.mark_calls:
            if mark == "filterwarnings" and call is not None and call.args:
                first = call.args[0].value
                if isinstance(first, cst.SimpleString) and str(
                    first.evaluated_value
                ).strip().startswith("error"):
                    return True
        if not self.settings.warnings_are_errors():
            return False
        text = test.name.lower()
        return "warn" in text or "deprecat" in text or "warnings." in self.source_of(test.node)

    def local_helper_asserts(self, name: str, depth: int) -> bool:
        """Does a same-module helper function (or `self.helper` method) verify something?"""
        simple = name.split(".")[-1] if name.startswith("self.") else name
        node = self.inventory.helpers.get(simple)
        if node is None:
            node = self._method_helper(name)
        if node is None or depth <= 0:
            return False
        cache_key = f"{simple}:{depth}"
        if cache_key in self._helper_oracle:
            return self._helper_oracle[cache_key]
        self._helper_oracle[cache_key] = False  # recursion guard
        scan = scan_body(node.body, self.imports, frozenset(), self.helper_patterns)
        result = scan.has_oracle or any(self.local_helper_asserts(c, depth - 1) for c in scan.calls)
        self._helper_oracle[cache_key] = result
        return result

    def _method_helper(self, name: str) -> cst.FunctionDef | None:
        if not name.startswith("self."):
            return None
        method = name.split(".", 1)[1]
        if "." in method:
            return None
        for cls in self.inventory.classes:
            body = cls.node.body.body if isinstance(cls.node.body, cst.IndentedBlock) else []
            for stmt in body:
                if isinstance(stmt, cst.FunctionDef) and stmt.name.value == method:
                    return stmt
        return None

    # -- reporting --------------------------------------------------------------------------
    def report(
        self,
        rule: Rule | type[Rule],
        node: cst.CSTNode,
        message: str,
        *,
        test: FunctionInfo | None = None,
        severity: str | None = None,
    ) -> None:
        if rule.code not in self.options.enabled:
            return
        where = self.span(node, test.node if test is not None else None)
        def_line = self.line(test.node.name) if test is not None else None
        enclosing = test.node if test is not None else node
        self.findings.append(
            RawFinding(
                rule=rule.code,
                line=where.line,
                column=where.column + 1,
                end_line=where.end_line,
                end_column=where.end_column + 1,
                message=message,
                severity=severity or rule.severity,
                test=test.nodeid if isinstance(test, TestFunc) else None,
                def_line=def_line,
                anchor=normalized_source(self.code(node))[:400],
                context_hash=short_hash(normalized_source(self.source_of(enclosing))),
            )
        )


def module_name_for(relpath: str) -> str:
    return relpath[:-3].replace("/", ".") if relpath.endswith(".py") else relpath


def _suppressions(source: str, facts: FileFacts) -> None:
    lines: dict[int, list[str]] = {}
    if not (SUPPRESS_LINE.search(source) or NOQA.search(source) or SUPPRESS_FILE.search(source)):
        # no comment can match where the whole text does not: skip tokenising the file
        # (flake8 noqa comments for E501 and friends are common; only TQ codes matter here)
        facts.suppressions = lines
        return
    try:
        tokens = [
            (tok.start[0], tok.string)
            for tok in tokenize.generate_tokens(io.StringIO(source).readline)
            if tok.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        tokens = [(i, line) for i, line in enumerate(source.splitlines(), 1) if "#" in line]
    for lineno, text in tokens:
        match = SUPPRESS_LINE.search(text)
        if match:
            codes = [c.strip().upper() for c in match.group(1).split(",") if c.strip()]
            lines.setdefault(lineno, []).extend(codes)
            if match.group(2):
                facts.suppression_reasons[lineno] = match.group(2).strip()
        noqa = NOQA.search(text)
        if noqa:
            codes = re.findall(r"TQ\d{3}", noqa.group(1).upper())
            lines.setdefault(lineno, []).extend(codes)
        file_match = SUPPRESS_FILE.search(text)
        if file_match:
            facts.file_suppressions.extend(
                c.strip().upper() for c in file_match.group(1).split(",") if c.strip()
            )
    facts.suppressions = lines


def _test_exemption(ctx: FileContext, test: TestFunc) -> str | None:
    if test.marks & {"skip", "xfail", "skipif"}:
        return "skip/xfail"
    if "benchmark" in test.params:
        return "benchmark"
    if "mypy_testing" in test.marks:
        return "mypy-testing"  # pytest-mypy-testing checks the `# R:`/`# E:` comments, not a run
    body = test.node.body
    if isinstance(body, cst.IndentedBlock) and body.body:
        first = body.body[0]
        if isinstance(first, cst.SimpleStatementLine) and first.body:
            expr = first.body[0]
            if isinstance(expr, cst.Expr) and isinstance(expr.value, cst.Call):
                name = ctx.qualify(expr.value.func, test) or ""
                if name in ("pytest.skip", "self.skipTest", "pytest.xfail") or name.endswith(
                    ".skipTest"
                ):
                    return "skip/xfail"
    if test.is_given:
        return "given"
    if states_no_raise_intent(test.node, ctx.source_of(test.node)):
        return "no-raise intent"
    return None


def _statement_count(func: cst.FunctionDef) -> int:
    body = func.body
    if not isinstance(body, cst.IndentedBlock):
        return 1
    count = 0
    for index, stmt in enumerate(body.body):
        if (
            index == 0
            and isinstance(stmt, cst.SimpleStatementLine)
            and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
        ):
            continue
        if isinstance(stmt, cst.SimpleStatementLine) and all(
            isinstance(s, cst.Pass)
            or (isinstance(s, cst.Expr) and isinstance(s.value, cst.Ellipsis))
            for s in stmt.body
        ):
            continue
        count += 1
    return count


def _getfixturevalue_literals(func: cst.FunctionDef, source: str) -> list[str]:
    out: list[str] = []
    if "getfixturevalue" not in source:
        return out
    for node in all_nodes(func.body):
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "getfixturevalue"
            and node.args
            and isinstance(node.args[0].value, cst.SimpleString)
        ):
            out.append(str(node.args[0].value.evaluated_value))
    return out


def build_facts(ctx: FileContext, rules: list[Rule]) -> FileFacts:
    facts = FileFacts(
        path=ctx.relpath,
        module=ctx.module_name,
        is_conftest=ctx.is_conftest,
        is_test_module=ctx.is_test_module,
        pytest_plugins=list(ctx.inventory.pytest_plugins),
    )
    for test in ctx.tests:
        scan = ctx.oracle(test)
        where = ctx.pos(test.node)
        facts.tests.append(
            TestFact(
                nodeid=test.nodeid,
                name=test.name,
                path=ctx.relpath,
                line=ctx.line(test.node.name),
                end_line=where.end.line,
                cls=test.cls.name if test.cls else None,
                params=list(test.params),
                usefixtures=list(test.usefixtures),
                is_given=test.is_given,
                is_async=test.is_async,
                in_base_class=test.in_base_class,
                marks=sorted(test.marks),
                exempt=_test_exemption(ctx, test),
                has_local_oracle=scan.has_oracle,
                helper_calls=sorted(set(scan.calls)),
                called_params=sorted(scan.called_params),
                statement_count=_statement_count(test.node),
                source_hash=short_hash(normalized_source(ctx.source_of(test.node))),
                getfixturevalue=_getfixturevalue_literals(test.node, ctx.source),
            )
        )
        facts.fixture_requests.extend(test.fixture_requests)
        facts.fixture_requests.extend(test.usefixtures)
    for fixture in ctx.fixtures:
        full = scan_body(fixture.node, ctx.imports, fixture.param_set, ctx.helper_patterns)
        contains_oracle = full.has_oracle or any(
            isinstance(n, cst.Assert) for n in all_nodes(fixture.node.body)
        )
        facts.fixtures.append(
            FixtureFact(
                name=fixture.fixture_name,
                path=ctx.relpath,
                line=ctx.line(fixture.node.name),
                scope=fixture.scope,
                autouse=fixture.autouse,
                cls=fixture.cls.name if fixture.cls else None,
                params=[p for p in fixture.params],
                getfixturevalue=_getfixturevalue_literals(fixture.node, ctx.source),
                contains_oracle=contains_oracle,
                source_hash=short_hash(normalized_source(ctx.source_of(fixture.node))),
            )
        )
        facts.fixture_requests.extend(fixture.params)
    for cls in ctx.inventory.classes:
        facts.classes.append(
            ClassFact(
                name=cls.name,
                path=ctx.relpath,
                line=ctx.line(cls.node.name),
                bases=[b.split(".")[-1] for b in cls.bases],
                collected=cls.collected,
                has_test_methods=cls.has_test_methods,
                has_init=cls.has_init,
                is_testcase=cls.is_testcase,
            )
        )
    for name, node in ctx.inventory.helpers.items():
        scan = scan_body(node.body, ctx.imports, frozenset(), ctx.helper_patterns)
        facts.helpers.append(
            HelperFact(
                module=ctx.module_name, name=name, has_oracle=scan.has_oracle, calls=scan.calls
            )
        )
    facts.imported_modules = sorted(set(ctx.imports.bindings.values()))
    for rule in rules:
        rule.collect(ctx, facts)
    return facts


def analyze_source(
    relpath: str,
    source: str,
    options: EngineOptions,
    rules: list[Rule],
    *,
    is_test_module: bool | None = None,
) -> FileFacts:
    """Parse one file, run the file-level rules, and return its facts (never raises on bad input).

    `is_test_module` says whether pytest collects the file as a test module (decided by
    `auditor.static.discover`); None falls back to matching its name against `python_files`."""
    name = relpath.rsplit("/", 1)[-1]
    is_conftest = name == "conftest.py"
    if is_test_module is None:
        is_test_module = options.settings.matches_file(name)
    try:
        module = parse_module(source)
    except cst.ParserSyntaxError as exc:
        facts = FileFacts(
            path=relpath,
            module=module_name_for(relpath),
            is_conftest=is_conftest,
            is_test_module=is_test_module,
        )
        line, message = _python_syntax_error(source, relpath)
        if line is None:
            facts.error = (
                f"libcst {_libcst_version()} cannot parse line {exc.raw_line} ({exc.message}); "
                f"Python itself accepts it, so this is newer syntax than the analyser supports"
            )
            facts.extra["error_line"] = exc.raw_line
        else:
            facts.error = f"syntax error at line {line}: {message}"
            facts.extra["error_line"] = line
        return facts
    except (RecursionError, ValueError) as exc:  # pragma: no cover - pathological inputs
        facts = FileFacts(
            path=relpath,
            module=module_name_for(relpath),
            is_conftest=is_conftest,
            is_test_module=is_test_module,
        )
        facts.error = f"could not parse: {exc}"
        return facts
    use_module(module)
    try:
        ctx = FileContext(relpath, source, module, options, is_conftest, is_test_module)
        for rule in rules:
            if rule.code in options.enabled:
                rule.check(ctx)
        facts = build_facts(ctx, rules)
    finally:
        clear_memo()
    facts.findings = ctx.findings
    _suppressions(source, facts)
    return facts


def _skip_validation(_node: cst.CSTNode) -> None:
    return None


def parse_module(source: str) -> cst.Module:
    """`libcst.parse_module`, without re-validating every node the native parser builds.

    libcst's node constructor runs `_validate()` on each node (`CSTNode.__post_init__`); for a
    tree the parser itself produced from valid source these checks cannot fail, and they were a
    sixth of the parse time (a fifth of the tree's nodes are whitespace, each validated). The
    hook is switched off only for the duration of this call and restored even on error; nodes
    built anywhere else are validated as usual. Raises what `libcst.parse_module` raises."""
    base = cst.CSTNode
    original = base.__dict__.get("__post_init__")
    if original is None:  # a libcst without the hook: nothing to skip
        return cst.parse_module(source)
    setattr(base, "__post_init__", _skip_validation)  # noqa: B010 (mypy: method assignment)
    try:
        return cst.parse_module(source)
    finally:
        setattr(base, "__post_init__", original)  # noqa: B010


def _python_syntax_error(source: str, relpath: str) -> tuple[int | None, str]:
    """Python's own account of a syntax error (what the user sees from pytest), if any."""
    import ast

    try:
        ast.parse(source, filename=relpath)
    except SyntaxError as exc:
        return exc.lineno, exc.msg
    except (ValueError, RecursionError) as exc:
        return 1, str(exc)
    return None, ""


def _libcst_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("libcst")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return ""


def decode_source(data: bytes) -> tuple[str | None, str | None]:
    """Decode like Python does (PEP 263 cookie, UTF-8 default); return (text, error)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), None
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return (
            None,
            f"cannot be decoded ({exc}); save it as UTF-8 or declare its encoding (PEP 263)",
        )
