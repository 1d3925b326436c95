"""--html: one self-contained page, checked as text and rendered in a real headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.model import Finding, Scorecard
from auditor.reports import html

HISTORY = [
    {
        "date": f"2026-11-0{d}T10:00:00Z",
        "branch": "main",
        "commit": f"c{d}",
        "metrics": {"score": 40.0 + d, "mutation_score": 30.0 + 2 * d, "line_coverage": 70.0},
    }
    for d in range(1, 5)
]


def test_page_is_self_contained(full_card: Scorecard, project_root: Path) -> None:
    page = html.render(full_card, root=project_root, history=HISTORY)
    assert page.startswith("<!DOCTYPE html>")
    # nothing is fetched: no external scripts, styles, images or fonts
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    assert "<svg" in page and "<polyline" in page


def test_page_has_summary_modules_survivors_witness_and_code_excerpts(
    full_card: Scorecard, project_root: Path
) -> None:
    page = html.render(full_card, root=project_root, history=[])
    assert "48.0 (F)" in page
    assert "<code>pkg/core.py</code>" in page
    assert "Surviving mutants (1)" in page
    assert "is_adult(age=18)" in page and "assert is_adult(18) is True" in page
    # the finding's code excerpt is read from the project: test_is_adult's body
    assert "is_adult(20)" in page
    assert "The trend appears after two recorded scans" in page
    assert "properties</b> left out of the score" in page


def test_user_text_is_escaped(static_card: Scorecard) -> None:
    static_card.findings.append(
        Finding("TQ101", "warning", "tests/x.py", 1, "<script>alert(1)</script>")
    )
    page = html.render(static_card)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_rendering_reads_no_project_state(full_card: Scorecard, project_root: Path) -> None:
    """The trend comes from the caller (`history=`); render() does not open history.jsonl."""
    state = project_root / ".auditor"
    state.mkdir()
    (state / "history.jsonl").write_text("".join(json.dumps(e) + "\n" for e in HISTORY))
    page = html.render(full_card, root=project_root)
    assert '<svg class="trend"' not in page


def test_scan_html_shows_the_projects_recorded_history(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_a.py").write_text("def test_a():\n    assert 1 + 1 == 2\n", encoding="utf-8")
    state = tmp_path / ".auditor"
    state.mkdir()
    (state / "history.jsonl").write_text("".join(json.dumps(e) + "\n" for e in HISTORY))
    out = tmp_path / "report.html"
    assert main(["scan", str(tests), "--only", "static", "--html", str(out), "--quiet"]) == 0
    assert '<svg class="trend"' in out.read_text(encoding="utf-8")


CHROMIUM = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="needs a headless Chromium (apt-get install chromium)")
def test_page_renders_in_headless_chromium(
    full_card: Scorecard, project_root: Path, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    page.write_text(html.render(full_card, root=project_root, history=HISTORY), encoding="utf-8")
    done = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "48.0 (F)" in dom and "Surviving mutants (1)" in dom and "Top actions" in dom
    assert dom.count("<circle") == 3 * len(HISTORY)  # the SVG trend chart is in the rendered DOM
    shot = tmp_path / "report.png"
    done = _chromium(tmp_path, "--window-size=1200,1600", f"--screenshot={shot}", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 1600)
    assert len(data) > 20_000  # a blank page compresses to a few KB


def test_trend_plots_the_overall_score_only_for_the_latest_stage_set() -> None:
    from auditor.reports.html_parts import trend_svg

    entries = [
        {"date": "d1", "stages": ["static"], "metrics": {"score": 90.0}},
        {
            "date": "d2",
            "stages": ["static", "coverage"],
            "metrics": {"score": 60.0, "line_coverage": 80.0},
        },
        {
            "date": "d3",
            "stages": ["static", "coverage"],
            "metrics": {"score": 65.0, "line_coverage": 82.0},
        },
    ]
    svg = trend_svg(entries)
    assert svg.count("<title>overall score") == 2  # the static-only 90 is not on the line
    assert svg.count("<title>line coverage") == 2
    assert "same stages as the latest (coverage, static)" in svg
