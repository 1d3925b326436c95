"""Discovers the project under audit: its root, source packages, test files and pytest settings.

The static engine mirrors pytest's collection, so the pytest ini options are read the way pytest
reads them: the first of pytest.ini / .pytest.ini / pyproject.toml [tool.pytest.ini_options] /
tox.ini [pytest] / setup.cfg [tool:pytest] that exists and has the section wins.
"""

from __future__ import annotations

import configparser
import fnmatch
import glob
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.config import Config, load_config, read_toml
from auditor.errors import UsageError

ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "pytest.ini", "tox.ini")
SKIP_DIRS = {
    ".git",
    ".hg",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    "env",
    "__pycache__",
    "node_modules",
    ".auditor",
    "mutants",
    "build",
    "dist",
    ".eggs",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
}


@dataclass
class PytestSettings:
    """The pytest ini options the collection model needs (defaults are pytest's)."""

    python_files: list[str] = field(default_factory=lambda: ["test_*.py", "*_test.py"])
    python_classes: list[str] = field(default_factory=lambda: ["Test"])
    python_functions: list[str] = field(default_factory=lambda: ["test"])
    testpaths: list[str] = field(default_factory=list)
    usefixtures: list[str] = field(default_factory=list)
    addopts: list[str] = field(default_factory=list)
    xfail_strict: bool = False
    asyncio_mode: str = ""
    trio_mode: bool = False
    configfile: str | None = None

    def matches_file(self, name: str) -> bool:
        return any(fnmatch.fnmatch(name, pattern) for pattern in self.python_files)

    def matches_function(self, name: str) -> bool:
        return any(_prefix_or_glob(name, p) for p in self.python_functions)

    def matches_class(self, name: str) -> bool:
        return any(_prefix_or_glob(name, p) for p in self.python_classes)


def _prefix_or_glob(name: str, pattern: str) -> bool:
    """pytest: a pattern with glob characters is a glob, otherwise a prefix."""
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatch(name, pattern)
    return name.startswith(pattern)


def _split_ini(value: str) -> list[str]:
    return shlex.split(value.replace("\n", " "))


def _from_mapping(raw: dict[str, Any], configfile: str) -> PytestSettings:
    settings = PytestSettings(configfile=configfile)

    def as_list(value: Any) -> list[str]:
        if isinstance(value, list):
            return [str(v) for v in value]
        return _split_ini(str(value))

    if "python_files" in raw:
        settings.python_files = as_list(raw["python_files"])
    if "python_classes" in raw:
        settings.python_classes = as_list(raw["python_classes"])
    if "python_functions" in raw:
        settings.python_functions = as_list(raw["python_functions"])
    if "testpaths" in raw:
        settings.testpaths = as_list(raw["testpaths"])
    if "usefixtures" in raw:
        settings.usefixtures = as_list(raw["usefixtures"])
    if "addopts" in raw:
        settings.addopts = as_list(raw["addopts"])
    if "xfail_strict" in raw:
        settings.xfail_strict = str(raw["xfail_strict"]).strip().lower() in ("true", "1", "yes")
    if "asyncio_mode" in raw:
        settings.asyncio_mode = str(raw["asyncio_mode"]).strip()
    if "trio_mode" in raw:
        settings.trio_mode = str(raw["trio_mode"]).strip().lower() in ("true", "1", "yes")
    return settings


def read_pytest_settings(root: Path) -> PytestSettings:
    """Find the pytest configuration the way pytest does, starting at the project root."""
    for name in ("pytest.ini", ".pytest.ini"):
        path = root / name
        if path.is_file():
            parser = _ini(path)
            if parser.has_section("pytest"):
                return _from_mapping(dict(parser["pytest"]), name)
            return PytestSettings(configfile=name)  # pytest.ini always wins, even if empty
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        data = read_toml(pyproject)
        table = data.get("tool", {}).get("pytest", {})
        native = {k: v for k, v in table.items() if k != "ini_options"} if isinstance(table, dict) else {}
        if native:  # pytest 9's native [tool.pytest] table (values are TOML lists, not strings)
            return _from_mapping(native, "pyproject.toml")
        ini = table.get("ini_options") if isinstance(table, dict) else None
        if isinstance(ini, dict):
            return _from_mapping(ini, "pyproject.toml")
    tox = root / "tox.ini"
    if tox.is_file():
        parser = _ini(tox)
        if parser.has_section("pytest"):
            return _from_mapping(dict(parser["pytest"]), "tox.ini")
    setup_cfg = root / "setup.cfg"
    if setup_cfg.is_file():
        parser = _ini(setup_cfg)
        if parser.has_section("tool:pytest"):
            return _from_mapping(dict(parser["tool:pytest"]), "setup.cfg")
    return PytestSettings()


def _ini(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return configparser.ConfigParser(interpolation=None)
    return parser


@dataclass
class Project:
    """Everything the stages need to know about the project under audit."""

    root: Path
    tests_dirs: list[Path]
    source_paths: list[Path]
    pytest: PytestSettings
    config: Config
    # what the suite's pytest runs are given: None = nothing, so pytest collects what plain
    # `pytest` collects (its testpaths, else the rootdir: doctests and README globs included)
    explicit_tests: bool = True

    def pytest_targets(self) -> list[str]:
        """Test paths to pass to pytest (project-relative), or [] to let pytest decide."""
        return [self.rel(t) for t in self.tests_dirs] if self.explicit_tests else []

    def rel(self, path: Path | str) -> str:
        """Project-relative path with `/` separators (the JSON contract's path form)."""
        p = Path(path)
        try:
            return p.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return p.as_posix()

    @property
    def state_dir(self) -> Path:
        return self.root / ".auditor"

    def test_files(self) -> list[Path]:
        """Every .py file under the test dirs (test modules, conftest.py, helpers), sorted; when a
        tests dir is (or holds) source, its source modules are not test files."""
        seen: set[Path] = set(self.source_files())
        out: list[Path] = []
        for base in self.tests_dirs:
            candidates = [base] if base.is_file() else _walk_py(base)
            for path in candidates:
                resolved = path.resolve()
                if resolved in seen or self._excluded(resolved):
                    continue
                seen.add(resolved)
                out.append(resolved)
        # conftest.py files between the tests dirs and the root apply too (fixture visibility)
        for base in self.tests_dirs:
            parent = base.resolve().parent if base.is_dir() else base.resolve().parent.parent
            while self.root in parent.parents or parent == self.root:
                conftest = parent / "conftest.py"
                if conftest.is_file() and conftest not in seen:
                    seen.add(conftest)
                    out.append(conftest)
                if parent == self.root:
                    break
                parent = parent.parent
        return sorted(out)

    def _excluded(self, path: Path) -> bool:
        rel = self.rel(path)
        return any(fnmatch.fnmatch(rel, pattern) for pattern in self.config.exclude)

    def is_test_module(self, path: Path) -> bool:
        """pytest's rule for a module it collects as tests: its name matches `python_files`
        (default `test_*.py`, `*_test.py`), or it is a `conftest.py`; and every module of a
        tests directory nested inside a source package (`pkg/tests/__init__.py`, helpers)."""
        if path.name == "conftest.py" or self.pytest.matches_file(path.name):
            return True
        resolved = path.resolve()
        sources = {s.resolve() for s in self.source_paths}
        return any(
            tests.resolve() not in sources and tests.resolve() in resolved.parents
            for tests in self.tests_dirs
            if tests.is_dir() and any(s in tests.resolve().parents for s in sources)
        )

    def source_files(self) -> list[Path]:
        """The code under test: every .py file under the source paths except the modules pytest
        collects as tests (tests that live inside the package, e.g. `pkg/test_pkg.py`), sorted.
        Coverage, mutation and the pseudo-tested pass all measure exactly these files."""
        out: list[Path] = []
        for base in self.source_paths:
            out.extend([base] if base.is_file() else _walk_py(base))
        return sorted(p.resolve() for p in out if not self.is_test_module(p))

    def test_modules_in_source(self) -> list[Path]:
        """Test modules (and conftest.py files) that live under the source paths, sorted: they
        are copied with the package but never measured or mutated."""
        out: list[Path] = []
        for base in self.source_paths:
            out.extend([base] if base.is_file() else _walk_py(base))
        return sorted(p.resolve() for p in out if self.is_test_module(p))


def _walk_py(base: Path) -> list[Path]:
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(
            d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")
        )
        out.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(".py"))
    return out


def find_root(start: Path) -> Path:
    """The nearest directory at or above `start` with a project marker; else `start` itself."""
    start = start.resolve()
    here = start if start.is_dir() else start.parent
    for candidate in (here, *here.parents):
        if any((candidate / marker).exists() for marker in ROOT_MARKERS):
            return candidate
    return here


def discover_source(
    root: Path, tests_dirs: list[Path], settings: PytestSettings | None = None
) -> list[Path]:
    """Flat and src layouts: packages (dirs with __init__.py) and top-level modules, minus tests.

    A package that holds its own tests (`pkg/test_pkg.py`, even when `pkg/` is the tests dir
    given) is still source when it has modules that are not tests; its test modules are left out
    by `Project.source_files`."""
    settings = settings or PytestSettings()
    test_roots = {t.resolve() for t in tests_dirs if not _has_non_test_modules(t, settings)}
    candidates: list[Path] = []
    src = root / "src"
    bases = [src] if src.is_dir() else [root]
    for base in bases:
        for child in sorted(base.iterdir()):
            if child.name.startswith((".", "_")) or child.name in SKIP_DIRS:
                continue
            if child.resolve() in test_roots or child.name in ("tests", "test", "testing", "docs"):
                continue
            if (child.is_dir() and (child / "__init__.py").is_file()) or (
                base == src
                and child.is_file()
                and child.suffix == ".py"
                and child.name != "conftest.py"
            ):
                candidates.append(child)
            elif base == src and child.is_dir() and _walk_py(child):
                candidates.append(child)  # a namespace package under src/ (no __init__.py)
    if not candidates:
        # single-module projects: foo.py at the root that is not a test/setup/noxfile
        skip = {"setup.py", "conftest.py", "noxfile.py", "tasks.py", "fabfile.py"}
        for child in sorted(root.glob("*.py")):
            if child.name not in skip and not child.name.startswith("test"):
                candidates.append(child)
    return candidates


def _has_non_test_modules(path: Path, settings: PytestSettings) -> bool:
    if not (path.is_dir() and (path / "__init__.py").is_file()):
        return False
    return any(
        child.suffix == ".py"
        and child.name not in ("__init__.py", "conftest.py")
        and not settings.matches_file(child.name)
        for child in path.iterdir()
    )


def expand_testpaths(root: Path, testpaths: list[str]) -> list[Path]:
    """pytest's expansion of the `testpaths` ini option: each entry is a glob relative to the
    rootdir (`**` recursive), matches sorted; entries without a match are dropped."""
    out: list[Path] = []
    for entry in testpaths:
        matches = sorted(glob.glob(entry, root_dir=root, recursive=True))
        out.extend(root / m for m in matches if root / m not in out)
    return out


def load_project(tests: str | Path | None = None, *, config: Config | None = None) -> Project:
    """Build the Project for a tests directory (or the pytest testpaths / ./tests when None)."""
    if tests is None:
        root = find_root(Path.cwd())
        settings = read_pytest_settings(root)
        cfg = config or load_config(root)
        explicit = bool(cfg.tests)
        if cfg.tests:
            tests_dirs = [root / n for n in cfg.tests]
        else:
            # pytest's own default: the testpaths (globs expanded), else where it is invoked
            tests_dirs = expand_testpaths(root, settings.testpaths) or (
                [root / "tests"] if (root / "tests").is_dir() else [root]
            )
        missing = [t for t in tests_dirs if not t.exists()]
        if missing:
            raise UsageError(
                f"No tests directory given and '{missing[0]}' does not exist. Pass the directory that "
                f'holds your tests, e.g. `auditor scan path/to/tests`, or set `tests = ["..."]` under '
                f"[tool.auditor] in pyproject.toml."
            )
    else:
        path = Path(tests)
        if not path.exists():
            raise UsageError(
                f"The path '{tests}' does not exist. `auditor scan` takes the directory that holds your "
                f"tests (for example `auditor scan tests` from the project root, or "
                f"`auditor scan sample_project/tests`). Check the spelling, or run it from the project "
                f"directory."
            )
        root = find_root(path)
        settings = read_pytest_settings(root)
        cfg = config or load_config(root)
        tests_dirs = [path.resolve()]
        explicit = True
    if cfg.source:
        source_paths = [root / s for s in cfg.source]
        missing_src = [s for s in source_paths if not s.exists()]
        if missing_src:
            raise UsageError(
                f"[tool.auditor] source lists '{missing_src[0]}', which does not exist. Fix the path "
                f"relative to {root}."
            )
    else:
        source_paths = discover_source(root, tests_dirs, settings)
    return Project(
        root=root,
        tests_dirs=tests_dirs,
        source_paths=source_paths,
        pytest=settings,
        config=cfg,
        explicit_tests=explicit,
    )
