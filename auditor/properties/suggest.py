"""`auditor suggest`: the verified witness tests of the last scan, grouped by test module.

Nothing is written into the user's tests unless asked: by default the tests are printed; with
`--write DIR` each source module's tests go to a NEW file `DIR/test_auditor_witnesses_<module>.py`
(an existing file is never edited or overwritten), so adopting them is a reviewable `git add`.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from auditor.errors import EXIT_OK, UsageError
from auditor.properties.names import parse_mutant_name
from auditor.properties.paths import LAST_SCORECARD, WITNESS_FILE, properties_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scorecard",
        metavar="FILE",
        help="a scorecard JSON (default: the last scan's, under .auditor/)",
    )
    parser.add_argument(
        "--write",
        metavar="DIR",
        help="write new files DIR/test_auditor_witnesses_<module>.py (never edits existing files)",
    )
    parser.add_argument("--project", metavar="DIR", default=".", help="project root (default: .)")


@dataclass
class Suggestion:
    mutant: str
    source: str  # project-relative source path
    line: int | None
    module: str  # dotted module of the mutated function
    call: str
    original: str
    mutated: str
    test_code: str
    also_kills: list[str] = field(default_factory=list)

    def killed(self) -> str:
        """`a` or `a (also b, c)`: one test often kills several mutants of a function."""
        if not self.also_kills:
            return self.mutant
        return f"{self.mutant} (also {', '.join(self.also_kills)})"


@dataclass
class Group:
    test_module: str
    suggestions: list[Suggestion] = field(default_factory=list)


def load_card(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(
            f"Cannot read {path}: {exc.strerror}. Pass an existing scorecard JSON "
            f"(`auditor scan --json FILE` writes one)."
        ) from exc
    except ValueError as exc:
        raise UsageError(
            f"{path} is not valid JSON ({exc}). Pass a scorecard written by "
            f"`auditor scan --json FILE`."
        ) from exc
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not a JSON object; it is not an auditor scorecard.")
    mutants = data.get("mutants")
    if not isinstance(mutants, list):
        raise UsageError(f"{path} has no 'mutants' list; it is not an auditor scorecard.")
    data["mutants"] = [m for m in mutants if isinstance(m, dict)]
    return data


def tests_dir_of(card: dict[str, Any]) -> str:
    project = card.get("project")
    tests = project.get("tests") if isinstance(project, dict) else None
    if (
        isinstance(tests, list)
        and tests
        and isinstance(tests[0], str)
        and tests[0] not in ("", ".")
    ):
        return tests[0]
    return "tests"


def default_source(root: Path, cache_dir: str | None = None) -> Path:
    from auditor.state import state_dir

    state = state_dir(root, [], cache_dir)  # --cache-dir / AUDITOR_CACHE_DIR / .auditor
    for candidate in (state / LAST_SCORECARD, properties_dir(state) / WITNESS_FILE):
        if candidate.is_file():
            return candidate
    raise UsageError(
        f"No scan results under {state}. Run `auditor scan` first (the properties "
        f"stage needs the mutation stage), or pass --scorecard FILE."
    )


def guess_test_module(source_path: str, tests_dir: str = "tests") -> str:
    """`pkg/pricing.py` or `src/pkg/pricing.py` -> `tests/test_pricing.py`."""
    stem = PurePosixPath(source_path).stem
    if stem == "__init__":
        stem = PurePosixPath(source_path).parent.name or "package"
    return f"{tests_dir.rstrip('/')}/test_{stem}.py"


def suggestions(mutants: list[dict[str, Any]]) -> list[Suggestion]:
    out = []
    for m in mutants:
        witness = m.get("witness")
        if (
            not isinstance(witness, dict)
            or not witness.get("verified")
            or not witness.get("test_code")
        ):
            continue
        try:
            module = parse_mutant_name(str(m.get("id", ""))).module
        except ValueError:
            module = PurePosixPath(str(m.get("path", ""))).stem
        out.append(
            Suggestion(
                mutant=str(m["id"]),
                source=str(m.get("path", "")),
                line=m.get("line"),
                module=module,
                call=str(witness.get("call", "")),
                original=str(witness.get("original", "")),
                mutated=str(witness.get("mutant", "")),
                test_code=str(witness["test_code"]),
            )
        )
    return dedupe(sorted(out, key=lambda s: (s.source, s.line or 0, s.mutant)))


_TEST_DEF = re.compile(r"def test_\w+\(")


def dedupe(items: list[Suggestion]) -> list[Suggestion]:
    """Identical tests (up to their name) are suggested once, listing every mutant they kill."""
    kept: dict[str, Suggestion] = {}
    for item in items:
        key = _TEST_DEF.sub("def test(", item.test_code)
        if key in kept:
            kept[key].also_kills.append(item.mutant)
        else:
            kept[key] = item
    return list(kept.values())


def _clip(text: str, limit: int = 120) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def group(items: list[Suggestion], tests_dir: str = "tests") -> list[Group]:
    groups: dict[str, Group] = {}
    for item in items:
        name = guess_test_module(item.source, tests_dir)
        groups.setdefault(name, Group(name)).suggestions.append(item)
    return [groups[k] for k in sorted(groups)]


def merge_tests(items: list[Suggestion]) -> str:
    """One module from several generated tests: imports deduplicated, functions in order."""
    plain: set[str] = set()
    froms: dict[str, set[str]] = {}
    bodies: list[str] = []
    for item in items:
        head, _, body = item.test_code.partition("\n\n\n")
        for line in head.splitlines():
            if line.startswith("import "):
                plain.add(line)
            elif line.startswith("from ") and " import " in line:
                module, _, names = line[5:].partition(" import ")
                froms.setdefault(module, set()).update(n.strip() for n in names.split(","))
        comment = (
            f"# kills {item.killed()}: {_clip(item.call)} -> {_clip(item.original)} "
            f"(mutant: {_clip(item.mutated)})"
        )
        bodies.append(comment + "\n" + body.strip() + "\n")
    imports = sorted(plain) + [
        f"from {m} import {', '.join(sorted(n))}" for m, n in sorted(froms.items())
    ]
    header = (
        '"""Tests suggested by `auditor suggest`: each pins an input on which a surviving mutant\n'
        'behaves differently from the code. Review them before keeping them."""\n\n'
    )
    return header + "\n".join(imports) + "\n\n\n" + "\n\n".join(bodies)


def output_name(group_items: list[Suggestion], taken: set[str]) -> str:
    stem = group_items[0].module.rpartition(".")[2] or "module"
    name = f"test_auditor_witnesses_{stem}.py"
    if name in taken:
        name = f"test_auditor_witnesses_{group_items[0].module.replace('.', '_')}.py"
    taken.add(name)
    return name


def write(groups: list[Group], directory: Path) -> list[Path]:
    """Write one new file per source module; refuse (before writing anything) if one exists."""
    by_module: dict[str, list[Suggestion]] = {}
    for g in groups:
        for item in g.suggestions:
            by_module.setdefault(item.module, []).append(item)
    taken: set[str] = set()
    planned = [
        (directory / output_name(items, taken), items) for _, items in sorted(by_module.items())
    ]
    existing = [p for p, _ in planned if p.exists()]
    if existing:
        raise UsageError(
            f"{existing[0]} already exists; `auditor suggest --write` never edits existing files. "
            f"Move or delete it, or pass another directory to --write."
        )
    directory.mkdir(parents=True, exist_ok=True)
    for path, items in planned:
        path.write_text(merge_tests(items), encoding="utf-8")
    return [p for p, _ in planned]


def render(groups: list[Group], root: Path) -> str:
    if not groups:
        return (
            "No verified witnesses: no surviving mutant in a type-hinted function could be told "
            "apart from the original by a generated input.\n"
        )
    lines: list[str] = []
    for g in groups:
        exists = "add to the existing file" if (root / g.test_module).exists() else "new file"
        count = len(g.suggestions)
        lines.append(
            f"# {g.test_module} ({count} suggested test{'s' if count != 1 else ''}; {exists})"
        )
        for item in g.suggestions:
            where = f"{item.source}:{item.line}" if item.line else item.source
            lines.append(
                f"# kills {item.killed()} ({where}): {_clip(item.call)} gives "
                f"{_clip(item.original)}, the mutant {_clip(item.mutated)}"
            )
            lines.append(item.test_code.rstrip())
            lines.append("")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    root = Path(args.project).resolve()
    source = (
        Path(args.scorecard)
        if args.scorecard
        else default_source(root, getattr(args, "cache_dir", None))
    )
    card = load_card(source)
    items = suggestions(card["mutants"])
    groups = group(items, tests_dir_of(card))
    if args.write:
        paths = write(groups, Path(args.write))
        for path in paths:
            print(f"wrote {path}")
        if not paths:
            print("No verified witnesses to write.")
        return EXIT_OK
    print(render(groups, root), end="")
    return EXIT_OK
