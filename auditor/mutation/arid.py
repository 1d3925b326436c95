"""Arid lines (Google's term): code whose mutants say nothing about test quality.

A mutant on `log.info(...)`, `print(...)` or `warnings.warn(...)` that survives is noise, not a
missing test. We do not hide these from mutmut (every generated mutant must appear in the report);
we do not *run* them, and report them as skipped with the pattern that matched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence


class AridMatcher:
    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = [(p, re.compile(p)) for p in patterns]

    def match(self, source_line: str) -> str | None:
        """The first pattern matching the original source line, or None."""
        for text, regex in self.patterns:
            if regex.search(source_line):
                return text
        return None

    def reason(self, source_lines: list[str], line: int | None) -> str | None:
        """Skip reason for a mutant on 1-based `line` of a file, or None when not arid."""
        if line is None or not 1 <= line <= len(source_lines):
            return None
        pattern = self.match(source_lines[line - 1])
        if pattern is None:
            return None
        return (
            f"arid line (matches `{pattern}`): mutants of logging/print/warning calls are not run"
        )
