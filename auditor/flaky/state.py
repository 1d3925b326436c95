"""Name the shared state behind an order dependency from the plugin's snapshots.

For a victim verified with the runs `[polluter, victim]` and `[victim]` (both with snapshots), the
state that matters is what the polluter changed (its own before/after diff, same process) *and*
what the victim saw differently at its start (the two runs' "before victim" snapshots, compared
across processes). For a brittle it is what the state-setter changed and the brittle needs; for a
cleaner, what it changed back. Each entry is
`{"kind": "environ"|"cwd"|"sys.path"|"global"|"file", "name", "change", "before", "after"}`.
"""

from __future__ import annotations

from typing import Any

KIND_ORDER = ("environ", "cwd", "sys.path", "global", "file")
MAX_ENTRIES = 8


def _split(key: str) -> tuple[str, str]:
    if key == "cwd":
        return "cwd", ""
    kind, _, name = key.partition(":")
    return kind, name


def seen_differently(with_: dict[str, Any], alone: dict[str, Any]) -> set[str]:
    """Keys whose fingerprint (or presence) differs between two "before the test" snapshots."""
    keys = set(with_) | set(alone)
    return {k for k in keys if (with_.get(k) or [None])[0] != (alone.get(k) or [None])[0]}


def name_state(
    actor_changes: dict[str, list[str]],
    before_with: dict[str, Any] | None = None,
    before_alone: dict[str, Any] | None = None,
) -> list[dict[str, str]]:
    """The state entries to report for one relation, most telling first (at most 8).

    `actor_changes`: the polluter's / state-setter's / cleaner's own changes (`snapshot.changed`);
    `before_with` / `before_alone`: the test's "before" snapshot with and without the actor.
    """
    keys = list(actor_changes)
    if before_with is not None and before_alone is not None:
        differs = seen_differently(before_with, before_alone)
        narrowed = [k for k in keys if k in differs]
        keys = narrowed or keys
    entries = []
    for key in keys:
        kind, name = _split(key)
        if kind not in KIND_ORDER:
            continue
        change, before, after = (actor_changes[key] + ["", "", ""])[:3]
        entries.append(
            {"kind": kind, "name": name, "change": change, "before": before, "after": after}
        )
    entries.sort(key=lambda e: (KIND_ORDER.index(e["kind"]), e["name"]))
    return entries[:MAX_ENTRIES]


def describe(entry: dict[str, str]) -> str:
    """One entry as a phrase: "os.environ['MODE'] set to 'on'"."""
    kind, name, change = entry.get("kind", ""), entry.get("name", ""), entry.get("change", "")
    before, after = entry.get("before", ""), entry.get("after", "")
    if kind == "environ":
        target = f"os.environ[{name!r}]"
        if change == "added":
            return f"{target} set to {after!r}"
        if change == "removed":
            return f"{target} deleted (was {before!r})"
        return f"{target} changed from {before!r} to {after!r}"
    if kind == "cwd":
        return f"working directory changed from {before} to {after}"
    if kind == "sys.path":
        return f"{name!r} {'added to' if change == 'added' else 'removed from'} sys.path"
    if kind == "global":
        if change == "added":
            return f"module global {name} created ({after})"
        if change == "removed":
            return f"module global {name} deleted"
        return f"module global {name} changed from {before} to {after}"
    if kind == "file":
        verb = {"added": "created", "removed": "deleted"}.get(change, "modified")
        return f"file {name} {verb}"
    return f"{kind} {name} {change}"


def summary(entries: list[dict[str, str]]) -> str:
    """All entries as one sentence fragment ("" when nothing was observed)."""
    return "; ".join(describe(e) for e in entries)
