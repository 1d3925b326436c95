"""3xx fixture rules beyond the per-rule examples: the fixture graph across a conftest hierarchy,
cross-file scope mismatches and shared state, and the CLI reporting them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.config import parse_config
from auditor.project import load_project
from auditor.static.engine import scan
from auditor.static.project_context import ProjectContext
from auditor.static.source_index import SourceIndex


def write(root: Path, files: dict[str, str]) -> None:
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")


def project_context(root: Path, files: dict[str, str]) -> ProjectContext:
    write(root, files)
    result = scan(load_project(root / "tests", config=parse_config({})), use_cache=False)
    return ProjectContext(result.facts, SourceIndex(), frozenset(), {})


HIERARCHY = {
    "tests/conftest.py": """
        import pytest
        pytest_plugins = ["tests.plugin_fixtures"]

        @pytest.fixture(scope="session")
        def db():
            return "root"

        @pytest.fixture(scope="session")
        def config():
            return {}
    """,
    "tests/plugin_fixtures.py": """
        import pytest

        @pytest.fixture(scope="module")
        def plug():
            return 1
    """,
    "tests/sub/conftest.py": """
        import pytest

        @pytest.fixture
        def db(db):
            return db + "/sub"
    """,
    "tests/sub/test_a.py": """
        import pytest

        @pytest.fixture(scope="module")
        def config():
            return {"local": True}

        class Base:
            @pytest.fixture
            def thing(self):
                return "base"

        class TestChild(Base):
            @pytest.fixture(scope="class")
            def config(self):
                return {"class": True}

            def test_all(self, thing, db, config, plug):
                assert thing == "base"

        def test_module(config):
            assert config
    """,
    "tests/test_b.py": "def test_db(db, config):\n    assert db == 'root'\n",
}


@pytest.fixture
def graph(tmp_path: Path) -> ProjectContext:
    return project_context(tmp_path, HIERARCHY)


def where(graph: ProjectContext, name: str, path: str, cls: str | None = None) -> tuple[str, str]:
    resolved = graph.resolve_fixture(name, path, cls)
    assert resolved is not None, name
    assert resolved.fact is not None, name
    return resolved.fact.path, resolved.fact.scope


def test_nearest_conftest_wins(graph: ProjectContext) -> None:
    assert where(graph, "db", "tests/sub/test_a.py") == ("tests/sub/conftest.py", "function")
    assert where(graph, "db", "tests/test_b.py") == ("tests/conftest.py", "session")


def test_module_and_class_definitions_override_conftest(graph: ProjectContext) -> None:
    assert where(graph, "config", "tests/test_b.py") == ("tests/conftest.py", "session")
    assert where(graph, "config", "tests/sub/test_a.py") == ("tests/sub/test_a.py", "module")
    assert where(graph, "config", "tests/sub/test_a.py", "TestChild") == (
        "tests/sub/test_a.py",
        "class",
    )


def test_fixture_inherited_from_a_base_class_is_visible(graph: ProjectContext) -> None:
    resolved = graph.resolve_fixture("thing", "tests/sub/test_a.py", "TestChild")
    assert resolved is not None and resolved.fact is not None
    assert resolved.fact.cls == "Base"
    assert graph.resolve_fixture("thing", "tests/sub/test_a.py") is None


def test_self_request_resolves_to_the_outer_definition(graph: ProjectContext) -> None:
    inner = graph.resolve_fixture("db", "tests/sub/conftest.py")
    assert inner is not None and inner.fact is not None
    outer = graph.resolve_fixture("db", "tests/sub/conftest.py", skip=inner.fact)
    assert outer is not None and outer.fact is not None
    assert (outer.fact.path, outer.scope) == ("tests/conftest.py", "session")


def test_plugins_then_builtins(graph: ProjectContext) -> None:
    assert where(graph, "plug", "tests/test_b.py") == ("tests/plugin_fixtures.py", "module")
    builtin = graph.resolve_fixture("tmp_path_factory", "tests/test_b.py")
    assert builtin is not None and (builtin.scope, builtin.fact) == ("session", None)
    assert graph.resolve_fixture("nope", "tests/test_b.py") is None


def run_cli(root: Path, files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> list[dict]:
    write(root, files)
    code = main(["scan", str(root / "tests"), "--only", "static", "--format", "json", "--no-cache"])
    assert code == 0
    return [f for f in json.loads(capsys.readouterr().out)["findings"] if f["rule"][:3] == "TQ3"]


def test_cli_reports_scope_mismatch_across_conftests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = run_cli(
        tmp_path,
        {
            "tests/conftest.py": """
                import pytest

                @pytest.fixture
                def conn():
                    return object()
            """,
            "tests/api/conftest.py": """
                import pytest

                @pytest.fixture(scope="module")
                def client(conn):
                    return conn
            """,
            "tests/api/test_api.py": "def test_get(client):\n    assert client\n",
        },
        capsys,
    )
    assert [(f["rule"], f["path"], f["line"], f["severity"]) for f in found] == [
        ("TQ301", "tests/api/conftest.py", 5, "error")
    ]
    assert "tests/conftest.py:5" in found[0]["message"]


def test_shared_state_mutated_by_a_consumer_fixture_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = run_cli(
        tmp_path,
        {
            "tests/conftest.py": """
                import pytest

                @pytest.fixture(scope="session")
                def registry():
                    return {}
            """,
            "tests/unit/test_reg.py": """
                import pytest

                @pytest.fixture
                def with_user(registry):
                    registry["user"] = 1
                    return registry

                def test_reads(registry):
                    assert "user" not in registry

                def test_user(with_user):
                    assert with_user["user"] == 1
            """,
        },
        capsys,
    )
    assert [(f["rule"], f["path"], f["line"]) for f in found] == [
        ("TQ302", "tests/unit/test_reg.py", 6)
    ]


def test_env_cleanup_only_counts_where_the_autouse_fixture_is_visible(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cleaner = """
        import os
        import pytest

        @pytest.fixture(autouse=True)
        def clean_environ():
            saved = os.environ.copy()
            yield
            os.environ.clear()
            os.environ.update(saved)
    """
    test = "import os\n\ndef test_env():\n    os.environ['X'] = '1'\n    assert os.environ['X']\n"
    found = run_cli(
        tmp_path,
        {
            "tests/cleaned/conftest.py": cleaner,
            "tests/cleaned/test_ok.py": test,
            "tests/other/test_leak.py": test,
        },
        capsys,
    )
    assert [(f["rule"], f["path"], f["line"], f["severity"]) for f in found] == [
        ("TQ309", "tests/other/test_leak.py", 4, "warning")
    ]
