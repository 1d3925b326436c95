"""Escaping text from the audited project for each output medium.

Test source, test ids and messages quoting them are untrusted text: a raw ESC from a test file would
drive the reader's terminal (even with `--no-color` or piped), and makes an XML report ill-formed.

- `printable(text)`: terminals and plain text. Control characters other than newline and tab
  (C0, DEL, C1) become visible `\\x1b`-style escapes; everything else is unchanged.
- `xml_text(text)`: XML 1.0 character data. Characters XML 1.0 forbids (C0 controls other than
  tab/newline/carriage return, lone surrogates, U+FFFE/U+FFFF) become `\\x1b`-style escapes; the
  caller's XML library still escapes `<`, `&` and quotes.
- `sanitized(card, printable)` applies one of these to every string of a scorecard (the terminal
  and JUnit renderers call it first), so no field can be forgotten.
- rich markup is escaped separately with `rich.markup.escape` where text is printed with markup.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with terminal control characters (except newline and tab) shown as `\\xNN`."""
    return _TERMINAL_UNSAFE.sub(_visible, text)


def xml_text(text: str) -> str:
    """`text` with the characters XML 1.0 cannot contain shown as `\\xNN`/`\\uNNNN`."""
    return _XML_UNSAFE.sub(_visible, text)


def sanitized(obj: T, escape: Callable[[str], str]) -> T:
    """A copy of `obj` (dataclasses, lists, tuples, dicts, strings) with `escape` applied to
    every string in it, dictionary keys included; other values are shared, not copied."""
    if isinstance(obj, str):
        return escape(obj)  # type: ignore[return-value]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {
            f.name: sanitized(getattr(obj, f.name), escape)
            for f in dataclasses.fields(obj)
            if f.init
        }
        return dataclasses.replace(obj, **changes)
    if isinstance(obj, list):
        return [sanitized(item, escape) for item in obj]  # type: ignore[return-value]
    if isinstance(obj, tuple):
        return tuple(sanitized(item, escape) for item in obj)  # type: ignore[return-value]
    if isinstance(obj, dict):
        return {  # type: ignore[return-value]
            sanitized(key, escape): sanitized(value, escape) for key, value in obj.items()
        }
    return obj
