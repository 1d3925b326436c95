"""Whoever clones the repository finds everything it refers to inside it.

No file may point at design notes that live outside the repository (the team's old design,
rule-catalog and engine field notes, or a `shared` folder beside the checkout), every relative link
in the Markdown docs must lead to an existing file (and heading), and every `docs/*.md` path named
in code must exist.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SKIP_DIRS = {
    ".git",
    ".venv",
    "venv",
    ".nox",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    ".auditor",
    "build",
    "dist",
    "mutants",
    ".cache",
    "node_modules",
}
TEXT_SUFFIXES = {".py", ".md", ".toml", ".txt", ".cfg", ".ini", ".yml", ".yaml", ".json", ".sh", ""}
# Spelled in parts so this file does not match its own patterns.
OUTSIDE_NAMES = ("DESIGN", "RULES", "MUTMUT", "HYPOTHESIS", "SYSTEMS", "STYLE")
OUTSIDE = re.compile(
    r"\b(?:" + "|".join(OUTSIDE_NAMES) + r")(?:\.md\b|\s*§)"  # NAME.md, or "NAME §3.1"
    r"|\.\./" + "shared" + r"\b"  # a folder beside the checkout, by relative path
    r"|\bparent\s*/\s*[\"']" + "shared" + r"[\"']"  # ... or by Path arithmetic
)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
DOC_PATH = re.compile(r"(?<![\w/.-])(docs/[\w.-]+\.(?:md|json))")


def repo_files() -> list[Path]:
    """Every text file of the repository (source, tests, docs, CI), minus environments/caches."""
    out: list[Path] = []
    stack = [REPO]
    while stack:
        here = stack.pop()
        for entry in sorted(here.iterdir()):
            if entry.is_dir():
                if entry.name not in SKIP_DIRS and not entry.name.endswith(".egg-info"):
                    stack.append(entry)
            elif entry.suffix in TEXT_SUFFIXES and entry.stat().st_size < 2_000_000:
                out.append(entry)
    return out


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def test_the_scan_sees_code_tests_docs_and_ci():
    names = {p.relative_to(REPO).as_posix() for p in repo_files()}
    for expected in ("README.md", "pyproject.toml", "auditor/api.py", ".ci/run", "docs/rules.md"):
        assert expected in names


def test_no_reference_to_design_files_outside_the_repository():
    hits = []
    for path in repo_files():
        text = _text(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                hits.append(f"{path.relative_to(REPO)}:{number}: {line.strip()[:100]}")
    assert not hits, (
        "references to files outside the repository (write what is needed into docs/):\n"
        + "\n".join(hits)
    )


@pytest.mark.parametrize(
    "line",
    [
        "see " + "RULES" + ".md for the catalog",
        "(" + "MUTMUT" + " §2.7)",
        "in ../" + "shared/schemas/",
        'REPO.parent / "' + "shared" + '" / "schemas"',
    ],
)
def test_the_pattern_catches_each_kind_of_outside_reference(line):
    assert OUTSIDE.search(line)


@pytest.mark.parametrize(
    "line", ["a shared mutable fixture", "docs/mutmut-internals.md", "Hypothesis' HYPOTHESIS_STORAGE"]
)
def test_the_pattern_leaves_ordinary_words_alone(line):
    assert not OUTSIDE.search(line)


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces -> '-'."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = _text(path) or ""
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*$", text, re.MULTILINE)}


def markdown_files() -> list[Path]:
    return [p for p in repo_files() if p.suffix == ".md"]


def test_every_relative_markdown_link_resolves():
    broken = []
    for path in markdown_files():
        text = re.sub(r"```.*?```", "", _text(path) or "", flags=re.DOTALL)
        for target in LINK.findall(text):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
                continue
            file_part, _, anchor = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path
            where = f"{path.relative_to(REPO)} -> {target}"
            if not dest.exists():
                broken.append(f"{where}: no such file")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                broken.append(f"{where}: no heading with that anchor")
    assert not broken, "broken links in the docs:\n" + "\n".join(broken)


def test_every_docs_path_named_anywhere_exists():
    missing = []
    for path in repo_files():
        for name in DOC_PATH.findall(_text(path) or ""):
            if not (REPO / name).is_file():
                missing.append(f"{path.relative_to(REPO)}: {name}")
    assert not missing, "docs named but not in the repository:\n" + "\n".join(missing)
