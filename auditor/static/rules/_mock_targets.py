"""Patch-target classification for the 2xx rules: which module a test exercises (the SUT module),
what a patch target resolves to in the project index, and how a patch stack is weighed.

Shared by `mocking.py` (default-on rules) and `mocking_optin.py`; pure functions over facts.
"""

from __future__ import annotations

from collections import Counter
from posixpath import basename

from auditor.static.context import FileContext
from auditor.static.facts import FileFacts, PatchFact, TestFact
from auditor.static.mocks import extract
from auditor.static.project_context import ProjectContext
from auditor.static.source_index import SourceIndex

RECORDED = "TQ2xx-patches"
PATCH_RULES = frozenset({"TQ201", "TQ202", "TQ203", "TQ206"})


def record_patches(ctx: FileContext, facts: FileFacts) -> None:
    """Fill `TestFact.patches` once per file, whichever 2xx rule asks first."""
    if facts.extra.get(RECORDED) or not PATCH_RULES & ctx.options.enabled:
        return
    facts.extra[RECORDED] = True
    by_line = {(f.name, f.line): f for f in facts.fixtures}
    for fixture in ctx.fixtures:
        fixture_fact = by_line.get((fixture.fixture_name, ctx.line(fixture.node.name)))
        if fixture_fact is not None:
            fixture_fact.patch_targets = [p.target for p in extract(ctx, fixture, False)]
    if not facts.is_test_module:
        return
    by_id = {t.nodeid: t for t in facts.tests}
    for test in ctx.tests:
        fact = by_id.get(test.nodeid)
        if fact is not None:
            fact.patches = extract(ctx, test)


def project_module(index: SourceIndex, dotted_name: str) -> str | None:
    """The longest project module `dotted_name` lies in (`pkg.orders.Order` -> `pkg.orders`)."""
    parts = dotted_name.split(".")
    for cut in range(len(parts), 0, -1):
        name = ".".join(parts[:cut])
        if name in index.modules:
            return name
    return None


def _stem(path: str) -> str:
    name = basename(path)[:-3]
    if name.startswith("test_"):
        return name[5:]
    return name[:-5] if name.endswith("_test") else name


def sut_module(project: ProjectContext, path: str) -> str | None:
    """The SUT module: the project module most imported by the test module (tie: test_foo -> foo)."""
    cache: dict[str, str | None] = project.__dict__.setdefault("_tq_sut_modules", {})
    if path not in cache:
        cache[path] = _sut_module(project, path)
    return cache[path]


def _sut_module(project: ProjectContext, path: str) -> str | None:
    index = project.source
    counts: Counter[str] = Counter()
    for value in project.files[path].imported_modules:
        module = project_module(index, value)
        if module is not None:
            counts[module] += 1
    stem = _stem(path)
    if not counts:
        named = sorted(m for m in index.modules if m.rsplit(".", 1)[-1] == stem)
        return named[0] if named else None
    best = max(counts.values())
    tied = sorted(m for m, c in counts.items() if c == best)
    for module in tied:
        if module.rsplit(".", 1)[-1] == stem:
            return module
    # `import shop.orders` binds only the package `shop`: look for its namesake submodule
    namesake = f"{tied[0]}.{stem}"
    return namesake if namesake in index.modules else tied[0]


def classify(project: ProjectContext, patch: PatchFact) -> tuple[str, str]:
    """('project'|'external'|'unknown', qualified target) through the source index.

    A name both imported and conditionally redefined in its module (requests.utils `proxy_bypass`,
    a win32 shim over `urllib.request.proxy_bypass`) counts as the import: a boundary double.
    """
    index = project.source
    parts = patch.target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module = index.modules.get(".".join(parts[:cut]))
        if module is None:
            continue
        head = parts[cut]
        if head in module.imports and head in module.definitions:
            return index.resolve(".".join([module.imports[head], *parts[cut + 1 :]]))
        break
    return index.resolve(patch.target)


def anchor_of(test: TestFact, patch: PatchFact) -> str:
    return f"{patch.api}:{patch.target}"


def patch_tests(project: ProjectContext) -> list[TestFact]:
    return [t for t in project.tests() if t.patches and project.files[t.path].is_test_module]


def self_mocked(
    project: ProjectContext, test: TestFact, patch: PatchFact, allow_private: bool
) -> str | None:
    """The SUT module a replacement stubs out (TQ201), or None."""
    if patch.new_literal or patch.wraps or (patch.kind == "object" and not patch.attribute):
        return None
    kind, qualified = classify(project, patch)
    if kind != "project":
        return None
    if allow_private and patch.side_effect and qualified.rsplit(".", 1)[-1].startswith("_"):
        return None
    defining = project_module(project.source, qualified)
    if defining is None or is_setting(project.source, defining, qualified):
        return None
    if patch.kind == "string" and project_module(project.source, patch.target) != defining:
        # "patch where it is used": the string names an import in another module, so the test
        # exercises that module and replaces its collaborator (TQ203 territory)
        return None
    if patch.instantiated or defining == sut_module(project, test.path):
        return defining
    return None


def is_setting(index: SourceIndex, module_name: str, qualified: str) -> bool:
    """A constant (`MAX_ITEMS`) or a non-method class attribute (`Response.autocorrect_...`) is a
    setting the test turns, not a collaborator it replaces; a module-level object made by assignment
    (`logger`) and its attributes (`log.warning`) are that object's API, not unit logic."""
    rest = qualified[len(module_name) + 1 :].split(".")
    if rest[-1].isupper():
        return True
    module = index.modules[module_name]
    classes = module.classes
    if len(rest) == 1:
        # a module-level object made by assignment (`logger = getLogger(...)`) is not unit logic
        return rest[0] in getattr(module, "assigned", set())
    # only `Cls.method` is a definition; `log.warning` is a method of a module-level logger object
    return not (len(rest) == 2 and rest[0] in classes and rest[1] in classes[rest[0]])


def exercises_double(project: ProjectContext, patch: PatchFact) -> bool:
    """TQ206: the test calls the replaced project symbol (or its mock) itself."""
    if patch.wraps or not (patch.called_after or patch.asserts_return_value):
        return False
    return classify(project, patch)[0] == "project"


def turns_a_setting(patch: PatchFact) -> bool:
    """`setattr(mod, "LIMIT", 6)` / `patch("m.DEBUG", True)`: a value, not a replaced object."""
    return patch.new_literal or patch.target.rsplit(".", 1)[-1].isupper()


def branch_total(items: list[tuple[PatchFact, float]], depth: int) -> float:
    """Sum of weights, but only the heaviest of exclusive `if/elif/else` branches counts."""
    total = 0.0
    chains: dict[str, dict[str, list[tuple[PatchFact, float]]]] = {}
    for patch, weight in items:
        path = patch.branch.split("/")
        if len(path) <= depth:
            total += weight
            continue
        chain, _, index = path[depth].partition(".")
        chains.setdefault(chain, {}).setdefault(index, []).append((patch, weight))
    for branches in chains.values():
        total += max(branch_total(group, depth + 1) for group in branches.values())
    return total


#: the code under test of the mocking rules' examples
EXAMPLE_SOURCES = {
    "src/shop/__init__.py": "",
    "src/shop/orders.py": (
        "import os\nfrom shop.tax import rate\n\nLIMIT = 3\n\n"
        "def compute_total(items):\n    return sum(items) * rate()\n\n"
        "def _raise_if_closed():\n    pass\n\n"
        "def checkout(items):\n    _raise_if_closed()\n    return compute_total(items) + "
        "len(os.getcwd())\n\n"
        "class Repo:\n    def save(self, x):\n        return x\n"
    ),
    "src/shop/tax.py": "def rate():\n    return 1\n",
}
