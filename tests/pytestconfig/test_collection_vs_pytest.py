"""The oracle on real suites: the tests our model collects == `pytest --collect-only`.

For each suite (a PyPI sdist), the static engine's collection (files via `discover`, tests via the
collection model, inherited methods included) is compared with the node ids pytest collects, with
parametrize ids stripped. Modules pytest skips or cannot import here (a test dependency that is not
installed in this environment) are left out of both sides; at least 80 % of the suite must remain.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytest_oracle import collect_report
from suites import fetch

from auditor.config import parse_config
from auditor.project import load_project
from auditor.pytest_config import read_pytest_settings
from auditor.static.engine import scan
from auditor.static.nodeids import model_nodeids

#: name, version, tests dir, extra pytest args (addopts naming plugins not installed here are
#: replaced, identically on both sides), and what the suite exercises
SUITES = [
    ("pytest", "9.2.0", "testing", [], "norecursedirs example_scripts, conftest, 3.4k tests"),
    ("attrs", "25.3.0", "tests", [], "collect_ignore behind a PY_3_10_PLUS flag, hypothesis"),
    ("parse", "1.22.4", "tests", ["-o", "addopts="], "y()/n() helpers"),
    ("sqlparse", "0.5.3", "tests", [], "plain functions"),
    ("more-itertools", "10.8.0", "tests", [], "unittest.TestCase classes"),
    ("boltons", "26.2.0", "tests", [], "tox.ini config, module-level tests"),
    ("toolz", "1.0.0", "toolz", [], "tests inside the package"),
    ("semver", "3.1.2", "tests", ["-o", "addopts="], ".pytest.ini"),
    ("pluggy", "1.6.0", "testing", [], "pyproject ini_options"),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "version", "tests", "extra"),
    [pytest.param(n, v, t, e, id=f"{n}-{v}") for n, v, t, e, _ in SUITES],
)
def test_model_collects_what_pytest_collects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, version: str, tests: str,
    extra: list[str],
) -> None:  # fmt: skip
    root = fetch(name, version, tmp_path)
    if root is None:
        pytest.skip(f"{name}=={version} could not be downloaded (no network?)")
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    project = load_project(root / tests, config=parse_config({}))
    project.pytest = read_pytest_settings(root, [*extra, tests])
    result = scan(project, use_cache=False)
    assert not result.diagnostics, result.diagnostics
    ours = model_nodeids(result.facts)

    pythonpath = os.pathsep.join(str(p) for p in (root / "src", root) if p.is_dir())
    theirs, skipped, errors = collect_report(root, [*extra, tests], env={"PYTHONPATH": pythonpath})
    left_out = skipped | errors
    compared_ours = {i for i in ours if i.split("::", 1)[0] not in left_out}
    compared_theirs = {i for i in theirs if i.split("::", 1)[0].endswith(".py")}
    assert len(compared_theirs) >= 0.8 * len(ours), (len(compared_theirs), len(ours), left_out)
    assert sorted(compared_ours - compared_theirs) == []
    assert sorted(compared_theirs - compared_ours) == []
