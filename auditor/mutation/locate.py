"""Where a mutmut mutant is in the ORIGINAL file, what it changes, and which operator made it.

mutmut stores no line numbers: each mutant is a full copy of its function in `mutants/<file>`, and
`.spans` gives the line range of every copy. We diff the `__mutmut_orig` copy against the mutant
copy line by line, then map copy lines onto the original file by aligning the copy's `def` line
with the function's `def` line found by `ast` in the original source (decorators and blank lines
before the function are not part of the alignment). The operator family is inferred from the
differing tokens, because mutmut does not record it either.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from auditor.mutation.results import function_names

_TOKEN = re.compile(
    r"""[rbuRBUfF]{0,2}(?:"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*')"""
    r"""|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?j?|\.\d+(?:[eE][+-]?\d+)?j?"""
    r"""|\w+|\*\*=?|//=?|<<=?|>>=?|[<>=!]=|->|:=|[-+*/%&|^@]=?|[~<>()\[\]{},:;.=]"""
)
COMPARISON = {"<", "<=", ">", ">=", "==", "!="}
BITWISE = {"&", "|", "^", "<<", ">>"}
ARITHMETIC = {"+", "-", "*", "/", "//", "%", "**", "@"}
AUGMENTED = {op + "=" for op in ARITHMETIC | BITWISE}
STRING_METHODS = {
    "lower",
    "upper",
    "lstrip",
    "rstrip",
    "find",
    "rfind",
    "ljust",
    "rjust",
    "index",
    "rindex",
    "removeprefix",
    "removesuffix",
    "partition",
    "rpartition",
    "split",
    "rsplit",
}


@dataclass
class Location:
    line: int | None
    end_line: int | None
    operator: str
    description: str
    diff: str


def find_function(
    tree: ast.Module, cls: str | None, func: str
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The top-level function or method of a top-level class that mutmut mutated (last wins)."""
    body: list[ast.stmt] = tree.body
    if cls is not None:
        classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls]
        if not classes:
            return None
        body = classes[-1].body
    found = [
        n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == func
    ]
    return found[-1] if found else None


def _def_index(lines: list[str], name: str) -> int:
    for i, text in enumerate(lines):
        words = text.split(None, 2)
        if words[:1] == ["async"]:
            words = words[1:]
        if len(words) >= 2 and words[0] == "def" and words[1].split("(", 1)[0] == name:
            return i
    return 0


def locate(
    mutant_name: str,
    mangled: str,
    path: str,
    mutants_lines: list[str],
    spans: dict[str, tuple[int, int]],
    original_tree: ast.Module | None,
) -> Location:
    """Locate one mutant; missing spans or function give a Location without line numbers."""
    suffix = mutant_name.rpartition(".")[2]
    orig_key = f"{mangled}__mutmut_orig"
    if orig_key not in spans or suffix not in spans:
        return Location(None, None, "other", "", "")
    o_start, o_end = spans[orig_key]
    m_start, m_end = spans[suffix]
    orig = mutants_lines[o_start - 1 : o_end]
    mut = mutants_lines[m_start - 1 : m_end]
    cls, func = function_names(mangled)
    o_def = _def_index(orig, orig_key)
    m_def = _def_index(mut, suffix)
    orig = _rename(orig, o_def, orig_key, func)[o_def:]
    mut = _rename(mut, m_def, suffix, func)[m_def:]
    node = find_function(original_tree, cls, func) if original_tree is not None else None
    first = node.lineno if node is not None else None
    i1, i2, j1, j2 = changed_window(orig, mut)
    if i1 == i2 and j1 == j2:
        return Location(first, first, "other", "no textual change", "")
    line = end_line = None
    if first is not None:
        line = first + i1
        end_line = first + max(i1, i2 - 1)
    operator, description = classify("\n".join(orig[i1:i2]), "\n".join(mut[j1:j2]))
    diff = unified_diff(path, orig, mut, (i1, i2, j1, j2), first or 1)
    return Location(line, end_line, operator, description, diff)


def _rename(lines: list[str], index: int, old: str, new: str) -> list[str]:
    out = list(lines)
    if out:
        out[index] = out[index].replace(old, new, 1)
    return out


def changed_window(orig: list[str], mut: list[str]) -> tuple[int, int, int, int]:
    """(i1, i2, j1, j2): the differing slices orig[i1:i2] / mut[j1:j2].

    A mutant changes exactly one node, so stripping the common prefix and suffix finds it in
    linear time (difflib's matcher is quadratic on the long functions real projects have).
    """
    n = min(len(orig), len(mut))
    p = 0
    while p < n and orig[p] == mut[p]:
        p += 1
    q = 0
    while q < n - p and orig[-1 - q] == mut[-1 - q]:
        q += 1
    return p, len(orig) - q, p, len(mut) - q


def unified_diff(
    path: str, orig: list[str], mut: list[str], window: tuple[int, int, int, int], first: int
) -> str:
    """A one-hunk unified diff (1 line of context) numbered in the original file."""
    i1, i2, j1, j2 = window
    start = max(0, i1 - 1)
    a_end, b_end = min(len(orig), i2 + 1), min(len(mut), j2 + 1)
    offset = first + start
    header = f"@@ -{offset},{a_end - start} +{offset},{b_end - start} @@"
    body = [" " + t for t in orig[start:i1]] + ["-" + t for t in orig[i1:i2]]
    body += ["+" + t for t in mut[j1:j2]] + [" " + t for t in orig[i2:a_end]]
    return "\n".join([f"--- a/{path}", f"+++ b/{path}", header, *body]) + "\n"


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def classify(orig_text: str, mut_text: str) -> tuple[str, str]:
    """(operator family, human description) from the differing tokens of two snippets."""
    a, b = tokens(orig_text), tokens(mut_text)
    p = 0
    while p < min(len(a), len(b)) and a[p] == b[p]:
        p += 1
    s = 0
    while s < min(len(a), len(b)) - p and a[-1 - s] == b[-1 - s]:
        s += 1
    o, m = a[p : len(a) - s], b[p : len(b) - s]
    family = _family(o, m, a[:p], a[len(a) - s :])
    o_txt, m_txt = " ".join(o), " ".join(m)
    if not m:
        description = f"removed `{o_txt}`"
    elif not o:
        description = f"inserted `{m_txt}`"
    else:
        description = f"`{o_txt}` -> `{m_txt}`"
    return family, description


def _depth(before: list[str]) -> int:
    return sum(1 for t in before if t in "([{") - sum(1 for t in before if t in ")]}")


def _family(o: list[str], m: list[str], before: list[str], after: list[str]) -> str:
    if len(o) == 1 and len(m) == 1:
        x, y = o[0], m[0]
        if _is_number(x) and _is_number(y):
            return "number"
        if _is_string(x) and _is_string(y):
            return "string"
        if {x, y} <= {"True", "False"}:
            return "boolean"
        if x == "deepcopy":
            return "name"
        if x in COMPARISON and y in COMPARISON:
            return "comparison"
        if x in BITWISE and y in BITWISE:
            return "bitwise"
        if x in ARITHMETIC | BITWISE and y in ARITHMETIC | BITWISE:
            return "arithmetic"
        if x in AUGMENTED and y == "=":
            return "augmented_assignment"
        if x in AUGMENTED and y in AUGMENTED:
            return "arithmetic"
        if {x, y} == {"and", "or"}:
            return "boolean_operator"
        if x in STRING_METHODS and y in STRING_METHODS:
            return "string_method"
        if x in ("break", "continue"):
            return "keyword"
        if y == x + "XX":
            return "dict_arguments"
        if "lambda" in before and before[-1:] == [":"]:
            return "lambda"
    if m == ["None"] or (o == ["None"] and len(m) == 1 and _is_string(m[0])):
        return "assignment" if before[-1:] == ["="] and _depth(before) == 0 else "arg_removal"
    joined = (o, m)
    if joined in (
        (["is"], ["is", "not"]),
        (["is", "not"], ["is"]),
        (["in"], ["not", "in"]),
        (["not", "in"], ["in"]),
    ):
        return "keyword"
    negation = (o, m) in (([], ["not"]), (["not"], []))
    if negation and (before[-1:] == ["is"] or after[:1] == ["in"]):
        return "keyword"
    if o in (["not"], ["~"]) and not m:
        return "unary_removal"
    if ("and" in m and "False" in m) or ("or" in m and "True" in m):
        return "if_expression"
    if "case" in o and not m:
        return "match_case"
    if not m or (len(m) < len(o) and all(t in o for t in m)):
        return "arg_removal"
    if m and m[-1] == "None":
        return "arg_removal"
    return "other"


def _is_number(tok: str) -> bool:
    return bool(tok) and (tok[0].isdigit() or (tok[0] == "." and tok[1:2].isdigit()))


def _is_string(tok: str) -> bool:
    return tok.endswith(("'", '"'))
