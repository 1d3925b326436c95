"""Derive a project's traits from its source tree, to verify what the registry declares.

This reads configuration the way pytest looks for it (first of pytest.toml, .pytest.toml,
pytest.ini, .pytest.ini, pyproject.toml with a pytest table, tox.ini [pytest], setup.cfg
[tool:pytest] in the root) and scans conftest files and test modules with regular expressions. It is
a check on the registry, not a model of pytest: the oracle for what pytest collects is
`pytest --collect-only` (see oracle.py).
"""

from __future__ import annotations

import configparser
import fnmatch
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

from .registry import Project

SKIP_DIRS = {".git", ".tox", ".venv", "venv", "build", "dist", "docs", "node_modules"}


@dataclass
class PytestConfig:
    """The pytest settings found in a project root: `where` is the file kind, or "" for none."""

    where: str = ""
    values: dict[str, object] = field(default_factory=dict)
    native: bool = False

    def addopts(self) -> list[str]:
        raw = self.values.get("addopts", "")
        if isinstance(raw, list):
            return [tok for item in raw for tok in shlex.split(str(item), comments=True)]
        return shlex.split(str(raw), comments=True)

    def lines(self, key: str) -> list[str]:
        """An ini "linelist"/"args" value as a list whatever the file format."""
        raw = self.values.get(key)
        if raw is None:
            return []
        if isinstance(raw, list):
            return [str(x) for x in raw]
        return str(raw).split()


def read_pytest_config(root: Path) -> PytestConfig:
    """The first pytest configuration in `root`, in pytest's order of precedence."""
    for name in ("pytest.toml", ".pytest.toml"):
        path = root / name
        if path.is_file():
            data = tomllib.loads(path.read_text(encoding="utf-8")).get("pytest", {})
            return PytestConfig("pytest-toml", dict(data), native=True)
    for name in ("pytest.ini", ".pytest.ini"):
        path = root / name
        if path.is_file():
            return PytestConfig("pytest-ini", _ini_section(path, "pytest"))
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("pytest")
        if isinstance(table, dict):
            native = {k: v for k, v in table.items() if k != "ini_options"}
            if native:
                return PytestConfig("pyproject", native, native=True)
            return PytestConfig("pyproject", dict(table.get("ini_options", {})))
    for name, section, kind in (
        ("tox.ini", "pytest", "tox-ini"),
        ("setup.cfg", "tool:pytest", "setup-cfg"),
    ):
        path = root / name
        if path.is_file():
            values = _ini_section(path, section)
            if values is not None:
                return PytestConfig(kind, values)
    return PytestConfig()


def _ini_section(path: Path, section: str) -> dict[str, object]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path, encoding="utf-8")
    if not parser.has_section(section):
        return {} if path.name.endswith("pytest.ini") else None  # type: ignore[return-value]
    return {k: v.strip() for k, v in parser[section].items()}


def _python_files(config: PytestConfig) -> list[str]:
    return config.lines("python_files") or ["test_*.py", "*_test.py"]


def test_modules(root: Path, config: PytestConfig) -> list[Path]:
    """Files under `root` whose name matches `python_files` (any directory, docs and VCS aside)."""
    patterns = _python_files(config)
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if any(part in SKIP_DIRS for part in rel.parts[:-1]):
            continue
        if any(fnmatch.fnmatch(path.name, pat) for pat in patterns):
            found.append(path)
    return found


_SUBPROCESS = re.compile(r"sys\.executable\s*,\s*['\"]-m['\"]")
_MODULE_IMPORTORSKIP = re.compile(r"^(?:[A-Za-z_]\w*\s*=\s*)?(?:pytest\.)?importorskip\(", re.M)
_TESTCASE = re.compile(r"\((?:unittest\.)?TestCase\)")


def detect(project: Project, root: Path) -> set[str]:
    """The traits (registry.TRAITS keys) visible in the source tree at `root`."""
    config = read_pytest_config(root)
    found: set[str] = set()
    found.add(f"config-{config.where}" if config.where else "no-pytest-config")
    if config.native:
        found.add("native-tool-pytest")
    opts = config.addopts()
    if any(t.startswith("--cov") for t in opts) or "pytest_cov" in opts:
        found.add("pytest-cov-addopts")
    if any(t.startswith("--cov-fail-under") for t in opts):
        found.add("cov-fail-under")
    if any(
        t == "-n" or re.fullmatch(r"-n\w+", t) or t.startswith(("--numprocesses", "--dist"))
        for t in opts
    ):
        found.add("xdist-addopts")
    if any(t.startswith(("--ignore", "--ignore-glob")) for t in opts):
        found.add("ignore-addopts")
    if "--doctest-modules" in opts:
        found.add("doctest-modules")
    if any(t.startswith("--import-mode") and "importlib" in t for t in opts) or (
        "--import-mode" in opts and "importlib" in opts
    ):
        found.add("import-mode-importlib")
    if "asyncio_mode" in config.values or any(t.startswith("--asyncio-mode") for t in opts):
        found.add("asyncio")
    if "norecursedirs" in config.values:
        found.add("norecursedirs")
    if "python_files" in config.values:
        found.add("python-files")
    if any(ch in p for p in config.lines("testpaths") for ch in "*?["):
        found.add("testpaths-glob")
    warnings = " ".join(config.lines("filterwarnings")) + " " + " ".join(opts)
    if re.search(r"(^|\s)error(\s|$)|-W=?error|-Werror", warnings):
        found.add("filterwarnings-error")
    if any(
        r.split("[")[0].split("=")[0].split(">")[0] == "pytest-randomly"
        for r in project.test_requires
    ):
        found.add("randomly")

    package_dir = _package_dir(project, root)
    if package_dir is not None:
        if package_dir.relative_to(root).parts[0] == "src":
            found.add("src-layout")
        if (package_dir / "_vendor").is_dir() or (package_dir / "vendor").is_dir():
            found.add("vendored-code")
    modules = test_modules(root, config)
    if package_dir is not None and any(package_dir in m.parents for m in modules):
        found.add("tests-in-package")
    if modules and all(m.parent == root for m in modules):
        found.add("single-module-tests")
    for conftest in root.rglob("conftest.py"):
        if "collect_ignore" in conftest.read_text(encoding="utf-8", errors="replace"):
            found.add("collect-ignore")
    for module in modules:
        text = module.read_text(encoding="utf-8", errors="replace")
        if _SUBPROCESS.search(text):
            found.add("subprocess-cli")
        if "importorskip" in text:
            found.add("importorskip")
        if _MODULE_IMPORTORSKIP.search(text):
            found.add("importorskip-module")
        if _TESTCASE.search(text):
            found.add("unittest-testcase")
        if re.search(r"^\s*(from hypothesis|import hypothesis)", text, re.M):
            found.add("hypothesis")
    return found


def _package_dir(project: Project, root: Path) -> Path | None:
    rel = Path(*project.package.split("."))
    for base in (root / "src", root):
        if (base / rel).is_dir():
            return base / rel
    return None
