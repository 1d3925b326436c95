"""A project index of the code under test: per source module, what it *defines* vs what it *imports*.

Patch targets are strings like `pkg.orders.Repository.save` or `pkg.orders.os.getcwd`. Prefix
matching on the project package name is wrong (every prefix hit read by hand on real suites was a
boundary reached through the unit's namespace, e.g. `rich.console.os.get_terminal_size`). We resolve the target against this index:
a name *defined* in the module is project code; a name *imported* into it is whatever it imports.
Parsed with the stdlib `ast` (fast; no positions needed) and cached per content hash by the caller.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

BOUNDARY_MODULES = {
    "os",
    "sys",
    "time",
    "datetime",
    "random",
    "uuid",
    "socket",
    "subprocess",
    "shutil",
    "pathlib",
    "builtins",
    "io",
    "tempfile",
    "urllib",
    "http",
    "requests",
    "httpx",
    "aiohttp",
    "urllib3",
    "smtplib",
    "ftplib",
    "sqlite3",
    "psycopg2",
    "psycopg",
    "pymysql",
    "redis",
    "boto3",
    "botocore",
    "logging",
    "platform",
    "getpass",
    "signal",
    "threading",
    "asyncio",
    "select",
    "ssl",
    "webbrowser",
    "secrets",
    "hashlib",
    "glob",
    "fcntl",
    "mmap",
    "multiprocessing",
    "json",
    "pickle",
    "shelve",
    "sqlalchemy",
    "pymongo",
    "grpc",
    "paramiko",
    "smtpd",
    "email",
}


@dataclass
class SourceModule:
    name: str
    path: str
    definitions: set[str] = field(default_factory=set)
    classes: dict[str, set[str]] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)
    assigned: set[str] = field(default_factory=set)  # definitions made by `name = ...`


@dataclass
class SourceIndex:
    modules: dict[str, SourceModule] = field(default_factory=dict)

    @property
    def packages(self) -> set[str]:
        return {name.split(".")[0] for name in self.modules}

    def resolve(self, target: str, depth: int = 0) -> tuple[str, str]:
        """Classify a dotted patch target -> (kind, qualified) with kind in
        'project' (defined in a project module), 'external' (stdlib/third party), 'unknown'.
        `qualified` is `module.attr...` with the defining module when known."""
        if depth > 5:
            return "unknown", target
        parts = target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module_name = ".".join(parts[:cut])
            module = self.modules.get(module_name)
            if module is None:
                continue
            head = parts[cut]
            if head in module.definitions:
                return "project", f"{module_name}.{'.'.join(parts[cut:])}"
            if head in module.imports:
                rest = parts[cut + 1 :]
                imported = module.imports[head]
                return self.resolve(".".join([imported, *rest]), depth + 1)
            return "unknown", target
        top = parts[0]
        if top in self.packages:
            return "unknown", target
        return "external", target

def module_name(path: Path, source_root: Path) -> str:
    rel = path.relative_to(source_root).with_suffix("")
    parts = list(rel.parts)
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def index_source(path: Path, name: str, relpath: str, text: str) -> SourceModule:
    module = SourceModule(name=name, path=relpath)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return module
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def visit(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                module.definitions.add(stmt.name)
            elif isinstance(stmt, ast.ClassDef):
                module.definitions.add(stmt.name)
                module.classes[stmt.name] = {
                    s.name
                    for s in stmt.body
                    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                }
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        module.definitions.add(target.id)
                        module.assigned.add(target.id)
            elif isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    if alias.asname:
                        module.imports[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        module.imports[top] = top
            elif isinstance(stmt, ast.ImportFrom):
                base = stmt.module or ""
                if stmt.level:
                    pkg_parts = package.split(".") if package else []
                    if stmt.level > 1:
                        pkg_parts = pkg_parts[: len(pkg_parts) - (stmt.level - 1)]
                    base = ".".join([*pkg_parts, base] if base else pkg_parts)
                for alias in stmt.names:
                    if alias.name == "*":
                        continue
                    module.imports[alias.asname or alias.name] = (
                        f"{base}.{alias.name}" if base else alias.name
                    )
            elif isinstance(stmt, ast.If):
                visit(stmt.body)
                visit(stmt.orelse)
            elif isinstance(stmt, ast.Try):
                visit(stmt.body)
                for handler in stmt.handlers:
                    visit(handler.body)
                visit(stmt.orelse)

    visit(tree.body)
    return module


def build_source_index(source_paths: list[Path], root: Path) -> SourceIndex:
    index = SourceIndex()
    for base in source_paths:
        if base.is_file():
            files = [base]
            source_root = base.parent
        else:
            files = sorted(base.rglob("*.py"))
            source_root = base.parent
        for path in files:
            if any(
                part in ("__pycache__", "tests", "test")
                for part in path.relative_to(source_root).parts[:-1]
            ):
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            name = module_name(path, source_root)
            if not name:
                continue
            try:
                rel = path.resolve().relative_to(root).as_posix()
            except ValueError:
                rel = path.as_posix()
            index.modules[name] = index_source(path, name, rel, text)
    return index


def is_boundary(qualified: str) -> bool:
    return qualified.split(".")[0] in BOUNDARY_MODULES
