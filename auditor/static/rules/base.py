"""The rule base class: one class per TQ code, carrying its own VALID and INVALID examples.

Following Fixit, the examples are the documentation and the tests: `tests/static/test_rule_examples.py`
turns every example of every rule into a test case, so a rule cannot exist without look-alikes that
must not fire (VALID) and defects that must (INVALID).

A rule may work at two levels:
- `check(ctx)`: one file, with its libcst tree (`ctx: FileContext`);
- `check_project(project)`: after every file is parsed, on picklable facts (fixture graph across the
  conftest hierarchy, base classes, assertion helpers in other modules, patch targets vs the source
  index). `collect(ctx, facts)` lets a rule record extra per-file facts for its project check.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from auditor.model import Severity

if TYPE_CHECKING:
    from auditor.static.context import FileContext
    from auditor.static.facts import FileFacts
    from auditor.static.project_context import ProjectContext


@dataclass
class Example:
    """A code snippet for a rule, written as `tests/test_example.py` in a throw-away project.

    `files` adds more files (e.g. `{"tests/conftest.py": ..., "src/pkg/mod.py": ...}`); `config` is
    the `[tool.auditor]` table; `pytest_ini` is `[pytest]` ini text; `count` (INVALID only) is the
    exact number of findings expected for the rule, `lines` their line numbers (1-based, in `code`).
    """

    code: str
    files: dict[str, str] = field(default_factory=dict)
    path: str = "tests/test_example.py"
    config: dict[str, Any] = field(default_factory=dict)
    pytest_ini: str = ""
    count: int | None = None
    lines: list[int] | None = None
    note: str = ""


def as_example(value: str | Example) -> Example:
    return value if isinstance(value, Example) else Example(code=value)


class Rule:
    """Base class. Subclasses set the class attributes and implement `check` and/or `check_project`."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    severity: ClassVar[Severity] = "warning"
    default_enabled: ClassVar[bool] = True
    tier: ClassVar[str] = "H"
    options: ClassVar[dict[str, Any]] = {}
    VALID: ClassVar[list[str | Example]] = []
    INVALID: ClassVar[list[str | Example]] = []

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        self.settings: dict[str, Any] = {**self.options, **(settings or {})}

    def check(self, ctx: FileContext) -> None:
        """File-level check with the syntax tree; report with `ctx.report(self, node, message)`."""

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        """Record extra per-file facts for `check_project` (in `facts.extra[self.code]`)."""

    def check_project(self, project: ProjectContext) -> None:
        """Project-level check on the joined facts; report with `project.report(self, ...)`."""

    @classmethod
    def docs(cls) -> dict[str, str]:
        """What it does / Why it matters / Example / Use instead, from the docstring and examples."""
        doc = inspect.cleandoc(cls.__doc__ or "")
        sections: dict[str, str] = {}
        current = "What it does"
        buffer: list[str] = []
        headings = {
            "what it does": "What it does",
            "why it matters": "Why it matters",
            "why is this bad?": "Why it matters",
            "example": "Example",
            "use instead": "Use instead",
        }
        for line in doc.splitlines():
            key = line.strip().rstrip(":").lower()
            if key in headings and (line.strip().endswith(":") or line.startswith("#")):
                if buffer:
                    sections[current] = "\n".join(buffer).strip()
                current = headings[key]
                buffer = []
            else:
                buffer.append(line)
        if buffer:
            sections[current] = "\n".join(buffer).strip()
        sections.setdefault("What it does", cls.summary)
        sections.setdefault("Why it matters", "")
        if "Example" not in sections and cls.INVALID:
            sections["Example"] = as_example(cls.INVALID[0]).code.strip()
        if "Use instead" not in sections and cls.VALID:
            sections["Use instead"] = as_example(cls.VALID[0]).code.strip()
        return sections


_CODE = re.compile(r"^TQ\d{3}$")


def validate_rule_class(cls: type[Rule]) -> None:
    """Registry-time sanity check so a broken rule fails loudly in the test-suite."""
    if not _CODE.match(cls.code):
        raise ValueError(f"{cls.__name__}: code {cls.code!r} must look like TQ123")
    if not cls.name or not cls.summary:
        raise ValueError(f"{cls.code}: name and summary are required")
    if cls.severity not in ("error", "warning", "info"):
        raise ValueError(f"{cls.code}: bad severity {cls.severity!r}")
