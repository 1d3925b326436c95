"""Issue 12: a root `sitecustomize.py` of the audited project must not run in our children when
the project's own pytest does not run it (the oracle is plain `python -m pytest`)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hardening_projects import auditor, make_project

SITECUSTOMIZE = (
    "import os, sys\n"
    "with open(os.environ['SITE_MARK'], 'a') as fh:\n"
    "    fh.write(' '.join(sys.argv) + '\\n')\n"
)


@pytest.mark.slow
def test_case_root_sitecustomize_is_not_run_by_our_children(tmp_path):
    make_project(tmp_path)
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
    mark = tmp_path.parent / f"{tmp_path.name}-site-ran"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AUDITOR_CACHE_DIR")}
    env["SITE_MARK"] = str(mark)
    plain = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert plain.returncode == 0, plain.stdout
    assert not mark.exists(), "the oracle changed: plain pytest runs the root sitecustomize.py"
    done = auditor("scan", "tests", "-q", "--skip", "properties", cwd=tmp_path,
                   env={"SITE_MARK": str(mark), "PYTHONPATH": ""})
    assert done.returncode == 0, done.stderr
    ran = mark.read_text() if mark.exists() else ""
    assert ran == "", f"sitecustomize.py ran in: {ran}"
