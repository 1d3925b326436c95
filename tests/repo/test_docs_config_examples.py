"""Every configuration example in the docs is one auditor accepts, and the reference is complete.

A user copies TOML from README.md or docs/*.md into their pyproject.toml: each ```toml block must
parse, and its `[tool.auditor]` part must pass the same validation a scan applies
(`auditor.config.parse_config`, and the per-rule settings of `[tool.auditor.rules.TQxxx]`).
docs/configuration.md must mention every key `auditor/config.py` accepts, and no `[tool.auditor…]
key = ` written anywhere in the docs' prose may name a key the validation rejects.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.config import SUBTABLE_KEYS, TOP_LEVEL_KEYS, parse_config
from auditor.errors import ConfigError
from auditor.static.engine import rule_settings_from, rules_meta

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
DOCS = sorted([REPO / "README.md", REPO / "strategies" / "README.md", *(REPO / "docs").glob("*.md")])
REFERENCE = REPO / "docs" / "configuration.md"
TOML_BLOCK = re.compile(r"^```toml\n(.*?)^```", re.MULTILINE | re.DOTALL)
# `[tool.auditor] key = ...` or `[tool.auditor.mutation] key = ...` written inline in prose
PROSE_KEY = re.compile(r"\[tool\.auditor(?:\.([\w-]+))?(?:\.[\w-]+)?\]\s+([\w-]+)\s*=")


def toml_blocks() -> list[Any]:
    out = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for match in TOML_BLOCK.finditer(text):
            line = text[: match.start()].count("\n") + 1
            out.append(pytest.param(match.group(1), id=f"{doc.relative_to(REPO)}:{line}"))
    return out


def validate(table: dict[str, Any]) -> None:
    """What a scan does with `[tool.auditor]`: the schema, then each rule's own settings."""
    config = parse_config(table)
    rule_settings_from(config, rules_meta(None))


BLOCKS = toml_blocks()


def test_the_docs_have_configuration_examples():
    assert len(BLOCKS) >= 6
    assert any("configuration.md" in str(p.id) for p in BLOCKS)


@pytest.mark.parametrize("block", BLOCKS)
def test_toml_example_parses_and_validates(block: str):
    data = tomllib.loads(block)  # a TOMLDecodeError here is a broken example
    table = data.get("tool", {}).get("auditor")
    if table is None:
        assert data, "empty TOML example"
        return  # another tool's table (e.g. [tool.mutmut]); nothing of ours to validate
    validate(table)


def test_validation_really_rejects_what_the_reference_once_showed():
    """The bug this test exists for: a top-level key written under a sub-table header."""
    with pytest.raises(ConfigError, match=re.escape("Unknown key 'strategies' in [tool.auditor.witness]")):
        validate({"witness": {"enabled": True, "strategies": ["pkg.testing:register"]}})


def _mentioned(key: str, reference: str, reference_keys: set[str]) -> bool:
    return key in reference_keys or f"`{key}`" in reference


def _reference_keys() -> tuple[str, set[str]]:
    text = REFERENCE.read_text(encoding="utf-8")
    keys: set[str] = set()

    def walk(table: dict[str, Any]) -> None:
        for key, value in table.items():
            keys.add(key)
            if isinstance(value, dict):
                walk(value)

    for match in TOML_BLOCK.finditer(text):
        walk(tomllib.loads(match.group(1)).get("tool", {}).get("auditor", {}))
    return text, keys


def test_reference_mentions_every_accepted_key():
    text, keys = _reference_keys()
    missing = [k for k in TOP_LEVEL_KEYS if not _mentioned(k, text, keys)]
    for table, allowed in SUBTABLE_KEYS.items():
        missing += [f"{table}.{k}" for k in allowed if not _mentioned(k, text, keys)]
    assert not missing, f"docs/configuration.md does not mention: {', '.join(missing)}"


def test_no_doc_names_a_key_the_validation_rejects():
    wrong = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for table, key in PROSE_KEY.findall(text):
            if table == "rules":
                continue  # per-rule settings: checked through the TOML examples
            allowed = SUBTABLE_KEYS.get(table) if table else TOP_LEVEL_KEYS
            if allowed is None or key not in allowed:
                wrong.append(f"{doc.relative_to(REPO)}: [tool.auditor{'.' + table if table else ''}] {key}")
    assert not wrong, "docs name keys auditor rejects:\n" + "\n".join(wrong)
