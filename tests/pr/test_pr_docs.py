"""The documented GitHub workflows keep the fork-safety split they promise."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "github-actions.md"


def workflows() -> list[dict[str, Any]]:
    yaml = pytest.importorskip("yaml")
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    return [yaml.safe_load(block) for block in blocks]


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    return dict(workflow.get("on") or workflow.get(True) or {})  # YAML 1.1 reads `on` as True


def test_untrusted_pull_request_workflow_cannot_write() -> None:
    pr = [w for w in workflows() if "pull_request" in triggers(w)]
    assert len(pr) == 1
    assert pr[0]["permissions"] == {"contents": "read"}
    steps = pr[0]["jobs"]["audit"]["steps"]
    assert not any("--post" in str(step.get("run", "")) for step in steps)


def test_trusted_workflow_posts_without_running_pr_code() -> None:
    trusted = [w for w in workflows() if "workflow_run" in triggers(w)]
    assert len(trusted) == 1
    assert trusted[0]["permissions"]["pull-requests"] == "write"
    assert trusted[0]["permissions"]["security-events"] == "write"
    steps = trusted[0]["jobs"]["comment"]["steps"]
    assert not any(str(step.get("uses", "")).startswith("actions/checkout") for step in steps)
    assert any(
        "pr-comment" in str(step.get("run", "")) and "--post" in str(step.get("run", ""))
        for step in steps
    )


def test_sharded_variant_merges_every_shard() -> None:
    sharded = [w for w in workflows() if "shard" in w.get("jobs", {})]
    assert len(sharded) == 1
    jobs = sharded[0]["jobs"]
    n = len(jobs["shard"]["strategy"]["matrix"]["shard"])
    assert f"/{n} " in str(jobs["shard"]["steps"])
    assert any("auditor merge" in str(step.get("run", "")) for step in jobs["merge"]["steps"])
