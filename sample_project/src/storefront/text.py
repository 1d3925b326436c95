"""Text helpers for URLs and stock-keeping units."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+")


def slugify(title: str, max_length: int = 40) -> str:
    """'Red Mug (Large)!' -> 'red-mug-large'. Words are dropped, never cut in half."""
    slug = ""
    for word in _WORD.findall(title.lower()):
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug


def normalize_sku(raw: str) -> str:
    """' mug_1 ' -> 'MUG-1': customers type SKUs in any case and with underscores."""
    return raw.strip().upper().replace("_", "-")
