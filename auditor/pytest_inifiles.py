"""Which file configures pytest, and its raw options — read as the installed pytest reads them.

- **which file configures it** (`locate_config`): walking up from the common ancestor of the
  arguments, the first directory holding one of `pytest.toml`, `.pytest.toml` (pytest >= 9),
  `pytest.ini`, `.pytest.ini` (these two always win, even without a `[pytest]` section),
  `pyproject.toml` with `[tool.pytest]` (pytest >= 9, native TOML types) or
  `[tool.pytest.ini_options]` (strings), `tox.ini` with `[pytest]`, `setup.cfg` with
  `[tool:pytest]`; else a `pyproject.toml` without a pytest table, else a `setup.py`, else the
  common ancestor; `-c FILE` and `--rootdir DIR` override it (`determine_setup`).
- **the raw options** of that file (`IniValue`: the value and whether it was written in "ini"
  mode — strings — or native "toml" mode); `auditor.pytest_config` converts them to typed settings.

Nothing here imports or runs project code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from auditor.errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class PytestConfigError(UsageError):
    """pytest would refuse this configuration (bad TOML, wrong value type): exit 2, pytest's words."""


@lru_cache(maxsize=1)
def pytest_version() -> tuple[int, int]:
    """(major, minor) of the installed pytest — the one every pytest subprocess runs."""
    from importlib import metadata

    try:
        parts = metadata.version("pytest").split(".")
        return int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or 0)
    except (metadata.PackageNotFoundError, ValueError, IndexError):  # pragma: no cover
        return (9, 0)


def native_toml_supported() -> bool:
    """pytest 9 reads `pytest.toml`, `.pytest.toml` and the native `[tool.pytest]` table."""
    return pytest_version() >= (9, 0)


# -- loading one file --------------------------------------------------------------------------
@dataclass(frozen=True)
class IniValue:
    """A raw option value and how it was written: "ini" (strings / lists of strings, coerced by
    type) or "toml" (native TOML types, validated strictly)."""

    value: Any
    mode: str


IniDict = dict[str, IniValue]


def _ini_sections(path: Path) -> dict[str, dict[str, str]]:
    import iniconfig

    try:
        parsed = iniconfig.IniConfig(str(path))
    except iniconfig.ParseError as exc:
        raise PytestConfigError(f"pytest cannot parse {path}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise PytestConfigError(f"pytest cannot read {path}: {exc}") from exc
    return {section.name: dict(section.items()) for section in parsed}


def _toml(path: Path) -> dict[str, Any]:
    try:
        document: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PytestConfigError(f"{path}: {exc} (pytest stops on this file too)") from exc
    return document


def _as_ini(section: Mapping[str, Any]) -> IniDict:
    return {k: IniValue(v, "ini") for k, v in section.items()}


def _load_pytest_ini(path: Path) -> IniDict | None:
    return _as_ini(_ini_sections(path).get("pytest", {}))


def _load_tox_ini(path: Path) -> IniDict | None:
    sections = _ini_sections(path)
    return _as_ini(sections["pytest"]) if "pytest" in sections else None


def _load_setup_cfg(path: Path) -> IniDict | None:
    sections = _ini_sections(path)
    if "tool:pytest" in sections:
        return _as_ini(sections["tool:pytest"])
    if "pytest" in sections:
        raise PytestConfigError(
            f"{path}: a [pytest] section in setup.cfg is no longer supported by pytest; rename it "
            f"to [tool:pytest]."
        )
    return None


def _tool_pytest(path: Path, document: dict[str, Any]) -> IniDict | None:
    tool = document.get("tool", {})
    table = tool.get("pytest", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        return None
    ini_options = table.get("ini_options")
    native = {k: v for k, v in table.items() if k != "ini_options"}
    if not native_toml_supported():
        native = {}
    if native and ini_options is not None:
        raise PytestConfigError(
            f"{path}: pytest cannot use both [tool.pytest] (native TOML types) and "
            f"[tool.pytest.ini_options] in one file; keep one of them."
        )
    if native:
        return {k: IniValue(v, "toml") for k, v in native.items()}
    if isinstance(ini_options, dict):
        return {
            k: IniValue(v if isinstance(v, list) else str(v), "ini") for k, v in ini_options.items()
        }
    return None


def _load_pyproject(path: Path) -> IniDict | None:
    return _tool_pytest(path, _toml(path))


def _pytest_table(path: Path, document: dict[str, Any]) -> IniDict | None:
    table = document.get("pytest")
    if isinstance(table, dict):
        return {k: IniValue(v, "toml") for k, v in table.items()}
    top_level = [k for k, v in document.items() if not isinstance(v, dict)]
    if top_level:
        raise PytestConfigError(
            f"{path}: pytest configuration must be under a [pytest] table (found top-level "
            f"options: {', '.join(top_level)})"
        )
    return None


def _load_pytest_toml(path: Path) -> IniDict | None:
    return _pytest_table(path, _toml(path)) or {}


def _load_custom_toml(path: Path) -> IniDict | None:
    document = _toml(path)
    found = _tool_pytest(path, document)
    return found if found is not None else _pytest_table(path, document)


def config_loaders() -> dict[str, Callable[[Path], IniDict | None]]:
    """The files pytest looks for in each directory, in precedence order, with their readers."""
    loaders: dict[str, Callable[[Path], IniDict | None]] = {}
    if native_toml_supported():
        loaders["pytest.toml"] = _load_pytest_toml
        loaders[".pytest.toml"] = _load_pytest_toml
    loaders["pytest.ini"] = _load_pytest_ini
    loaders[".pytest.ini"] = _load_pytest_ini
    loaders["pyproject.toml"] = _load_pyproject
    loaders["tox.ini"] = _load_tox_ini
    loaders["setup.cfg"] = _load_setup_cfg
    return loaders


def load_config_file(path: Path) -> IniDict | None:
    """The pytest options in one config file (as `-c FILE` reads it); None if it has none."""
    loader = config_loaders().get(path.name)
    if loader is None:
        loader = {
            ".ini": _load_tox_ini,
            ".cfg": _load_setup_cfg,
            ".toml": _load_custom_toml,
        }.get(path.suffix)
    if loader is None:
        raise PytestConfigError(
            f"Config file '{path}' has an unsupported format for pytest (.ini, .cfg, .toml)."
        )
    return loader(path)


# -- rootdir and config file -------------------------------------------------------------------
def _absolute(path: str | Path, base: Path) -> Path:
    return Path(os.path.normpath(base / os.path.expanduser(str(path))))


def _arg_paths(args: Sequence[str], invocation_dir: Path) -> list[Path]:
    out: list[Path] = []
    for arg in args:
        if arg.startswith("-"):
            continue
        path = _absolute(arg.split("::", 1)[0], invocation_dir)
        if path.exists():
            out.append(path if path.is_dir() else path.parent)
    return out


def common_ancestor(invocation_dir: Path, paths: Sequence[Path]) -> Path:
    """pytest's `get_common_ancestor`: the deepest directory containing every existing path."""
    ancestor: Path | None = None
    for path in paths:
        if not path.exists():
            continue
        if ancestor is None:
            ancestor = path
        elif ancestor in path.parents or path == ancestor:
            continue
        elif path in ancestor.parents:
            ancestor = path
        else:
            ancestor = Path(os.path.commonpath([path, ancestor]))
    if ancestor is None:
        return invocation_dir
    return ancestor.parent if ancestor.is_file() else ancestor


def locate_config(*starts: Path) -> tuple[Path | None, Path | None, IniDict]:
    """(rootdir, config file, options) found walking up from each start in turn, as pytest does;
    a `pyproject.toml` without pytest options is the fallback only when no start finds a config."""
    loaders = config_loaders()
    first_pyproject: Path | None = None
    for start in starts:
        for base in (start, *start.parents):
            for name, loader in loaders.items():
                candidate = base / name
                if not candidate.is_file():
                    continue
                if name == "pyproject.toml" and first_pyproject is None:
                    first_pyproject = candidate
                found = loader(candidate)
                if found is not None:
                    return base, candidate, found
    if first_pyproject is not None:
        return first_pyproject.parent, first_pyproject, {}
    return None, None, {}


def determine_setup(
    args: Sequence[str],
    invocation_dir: Path,
    *,
    inifile: str | None = None,
    rootdir_arg: str | None = None,
) -> tuple[Path, Path | None, IniDict]:
    """pytest's rootdir / config-file decision for these arguments run from `invocation_dir`.

    Returns (rootdir, config file or None, raw options). Raises `PytestConfigError` where pytest
    stops with a usage error (missing `-c` file or `--rootdir` directory, unparsable config).
    """
    invocation_dir = invocation_dir.resolve()
    dirs = _arg_paths(args, invocation_dir)
    rootdir: Path | None = None
    inipath: Path | None = None
    cfg: IniDict = {}
    if inifile:
        inipath = _absolute(inifile, invocation_dir)
        if not inipath.exists():
            raise PytestConfigError(f"Config file '{inipath}' not found (-c/--config-file).")
        cfg = (load_config_file(inipath) or {}) if inipath.is_file() else {}
        if rootdir_arg is None:
            rootdir = inipath.parent if inipath.is_file() else common_ancestor(invocation_dir, dirs)
    else:
        ancestor = common_ancestor(invocation_dir, dirs)
        rootdir, inipath, cfg = locate_config(ancestor)
        if rootdir is None and rootdir_arg is None:
            for candidate in (ancestor, *ancestor.parents):
                if (candidate / "setup.py").is_file():
                    rootdir = candidate
                    break
            else:
                if dirs != [ancestor]:
                    rootdir, inipath, cfg = locate_config(*dirs)
                if rootdir is None:
                    rootdir = common_ancestor(invocation_dir, [invocation_dir, ancestor])
                    if rootdir == Path(rootdir.anchor):  # pragma: no cover
                        rootdir = ancestor
    if rootdir_arg:
        rootdir = _absolute(os.path.expandvars(rootdir_arg), invocation_dir)
        if not rootdir.is_dir():
            raise PytestConfigError(f"Directory '{rootdir}' not found (--rootdir).")
    assert rootdir is not None
    return rootdir, inipath, cfg
