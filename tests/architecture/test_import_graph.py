"""The layout shows the architecture: the API sits on top, stages below it, no import cycles."""

from __future__ import annotations

from import_graph import cycles, import_graph

# modules allowed to import the public API module / the command line
API_CLIENTS = {"auditor", "auditor.cli"}
CLI_CLIENTS = {"auditor.__main__"}


def test_only_the_package_root_and_the_cli_import_the_public_api() -> None:
    graph = import_graph()
    offenders = sorted(
        m for m, deps in graph.items() if "auditor.api" in deps and m not in API_CLIENTS
    )
    assert offenders == []


def test_only_main_imports_the_command_line() -> None:
    graph = import_graph()
    offenders = sorted(
        m for m, deps in graph.items() if "auditor.cli" in deps and m not in CLI_CLIENTS
    )
    assert offenders == []


def test_the_import_graph_has_no_cycle() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_sees_a_cycle() -> None:
    """The check above could pass vacuously if `cycles` never found anything."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_the_graph_reads_lazy_imports_inside_functions() -> None:
    graph = import_graph()
    # auditor.api imports the stage runners lazily by name, but the score module inside audit()
    assert "auditor.score" in graph["auditor.api"]
