"""Issue 12: every setting is validated before any stage runs (exit 2, a message naming the fix).

Each case runs the real CLI on a small project; a setting that was silently accepted before
(`select = ["TQ999"]` switched every rule off and the score rose to 100) must now stop the scan
before a stage writes anything.
"""

from __future__ import annotations

import pytest
from hardening_projects import make_project

from auditor import cli
from auditor.metric_registry import COMPONENTS


def _scan(tests, *args: str) -> int:
    return cli.main(["scan", str(tests), "--no-color", *args])


def _rejects(capsys, tests, *args: str, match: str) -> str:
    code = _scan(tests, *args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert match in err, err
    assert "Traceback" not in err
    assert not (tests.parent / ".auditor" / "coverage").exists()  # no stage ran
    return err


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ('select = ["TQ999"]', "select names 'TQ999', which matches no rule"),
        ('ignore = ["TQ9"]', "ignore names 'TQ9'"),
        ('extend-select = ["XX1"]', "extend-select names 'XX1'"),
        ('per-file-ignores = { "tests/*" = ["TQ77"] }', "names 'TQ77'"),
    ],
)
def test_case_unknown_rule_code_in_config(tmp_path, capsys, config, match):
    tests = make_project(tmp_path, config=f"[tool.auditor]\n{config}\n")
    err = _rejects(capsys, tests, match=match)
    assert "auditor rules" in err and "TQ1" in err  # names where the valid codes are


def test_case_unknown_rule_code_on_the_command_line(tmp_path, capsys):
    tests = make_project(tmp_path)
    _rejects(capsys, tests, "--select", "TQ999", match="'TQ999', which matches no rule")
    assert _scan(tests, "--only", "static", "--select", "TQ1", "-q") == 0  # a real prefix works


@pytest.mark.parametrize("key", ["assertion-helpers", "arid"])
def test_case_invalid_regex(tmp_path, capsys, key):
    tests = make_project(tmp_path, config=f'[tool.auditor]\n{key} = ["check_("]\n')
    _rejects(capsys, tests, match=f"{key} has an invalid regular expression 'check_('")


@pytest.mark.parametrize(
    ("table", "match"),
    [
        ("[tool.auditor.mutation]\nmax-mutants = -5", "max-mutants must be at least 0; got -5"),
        ("[tool.auditor.score]\nmutation = -1", "score weight 'mutation' must be at least 0"),
        (
            "[tool.auditor.score]\n" + "".join(f"{c.name} = 0\n" for c in COMPONENTS),
            "sets every weight to 0",
        ),
        ("[tool.auditor]\njobs = 0", "jobs must be at least 1; got 0"),
        ("[tool.auditor.thresholds]\nhigh = 50\nlow = 70", "high (50) is below low (70)"),
        ("[tool.auditor.thresholds]\nhigh = 150", "high must be at most 100"),
        ('[tool.auditor.mutation]\nprocess-isolation = "spawn"',
         "process-isolation must be one of 'fork', 'forkserver'; got 'spawn'"),
        ("[tool.auditor.witness]\nmax-examples = 0", "max-examples must be at least 1"),
        ("[tool.auditor.gate]\nerrors = nan", "errors must be a finite number"),
        ("[tool.auditor.gate]\nmutation_score = 150", "from 0 to 100; got 150"),
    ],
)
def test_case_out_of_range_setting(tmp_path, capsys, table, match):
    tests = make_project(tmp_path, config=table + "\n")
    _rejects(capsys, tests, match=match)


@pytest.mark.parametrize(
    ("flag", "match"),
    [
        (["--jobs", "-1"], "--jobs must be 1 or more; got -1"),
        (["--jobs", "0"], "--jobs must be 1 or more; got 0"),
        (["--fail-under", "errors=nan"], "must be a finite number; got nan"),
        (["--fail-under", "score=inf"], "must be a finite number; got inf"),
        (["--fail-under", "mutation_score=150"], "a percentage from 0 to 100; got 150"),
        (["--fail-under", "errors=-1"], "errors is a count, so the limit must be >= 0"),
    ],
)
def test_case_out_of_range_flag(tmp_path, capsys, flag, match):
    tests = make_project(tmp_path)
    with pytest.raises(SystemExit) as caught:  # argparse: usage error, exit 2
        _scan(tests, *flag)
    assert caught.value.code == 2
    assert match in capsys.readouterr().err


def test_a_valid_configuration_still_scans(tmp_path, capsys):
    tests = make_project(
        tmp_path,
        config='[tool.auditor]\nselect = ["TQ1"]\nassertion-helpers = ["^check_"]\n'
        "[tool.auditor.thresholds]\nhigh = 90\nlow = 50\n",
    )
    assert _scan(tests, "--only", "static", "-q", "--fail-under", "errors=0") == 0
