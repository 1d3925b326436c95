"""Ask the installed pytest itself what it makes of a project's configuration (the oracle).

`pytest_view(cwd, args)` runs pytest's own config parsing in a subprocess (nothing is collected,
no test runs) and returns rootdir, config file, the ini values and the options our model reads.
`collect_only(cwd, args)` runs `pytest --collect-only -q` and returns the collected node ids.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_SCRIPT = r"""
import json, sys
from _pytest.config import _prepareconfig
config = _prepareconfig(sys.argv[1:])
try:
    def ini(name):
        try:
            value = config.getini(name)
        except ValueError:
            return None
        if isinstance(value, list):
            return [str(v) for v in value]
        return value
    out = {
        "rootdir": str(config.rootpath),
        "inifile": str(config.inipath) if config.inipath else None,
        "args": [str(a) for a in config.args],
        "ini": {n: ini(n) for n in ("python_files", "python_classes", "python_functions",
                "testpaths", "norecursedirs", "usefixtures", "filterwarnings", "pythonpath",
                "consider_namespace_packages", "xfail_strict", "addopts")},
        "ignore": [str(p) for p in (config.option.ignore or [])],
        "ignore_glob": list(config.option.ignore_glob or []),
        "deselect": list(config.option.deselect or []),
        "markexpr": config.option.markexpr,
        "keyword": config.option.keyword,
        "importmode": config.option.importmode,
        "plugins": list(config.known_args_namespace.plugins or []),
        "confcutdir": str(config.known_args_namespace.confcutdir),
        "pythonwarnings": list(config.option.pythonwarnings or []),
    }
finally:
    config._ensure_unconfigure()
print("ORACLE" + json.dumps(out))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def pytest_view(cwd: Path, args: list[str] | None = None) -> dict[str, object]:
    """pytest's own reading of the configuration when run from `cwd` with `args`."""
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, "-p", "no:cacheprovider", *(args or [])],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("ORACLE"):
            return json.loads(line[len("ORACLE") :])  # type: ignore[no-any-return]
    raise AssertionError(f"pytest refused the configuration:\n{proc.stdout}\n{proc.stderr}")


def pytest_refuses(cwd: Path, args: list[str] | None = None) -> str:
    """The error pytest stops with (AssertionError if it accepts the configuration)."""
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, "-p", "no:cacheprovider", *(args or [])],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if "ORACLE" in proc.stdout:
        raise AssertionError("pytest accepted the configuration")
    return proc.stdout + proc.stderr


def collect_report(
    cwd: Path, args: list[str] | None = None, env: dict[str, str] | None = None
) -> tuple[set[str], set[str], set[str]]:
    """(node ids, files skipped at module level, files with collection errors) from
    `pytest --collect-only -q -rs`; ids have parametrize ids stripped and are rootdir-relative."""
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-rsE", "-p", "no:cacheprovider",
         *(args or [])],
        cwd=cwd,
        env={**_env(), **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    ids: set[str] = set()
    skipped: set[str] = set()
    errors: set[str] = set()
    for line in proc.stdout.splitlines():
        if line.startswith("SKIPPED ["):
            where = line.split("] ", 1)[-1].split(":", 1)[0]
            skipped.add(where)
        elif line.startswith("ERROR "):
            errors.add(line.split()[1].split("::", 1)[0])
        elif "::" in line and not line.startswith((" ", "=")):
            ids.add(strip_param_id(line.strip()))
    if not ids and not skipped and proc.returncode not in (0, 5):
        raise AssertionError(f"pytest failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return ids, skipped, errors


def collect_only(cwd: Path, args: list[str] | None = None) -> set[str]:
    """Node ids from `pytest --collect-only -q` (parametrize ids stripped), relative to rootdir.

    Raises AssertionError when pytest reports a collection error."""
    ids, _, errors = collect_report(cwd, args)
    if errors:
        raise AssertionError(f"pytest could not collect {sorted(errors)}")
    return ids


def strip_param_id(nodeid: str) -> str:
    """`tests/t.py::test_a[1-2]` -> `tests/t.py::test_a` (ids may contain `::` inside brackets)."""
    bracket = nodeid.find("[")
    return nodeid[:bracket] if bracket != -1 else nodeid
