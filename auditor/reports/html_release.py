"""The parts of the HTML report a release manager reads first, and the collapsible survivor list.

- `identity(card, root)`: project name and version (from `[project]` in pyproject.toml), git commit
  and branch (`auditor.git`), and the scan date, for the page header;
- `gates_section(card)`: every quality gate with passed/failed (`card.meta.gates`, recorded by
  `auditor.gates.evaluate`), so a scan that failed `--fail-under` says so in the HTML too;
- `inline_code(text)`: escapes `text` and renders its `code spans` as `<code>`;
- `survivor_details(...)`: one collapsed `<details>` per surviving mutant with a filter box.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from pathlib import Path

from auditor.model import Scorecard

SURVIVOR_FILTER_JS = """
(function(){var f=document.getElementById('survivor-filter');if(!f)return;
f.addEventListener('input',function(){var q=f.value.toLowerCase();
document.querySelectorAll('details.survivor').forEach(function(el){
el.style.display=el.getAttribute('data-text').indexOf(q)>=0?'':'none';});});
var all=document.getElementById('survivors-toggle');if(all)all.addEventListener('click',
function(){var open=all.getAttribute('data-open')!=='1';all.setAttribute('data-open',open?'1':'0');
all.textContent=open?'collapse all':'expand all';
document.querySelectorAll('details.survivor').forEach(function(el){el.open=open;});});})();
"""

CSS = """
.identity{display:flex;flex-wrap:wrap;gap:4px 18px;margin:4px 0;padding:0;list-style:none}
.identity b{font-weight:600}
.gate{border:1px solid var(--line);border-radius:6px;padding:6px 10px;margin:6px 0}
.gate.failed{border-left:5px solid var(--low)}
.gate.passed{border-left:5px solid var(--high)}
.gate .verdict{font-weight:600}
.gate.failed .verdict{color:var(--low)}
.gate.passed .verdict{color:var(--high)}
details.survivor{border:1px solid var(--line);border-radius:6px;padding:6px 10px;margin:6px 0}
details.survivor>summary{font-weight:400}
.toolbar{display:flex;gap:8px;align-items:center}
.toolbar input{flex:1;padding:6px 8px;border:1px solid var(--line);border-radius:6px}
.toolbar button{padding:5px 10px;border:1px solid var(--line);border-radius:6px;background:var(--card)}
"""


def inline_code(text: str) -> str:
    """HTML for a message: escaped, with each `backtick span` shown as code."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show it as it is
        return escape(text)
    return "".join(
        f"<code>{escape(part)}</code>" if index % 2 else escape(part)
        for index, part in enumerate(parts)
    )


def _pyproject_identity(root: Path) -> tuple[str, str]:
    from auditor.config import read_toml
    from auditor.errors import ConfigError

    try:
        project = read_toml(root / "pyproject.toml").get("project") or {}
    except (OSError, ConfigError):  # an unreadable pyproject must not cost the report
        return "", ""
    if not isinstance(project, dict):
        return "", ""
    name = str(project["name"]) if isinstance(project.get("name"), str) else ""
    version = str(project["version"]) if isinstance(project.get("version"), str) else ""
    if not version and "version" in (project.get("dynamic") or []):
        version = "dynamic"
    return name, version


def identity(card: Scorecard, root: Path | str | None, now: datetime | None = None) -> dict[str, str]:
    """{name, version, commit, branch, date} for the header; unknown values are empty strings."""
    from auditor import git

    name = version = commit = branch = ""
    if root is not None and Path(root).is_dir():
        name, version = _pyproject_identity(Path(root))
        info = git.commit_and_branch(Path(root))
        commit, branch = info.get("commit") or "", info.get("branch") or ""
    if not name:
        name = ", ".join(card.project.source) or "project"
    when = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    return {"name": name, "version": version, "commit": commit, "branch": branch, "date": when}


def identity_html(ident: dict[str, str]) -> str:
    items = [
        ("project", ident["name"] + (f" {ident['version']}" if ident["version"] else "")),
        ("commit", ident["commit"][:12] or "not a git checkout"),
        ("branch", ident["branch"] or "-"),
        ("scanned", ident["date"]),
    ]
    cells = "".join(f"<li>{escape(k)}: <b>{escape(v)}</b></li>" for k, v in items)
    return f'<ul class="identity">{cells}</ul>'


def gates_section(card: Scorecard) -> str:
    """Every evaluated gate, failed first; empty when no gate was requested."""
    gates = list(card.meta.gates or [])
    if not gates:
        return ""
    failed = [g for g in gates if not g.passed]
    rows = []
    for gate in sorted(gates, key=lambda g: g.passed):
        state = "passed" if gate.passed else "failed"
        message = f" — {inline_code(gate.message)}" if gate.message else ""
        rows.append(
            f'<div class="gate {state}"><span class="verdict">{state.upper()}</span> '
            f"{inline_code(gate.name)}{message}</div>"
        )
    title = f"Quality gates ({len(failed)} of {len(gates)} failed)" if failed else (
        f"Quality gates (all {len(gates)} passed)"
    )
    return f'<section id="gates"><h2>{escape(title)}</h2>{"".join(rows)}</section>'


def survivor_details(summary: str, search_text: str, body: str) -> str:
    """One collapsed survivor: `summary` (HTML) always visible, `body` (HTML) on demand."""
    return (
        f'<details class="survivor" data-text="{escape(search_text.lower())}">'
        f"<summary>{summary}</summary>{body}</details>"
    )


def survivors_toolbar(count: int) -> str:
    if not count:
        return ""
    return (
        '<div class="toolbar"><input id="survivor-filter" type="search" '
        'placeholder="filter survivors (file, function, operator, text)">'
        '<button id="survivors-toggle" type="button" data-open="0">expand all</button></div>'
    )
