"""Issue 12, output escaping per medium: terminal, JUnit XML, rich markup in messages."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hardening_projects import auditor, make_project

from auditor import cli
from auditor.errors import StageFailed
from auditor.textsafe import printable, xml_text

ESC_TESTS = (
    "from calc import add\n\n\n"
    "def test_add():\n"
    '    add(2, 3) == "\x1b[2J\x1b[31mred\x07"\n'
)


def test_case_terminal_output_shows_escape_sequences_from_test_source(tmp_path):
    make_project(tmp_path, tests=ESC_TESTS)
    for flags in ([], ["--no-color"]):
        done = auditor("scan", "tests", "--only", "static", *flags, cwd=tmp_path)  # piped
        assert done.returncode == 0, done.stderr
        assert "TQ112" in done.stdout
        assert "\x1b" not in done.stdout and "\x07" not in done.stdout
        assert "\\x1b[31mred" in done.stdout  # shown, not obeyed


def test_case_junit_xml_stays_well_formed_with_raw_esc(tmp_path):
    make_project(tmp_path, tests=ESC_TESTS)
    junit = tmp_path / "junit.xml"
    done = auditor("scan", "tests", "--only", "static", "-q", "--junit", str(junit), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    root = ET.parse(junit).getroot()  # raises on an ill-formed document
    messages = [f.get("message") or "" for f in root.iter("failure")]
    assert any("\\x1b[31mred" in m for m in messages)


def test_case_rich_markup_in_error_messages_is_printed_literally(tmp_path, capsys, monkeypatch):
    tests = make_project(tmp_path)

    def failing_stage(project, options, card):
        raise StageFailed("set `source = [...]` under [tool.auditor]; mutmut read [mutmut].")

    monkeypatch.setattr("auditor.static.stage.run", failing_stage)
    code = cli.main(["scan", str(tests), "--only", "static", "-q"])
    err = capsys.readouterr().err
    assert code == 3
    assert "set `source = [...]` under [tool.auditor]; mutmut read [mutmut]." in err


def test_escape_functions_keep_ordinary_text():
    text = "ünïcode, tabs\tand\nnewlines <&>"
    assert printable(text) == text
    assert xml_text(text) == text
    assert printable("\x1b\x9b\x00") == "\\x1b\\x9b\\x00"
    assert xml_text("\x1b\ufffe") == "\\x1b\\ufffe"
