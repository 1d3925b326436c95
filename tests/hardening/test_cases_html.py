"""Issue 12: the HTML report a release manager opens (identity, gates, survivors, code, encoding)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hardening_projects import make_project

from auditor import cli
from auditor.model import Mutant, Scorecard, StageReport
from auditor.reports import html

LATIN1_TESTS = (
    b"# -*- coding: latin-1 -*-\nfrom calc import add\n\n\n"
    b'def test_caf\xe9():\n    """Caf\xe9 cr\xe8me, na\xefve."""\n    add(2, 3) == 5\n'
)


def _scan_html(tmp_path: Path) -> str:
    tests = make_project(tmp_path)
    (tests / "test_latin.py").write_bytes(LATIN1_TESTS)
    subprocess.run(["git", "init", "-q", "-b", "release-1.2", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "add", "."], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t",
                    "commit", "-qm", "x"], check=True)
    out = tmp_path / "report.html"
    code = cli.main(["scan", str(tests), "--only", "static", "-q", "--html", str(out),
                     "--fail-under", "errors=0"])
    assert code == 1  # the gate failed ...
    return out.read_text(encoding="utf-8")


def test_case_html_header_names_project_version_commit_branch_and_date(tmp_path):
    page = _scan_html(tmp_path)
    commit = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True,
                            text=True, check=True).stdout.strip()
    assert "project: <b>calc 0.1</b>" in page
    assert f"commit: <b>{commit[:12]}</b>" in page
    assert "branch: <b>release-1.2</b>" in page
    assert re.search(r"scanned: <b>\d{4}-\d\d-\d\d \d\d:\d\d UTC</b>", page)


def test_case_html_shows_a_failed_gate(tmp_path):
    page = _scan_html(tmp_path)  # ... and the page says so
    assert "Quality gates (1 of 1 failed)" in page
    assert '<div class="gate failed"><span class="verdict">FAILED</span>' in page
    assert "errors is 1, at most 0 allowed" in page


def test_case_html_renders_code_spans_in_messages(tmp_path):
    page = _scan_html(tmp_path)
    assert "Comparison <code>add(2, 3) == 5</code> is evaluated and discarded" in page
    visible = re.sub(r'data-text="[^"]*"', "", page)  # the filter's search text keeps backticks
    assert "`add(2, 3)" not in visible


def test_case_html_shows_pep263_latin1_source(tmp_path):
    page = _scan_html(tmp_path)
    assert "Café crème, naïve." in page
    assert "\ufffd" not in page


def _survivor_card(count: int) -> Scorecard:
    card = Scorecard()
    card.stages.append(StageReport(name="mutation", ran=True))
    for i in range(count):
        card.mutants.append(
            Mutant(id=f"pkg.x_f__mutmut_{i}", status="survived", path=f"pkg/m{i % 3}.py", line=i + 1,
                   function=f"func_{i}", operator="comparison",
                   diff=f"--- a\n+++ b\n-    return x >= {i}\n+    return x > {i}\n")
        )
    return card


def test_case_html_survivor_list_is_collapsible_and_filterable():
    page = html.render(_survivor_card(74))
    assert page.count('<details class="survivor"') == 74
    assert "<details class=\"survivor\" open" not in page  # collapsed by default
    assert 'id="survivor-filter"' in page and "survivors-toggle" in page
    assert 'data-text="pkg/m1.py func_1 comparison' in page  # what the filter searches


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="needs a headless Chromium (apt-get install chromium)")
def test_case_html_release_view_renders_in_headless_chromium(tmp_path):
    page = tmp_path / "r.html"
    page.write_text(_scan_html(tmp_path / "proj"), encoding="utf-8")
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
              f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=120, check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Quality gates (1 of 1 failed)" in dom.stdout and "Café crème" in dom.stdout
    shot = tmp_path / "r.png"
    done = subprocess.run([*common, "--window-size=1200,1400", f"--screenshot={shot}", page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # not a blank page
