"""The `strategies/` folder is installed as `auditor_strategies`, never as a top-level `strategies`.

A package named `strategies` in site-packages would collide with users' own modules. Checked the
way a user installs: a built wheel and an editable install, each into a fresh virtualenv, then
asking that interpreter (from a directory outside the repository) what `auditor`,
`auditor_strategies` and `strategies` resolve to.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROBE = """
import importlib.util, json
out = {}
for name in ("auditor", "auditor_strategies", "strategies"):
    spec = importlib.util.find_spec(name)
    out[name] = None if spec is None else {
        "origin": spec.origin, "path": list(spec.submodule_search_locations or [])}
print(json.dumps(out))
"""


def _pip(*args: str, cwd: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]


def _fresh_venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path / "bin" / "python"


def _probe(python: Path, cwd: Path) -> dict[str, dict[str, object] | None]:
    proc = subprocess.run(
        [str(python), "-c", PROBE], cwd=cwd, capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_the_strategies_folder_holds_only_the_auditor_strategies_package():
    """No importable module sits directly in strategies/: the folder is not a package itself."""
    assert (REPO / "strategies" / "auditor_strategies" / "__init__.py").is_file()
    assert sorted(p.name for p in (REPO / "strategies").glob("*.py")) == []
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"strategies/auditor_strategies"' in text
    assert "dev-mode-exact = true" in text  # editable: only mapped names, no repo root on sys.path


OLD_IMPORT = re.compile(r"^\s*(?:from\s+strategies(?:\.\w+)*\s+import|import\s+strategies\b)", re.M)


def test_no_code_imports_the_folder_name():
    """Every import uses the package's name, `auditor_strategies`."""
    offenders = []
    for folder in ("auditor", "strategies", "tests", "benchmarks"):
        for path in sorted((REPO / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if OLD_IMPORT.search(text):
                offenders.append(str(path.relative_to(REPO)))
    for doc in [REPO / "README.md", REPO / "strategies" / "README.md", *(REPO / "docs").glob("*.md")]:
        if OLD_IMPORT.search(doc.read_text(encoding="utf-8")):
            offenders.append(str(doc.relative_to(REPO)))
    assert not offenders, "import auditor_strategies, not strategies: " + ", ".join(offenders)


def test_the_old_import_pattern_is_recognised():
    assert OLD_IMPORT.search("from strategies.literals import Literals")
    assert OLD_IMPORT.search("    import strategies\n")
    assert not OLD_IMPORT.search("from hypothesis import strategies as st")
    assert not OLD_IMPORT.search("from auditor_strategies import from_signature")


@pytest.mark.slow
def test_built_wheel_installs_auditor_strategies_and_no_strategies(tmp_path: Path):
    _pip("wheel", "--no-deps", "-w", str(tmp_path / "dist"), str(REPO), cwd=tmp_path)
    (wheel,) = (tmp_path / "dist").glob("auditor-*.whl")
    top_level = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert "auditor_strategies" in top_level and "auditor" in top_level
    assert "strategies" not in top_level

    python = _fresh_venv(tmp_path / "venv")
    _pip("--python", str(python), "install", "--no-deps", str(wheel), cwd=tmp_path)
    found = _probe(python, cwd=tmp_path)
    assert found["strategies"] is None
    site = str(tmp_path / "venv")
    assert found["auditor_strategies"] is not None
    assert str(found["auditor_strategies"]["origin"]).startswith(site)
    assert str(found["auditor"]["origin"]).startswith(site)  # type: ignore[index]


@pytest.mark.slow
def test_editable_install_maps_auditor_strategies_to_the_checkout(tmp_path: Path):
    python = _fresh_venv(tmp_path / "venv")
    _pip("--python", str(python), "install", "--no-deps", "-e", str(REPO), cwd=tmp_path)
    # the one runtime dependency of hatchling's exact editable mode (pip adds it without --no-deps)
    _pip("--python", str(python), "install", "--no-deps", "editables", cwd=tmp_path)
    found = _probe(python, cwd=tmp_path)
    assert found["strategies"] is None, "the repository root must not be on sys.path"
    package = REPO / "strategies" / "auditor_strategies"
    assert found["auditor_strategies"] == {
        "origin": str(package / "__init__.py"),
        "path": [str(package)],
    }
    assert found["auditor"]["origin"] == str(REPO / "auditor" / "__init__.py")  # type: ignore[index]


def test_a_users_own_strategies_module_is_not_shadowed_in_the_witness_worker(tmp_path: Path):
    """The reason for the rename: the worker imports our helpers and then the user's modules in one
    process. A project module named `strategies` used to resolve to auditor's package (its mutants
    were skipped as a name clash); now it resolves to the project's own copy."""
    workspace = tmp_path / "mutants"
    workspace.mkdir()
    (workspace / "strategies.py").write_text("def pick(x: int) -> int:\n    return x + 1\n")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from auditor.properties import worker\n"
        "from auditor.properties.names import parse_mutant_name\n"
        f"ws = Path({str(workspace)!r})\n"
        "worker.setup_paths(ws)\n"
        "module = worker._module(parse_mutant_name('strategies.x_pick__mutmut_1'), ws, {})\n"
        "print(module.__file__)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-I", "-c", script],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == str(workspace / "strategies.py")
