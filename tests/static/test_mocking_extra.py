"""2xx over-mocking rules beyond the per-rule examples: which patch calls count, SUT-module choice,
configurable thresholds, and severity escalation when a test both self-mocks and checks the double."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.config import parse_config
from auditor.pytest_config import PytestSettings
from auditor.static.context import analyze_source
from auditor.static.engine import build_options
from auditor.static.mocks import patch_api
from auditor.static.registry import all_rules
from auditor.static.rules.base import Example
from auditor.static.testing import findings_for, run_example

SRC = {
    "src/shop/__init__.py": "",
    "src/shop/orders.py": "def total(items):\n    return sum(items)\n\ndef place(items):\n"
    "    return total(items)\n",
    "src/shop/invoices.py": "def total(items):\n    return sum(items)\n",
}


@pytest.mark.parametrize(
    ("qualified", "api"),
    [
        ("unittest.mock.patch", "patch"),
        ("mock.patch.object", "patch.object"),
        ("pytest_mock.mocker.patch.multiple", "patch.multiple"),
        ("unittest.mock.patch.dict", "patch.dict"),
        ("pytest_mock.mocker.spy", "spy"),
        ("pytest.MonkeyPatch.setattr", "setattr"),
        ("pytest.MonkeyPatch.setenv", "env"),
        ("pytest.MonkeyPatch.syspath_prepend", "env"),
        ("unittest.mock.patch.stopall", None),
        ("unittest.mock.MagicMock", None),
        ("os.path.join", None),
    ],
)
def test_patch_api_classifies_replacements_and_setup(qualified: str, api: str | None) -> None:
    assert patch_api(qualified) == api


STACK = (
    "from unittest.mock import patch\n\n@patch('shop.a')\n@patch('shop.b')\n"
    "def test_many(b, a, mocker):\n    mocker.patch('shop.c')\n    assert a is not b\n"
)


def test_max_replacements_is_configurable() -> None:
    assert not findings_for(Example(STACK), "TQ202")
    strict = Example(STACK, config={"rules": {"TQ202": {"max-replacements": 2}}})
    found = findings_for(strict, "TQ202")
    assert [(f.line, f.severity) for f in found] == [(5, "warning")]
    assert "3 objects" in found[0].message


def test_boundary_weight_is_configurable() -> None:
    code = (
        "def test_io(mocker):\n    mocker.patch('os.getcwd')\n    mocker.patch('time.time')\n"
        "    mocker.patch('socket.socket')\n    mocker.patch('shutil.rmtree')\n    assert True\n"
    )
    assert not findings_for(Example(code), "TQ202")
    full = Example(code, config={"rules": {"TQ202": {"boundary-weight": 1.0}}})
    assert [f.line for f in findings_for(full, "TQ202")] == [1]


def test_sut_module_tie_break_by_test_file_name() -> None:
    """Both modules are imported once: `test_invoices.py` means `shop.invoices` is the unit."""
    code = (
        "from unittest.mock import patch\nfrom shop.orders import place\n"
        "from shop.invoices import total as invoice_total\n\n"
        "def test_x():\n    with patch('shop.invoices.total', return_value=1):\n"
        "        with patch('shop.orders.total', return_value=2):\n"
        "            assert place([1]) == 2 and invoice_total([1]) == 1\n"
    )
    found = findings_for(Example(code, files=SRC, path="tests/test_invoices.py"), "TQ201")
    assert [f.line for f in found] == [6]
    found = findings_for(Example(code, files=SRC, path="tests/test_orders.py"), "TQ201")
    assert [f.line for f in found] == [7]


def test_self_mock_that_also_checks_the_double_is_an_error() -> None:
    code = (
        "import shop.orders\n\ndef test_total(mocker):\n"
        "    m = mocker.patch('shop.orders.total', return_value=5)\n"
        "    assert shop.orders.total([1]) == m.return_value\n"
    )
    found = run_example(Example(code, files=SRC, path="tests/test_orders.py"))
    mine = sorted((f.rule, f.line, f.severity) for f in found if f.rule in ("TQ201", "TQ206"))
    assert mine == [("TQ201", 4, "error"), ("TQ206", 4, "error")]


def test_self_mock_alone_stays_below_error() -> None:
    code = (
        "from shop.orders import place\n\ndef test_place(mocker):\n"
        "    mocker.patch('shop.orders.total', return_value=5)\n    assert place([1]) == 5\n"
    )
    found = run_example(Example(code, files=SRC, path="tests/test_orders.py"))
    assert [(f.rule, f.severity) for f in found if f.rule[:3] == "TQ2"] == [("TQ201", "info")]


def test_decorator_mocks_map_to_parameters_bottom_up() -> None:
    """`@patch` decorators inject mocks bottom-first: `total_mock` is the mock of orders.total."""
    code = (
        "from unittest.mock import patch\nimport shop.orders\n\n"
        "@patch('shop.invoices.total')\n@patch('shop.orders.total')\n"
        "def test_args(total_mock, invoice_mock):\n"
        "    out = total_mock([1])\n    assert out == total_mock.return_value\n"
    )
    found = findings_for(Example(code, files=SRC, path="tests/test_billing.py"), "TQ206")
    assert [(f.line, "shop.orders.total" in f.message) for f in found] == [(5, True)]


def test_private_error_path_exemption_can_be_turned_off() -> None:
    src = {**SRC, "src/shop/orders.py": SRC["src/shop/orders.py"] + "\ndef _io():\n    pass\n"}
    code = (
        "import pytest\nfrom shop.orders import place\n\ndef test_err(mocker):\n"
        "    mocker.patch('shop.orders._io', side_effect=OSError)\n"
        "    with pytest.raises(OSError):\n        place([1])\n"
    )
    path = "tests/test_orders.py"
    assert not findings_for(Example(code, files=src, path=path), "TQ201")
    strict = {"rules": {"TQ201": {"allow-private-error-paths": False}}}
    assert [
        f.line for f in findings_for(Example(code, files=src, path=path, config=strict), "TQ201")
    ] == [5]


def patches_of(code: str) -> list[tuple[str, str, str, bool]]:
    """(api, target, origin, called_after) of the first test's recorded replacements."""
    options = build_options(PytestSettings(), parse_config({}))
    facts = analyze_source("tests/test_x.py", code, options, [cls() for cls in all_rules()])
    return [(p.api, p.target, p.origin, p.called_after) for p in facts.tests[0].patches]


def test_extraction_covers_every_replacement_form() -> None:
    code = (
        "import os\nimport pytest\nfrom contextlib import ExitStack\nfrom unittest import mock\n"
        "from shop import orders\n\n"
        "@mock.patch.object(orders, 'total')\nclass TestX:\n"
        "    @mock.patch('shop.orders.place', new=print)\n"
        "    def test_all(self, total, mocker, monkeypatch):\n"
        "        p = mock.patch('shop.a').start()\n"
        "        with ExitStack() as stack:\n"
        "            stack.enter_context(mock.patch.dict('shop.REG', {}))\n"
        "        with pytest.MonkeyPatch.context() as mp:\n"
        "            mp.setattr(orders, 'b', 1)\n"
        "        mocker.spy(orders, 'c')\n"
        "        monkeypatch.delattr('shop.orders.d')\n"
        "        monkeypatch.setenv('HOME', '/x')\n"
        "        monkeypatch.chdir('/')\n"
        "        with mock.patch.dict(os.environ, {'A': '1'}):\n"
        "            assert p\n"
    )
    assert patches_of(code) == [
        ("patch", "shop.orders.place", "decorator", False),
        ("patch.object", "shop.orders.total", "class-decorator", False),
        ("patch", "shop.a", "call", False),
        ("patch.dict", "shop.REG", "call", False),
        ("setattr", "shop.orders.b", "call", False),
        ("spy", "shop.orders.c", "call", False),
        ("delattr", "shop.orders.d", "call", False),
    ]


def test_called_after_needs_a_live_lookup_of_the_replaced_name() -> None:
    code = (
        "from unittest import mock\nimport shop.orders\nfrom shop.orders import total\n\n"
        "def test_calls():\n"
        "    with mock.patch('shop.orders.total') as m, mock.patch('shop.orders.place'):\n"
        "        total([1])\n        m().value = 1\n        shop.orders.place([1])\n"
    )
    assert [(target, called) for _, target, _, called in patches_of(code)] == [
        ("shop.orders.total", False),
        ("shop.orders.place", True),
    ]


def test_cli_reports_self_mocking_in_a_src_layout_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path
    files = {
        "pyproject.toml": "[project]\nname = 'shop'\n",
        **SRC,
        "tests/test_orders.py": (
            "from unittest import mock\nimport shop.orders\nfrom shop.orders import place\n\n"
            "def test_place():\n    with mock.patch('shop.orders.total', return_value=3):\n"
            "        assert place([1]) == 3\n\n"
            "def test_total_double(mocker):\n    m = mocker.patch('shop.orders.total')\n"
            "    assert shop.orders.total([1]) is m.return_value\n\n"
            "def test_real():\n    assert place([1, 2]) == 3\n"
        ),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    code = main(["scan", str(root / "tests"), "--only", "static", "--format", "json", "--no-cache"])
    assert code == 0
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert sorted(
        (f["rule"], f["line"], f["severity"]) for f in findings if f["rule"][:3] == "TQ2"
    ) == [
        ("TQ201", 6, "info"),
        ("TQ201", 10, "error"),
        ("TQ206", 10, "error"),
    ]
