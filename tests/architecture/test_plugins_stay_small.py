"""Our pytest plugins run inside the audited project's own test process: they must stay small.

Importing one must not import the rest of auditor, because whatever is loaded there can change what
the project's tests do: Hypothesis, for one, draws literal constants from every loaded module that
is not in site-packages (an editable install of auditor is not), so the project's property-test
statistics changed whenever a number anywhere in auditor's source changed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PLUGINS = [
    "auditor.coverage.plugin",
    "auditor.properties.stats_plugin",
    "auditor.flaky.plugin",
    "auditor.mutation.verify_probe",
]
ALLOWED = {
    "auditor",
    "auditor.version",
    "auditor.coverage",
    "auditor.properties",
    "auditor.flaky",
    "auditor.mutation",
}


def _loaded_after_import(module: str) -> set[str]:
    code = (
        f"import json, sys, {module}; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'auditor')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(proc.stdout))


@pytest.mark.parametrize("plugin", PLUGINS)
def test_importing_a_plugin_loads_no_other_auditor_module(plugin: str) -> None:
    assert _loaded_after_import(plugin) - ALLOWED - {plugin} == set()


def test_the_public_names_still_import_from_the_package_root() -> None:
    loaded = _loaded_after_import("auditor")
    assert "auditor.api" not in loaded  # lazy until asked for
    from auditor import Options, Scorecard, audit

    assert callable(audit) and Options().jobs is None and Scorecard().tests == []


def test_every_plugin_we_load_with_dash_p_is_checked_here() -> None:
    """A new `-p auditor.…` plugin must join PLUGINS (and so stay small)."""
    import re
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "auditor"
    named = {
        match
        for path in package.rglob("*.py")
        for match in re.findall(r"\bauditor(?:\.\w+)+(?:plugin|probe)\b", path.read_text())
    }
    assert named, "the search for plugin names found nothing: the pattern is stale"
    assert named <= set(PLUGINS), f"plugins missing from PLUGINS: {sorted(named - set(PLUGINS))}"
