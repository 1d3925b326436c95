"""The TQ411 facts: which async tests have a runner (marks, auto modes, plugins, own hooks)."""

from __future__ import annotations

import itertools
import re
from typing import Any

from auditor.static.collect import TestFunc
from auditor.static.context import FileContext

# -- TQ411: async tests --------------------------------------------------------------------------
ASYNC_MARKS = {"asyncio", "anyio", "trio", "tornado", "gen_test", "twisted"}
AUTO_PLUGINS = ("aiohttp.pytest_plugin", "pytest_tornasync", "pytest_aiohttp.legacy")
SYNC_WRAPPER_HINTS = (
    "gen_test",
    "inlineCallbacks",
    "ensureDeferred",
    "async_to_sync",
    "run_sync",
    "sync",
    "asynctest",
    "async_test",
    "run_async",
    "coroutine",
)


def test_sync_wrapped(ctx: FileContext, test: TestFunc) -> bool:
    """A decorator that turns the coroutine into a sync call (tornado `gen_test`, twisted...)."""
    for deco in test.decorators:
        name = deco.qualified
        if name.startswith(
            ("pytest.mark.", "hypothesis.", "unittest.mock.", "mock.")
        ) or name.endswith(("patch", "patch.object", "patch.dict")):
            continue
        last = name.rsplit(".", 1)[-1]
        if any(hint in last for hint in SYNC_WRAPPER_HINTS) or name.split(".")[0] in (
            "tornado",
            "twisted",
            "pytest_twisted",
            "asgiref",
            "trio_asyncio",
            "async_generator",
        ):
            return True
        if not name.startswith("pytest"):
            return True  # unknown decorator: may wrap the coroutine; stay precise
    return False


def async_file_facts(ctx: FileContext) -> dict[str, Any]:
    """What this file contributes to running coroutines: a conftest hook adding an async mark, an
    auto-running plugin in `pytest_plugins`, or its own `pytest_pyfunc_call` runner (trio's
    `-p trio._tests.pytest_plugin`); plus the plugins the pytest config loads with `-p`."""
    plugins = ctx.inventory.pytest_plugins
    adds_mark = False
    if ctx.is_conftest and "add_marker" in ctx.source:
        adds_mark = bool(
            re.search(r"add_marker\(\s*(pytest\.mark\.)?[\"']?(asyncio|anyio|trio)", ctx.source)
        )
    opts = " ".join(ctx.settings.addopts).split()
    named = [b for a, b in itertools.pairwise(opts) if a == "-p"]
    named += [o[2:] for o in opts if o.startswith("-p") and len(o) > 2]
    return {
        "auto_plugin": any(p.startswith(AUTO_PLUGINS) for p in plugins),
        "own_runner": bool(_RUNNER_HOOK.search(ctx.source)),
        "adds_async_mark": adds_mark,
        "module": ctx.module_name,
        "named_plugins": [*plugins, *named],
    }


_RUNNER_HOOK = re.compile(r"^\s*(async\s+)?def pytest_pyfunc_call\b", re.MULTILINE)


def runs_coroutines(files: dict[str, dict[str, Any]], chain: list[str], path: str) -> bool:
    """Does a conftest in `chain`, the file itself, or a named plugin module run async tests?"""
    for key in [path, *chain]:
        data = files.get(key, {})
        if (
            data.get("auto_plugin")
            or data.get("adds_async_mark")
            or (key != path and data.get("own_runner"))
        ):
            return True
    named = {n for data in files.values() for n in data.get("named_plugins", [])}
    return any(
        data.get("own_runner")
        and any(data["module"] == n or data["module"].endswith("." + n) for n in named)
        for data in files.values()
    )
