"""The test node ids our collection model predicts, in pytest's `path::Class::test` form.

Used to compare the model with `pytest --collect-only` (the oracle): tests of collected modules and
classes, plus the test methods a collected class inherits from base classes defined anywhere in
the analysed files (pytest collects inherited methods under the subclass). Parametrize ids are
not predicted (`test_x[1-2]` is compared as `test_x`).
"""

from __future__ import annotations

from collections.abc import Mapping

from auditor.static.facts import FileFacts, TestFact


def _methods_by_class(files: Mapping[str, FileFacts]) -> dict[str, list[tuple[str, TestFact]]]:
    """class name -> [(defining path, test)] for every test method of every analysed class."""
    out: dict[str, list[tuple[str, TestFact]]] = {}
    for path, facts in files.items():
        for test in facts.tests:
            if test.cls is not None:
                out.setdefault(test.cls, []).append((path, test))
    return out


def model_nodeids(files: Mapping[str, FileFacts]) -> set[str]:
    """Node ids (parametrize ids stripped) of every test the model says pytest collects.

    `files` maps project-relative paths to facts (`StaticResult.facts`); ids are relative to the
    same root."""
    methods = _methods_by_class(files)
    bases_of: dict[str, list[str]] = {}
    for facts in files.values():
        for cls in facts.classes:
            bases_of.setdefault(cls.name, cls.bases)
    ids: set[str] = set()
    for path, facts in files.items():
        if not facts.is_test_module:
            continue
        for test in facts.tests:
            if not test.in_base_class:
                ids.add(test.nodeid)
        for cls in facts.classes:
            if not cls.collected:
                continue
            own = {t.name for t in facts.tests if t.cls == cls.name}
            seen = {cls.name}
            stack = list(cls.bases)
            while stack:
                base = stack.pop(0)
                if base in seen:
                    continue
                seen.add(base)
                for _, test in methods.get(base, []):
                    if test.name not in own:
                        own.add(test.name)
                        ids.add(f"{path}::{cls.name}::{test.name}")
                stack.extend(bases_of.get(base, []))
    return ids
