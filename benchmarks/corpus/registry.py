"""The corpus: real PyPI projects, pinned by version and sdist sha256, with the traits each has.

Every trait listed for a project was read from its sdist (its pytest configuration, conftest files
and test modules); `python -m benchmarks.corpus list --verify` re-derives them with
`traits.detect` and prints any difference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# trait -> what it means (the kinds of real configuration the issues name)
TRAITS: dict[str, str] = {
    "pytest-cov-addopts": "pytest-cov options (--cov, -p pytest_cov) in addopts",
    "cov-fail-under": "--cov-fail-under in addopts",
    "xdist-addopts": "pytest-xdist (-n / --numprocesses / --dist) in addopts",
    "randomly": "pytest-randomly installed with the test requirements (shuffles order)",
    "tests-in-package": "test modules live inside the import package",
    "src-layout": "the import package is under src/",
    "single-module-tests": "one test module at the project root, no tests directory",
    "subprocess-cli": "a test runs the code through subprocess [sys.executable, '-m', ...]",
    "importorskip": "pytest.importorskip in a test module",
    "importorskip-module": "pytest.importorskip at module level (skips the whole file)",
    "collect-ignore": "collect_ignore / collect_ignore_glob in a conftest.py",
    "norecursedirs": "norecursedirs in the pytest configuration",
    "ignore-addopts": "--ignore / --ignore-glob in addopts",
    "testpaths-glob": "a glob in testpaths",
    "python-files": "python_files set (non-default test module names)",
    "native-tool-pytest": "pytest 9's native [tool.pytest] table in pyproject.toml",
    "doctest-modules": "--doctest-modules in addopts (doctests in the package are tests)",
    "unittest-testcase": "tests written as unittest.TestCase classes",
    "filterwarnings-error": "filterwarnings = error (or -W error) turns warnings into failures",
    "import-mode-importlib": "--import-mode=importlib in addopts",
    "asyncio": "pytest-asyncio (asyncio_mode or --asyncio-mode) configured",
    "hypothesis": "tests use Hypothesis",
    "vendored-code": "third-party code vendored inside the package",
    "config-pytest-ini": "pytest configuration in pytest.ini",
    "config-tox-ini": "pytest configuration in tox.ini [pytest]",
    "config-setup-cfg": "pytest configuration in setup.cfg [tool:pytest]",
    "config-pyproject": "pytest configuration in pyproject.toml",
    "no-pytest-config": "no pytest configuration file at all",
}


@dataclass(frozen=True)
class Project:
    """One pinned real project.

    `package` is the import package (dotted); `coverage_source` what `coverage run --source=`
    gets (default: `package`); `tests` what a user passes to `auditor scan` ("" = auditor's
    default); `test_requires` the pip requirements its suite needs beyond the project itself;
    `neutralise` extra pytest arguments for the coverage oracle that switch off plugins which
    conflict with measuring (each with its reason in `neutralise_why`); `heavy` projects get no
    mutation run by default.
    """

    name: str
    version: str
    sha256: str
    package: str
    tests: str
    test_requires: tuple[str, ...]
    traits: frozenset[str]
    coverage_source: str = ""
    neutralise: tuple[str, ...] = ()
    neutralise_why: str = ""
    heavy: bool = False
    notes: str = ""
    extras: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        """`name-version`, the project's directory name in the cache."""
        return f"{self.name}-{self.version}"

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"

    @property
    def sdist_stem(self) -> str:
        """The normalised file stem pip gives the sdist (PEP 625): `python_slugify-9.2.0`."""
        return f"{re.sub(r'[-_.]+', '_', self.name).lower()}-{self.version}"

    @property
    def source(self) -> str:
        return self.coverage_source or self.package


def _p(
    name: str,
    version: str,
    sha256: str,
    package: str,
    tests: str,
    requires: str,
    traits: str,
    **kw: object,
) -> Project:
    return Project(
        name,
        version,
        sha256,
        package,
        tests,
        tuple(requires.split()),
        frozenset(traits.split()),
        **kw,
    )  # type: ignore[arg-type]


NO_COV = ("--no-cov",)
NO_COV_WHY = "pytest-cov in addopts would measure (and fail-under) inside our coverage run"

PROJECTS: tuple[Project, ...] = (
    _p(
        "iso8601",
        "2.1.0",
        "6b1d3829ee8921c4301998c909f7829fa9ed3cbdac0d3b16af2d743aed1ba8df",
        "iso8601",
        "iso8601",
        "pytest hypothesis pytz",
        "tests-in-package hypothesis no-pytest-config",
        notes="the only test module is iso8601/test_iso8601.py",
    ),
    _p(
        "cachetools",
        "8.0.2",
        "30ac523adfc118b51d2b2e7bad8a0ddb31370dfe2700c7f10ca224f36ccf81e0",
        "cachetools",
        "tests",
        "pytest",
        "src-layout unittest-testcase no-pytest-config",
        notes="Cache.__delitem__ -> return None makes a test loop forever (issue 10 item 7)",
    ),
    _p(
        "parse",
        "1.22.4",
        "706d458feed5a81b02768d3156e8070baf6cee7d150a3a3c0cd43101a875c3b5",
        "parse",
        "tests",
        "pytest pytest-cov",
        "pytest-cov-addopts doctest-modules config-pyproject",
        neutralise=NO_COV,
        neutralise_why=NO_COV_WHY,
        notes="addopts: --cov=parse --cov-report=term-missing --cov-append --cov-branch "
        "--doctest-modules --doctest-glob=README.rst (no fail-under)",
    ),
    _p(
        "isodate",
        "0.7.2",
        "4cd1aa0f43ca76f4a6c6c0292a85f40b35ec2e43e315b59f06e6d32171a953e6",
        "isodate",
        "tests",
        "pytest",
        "src-layout filterwarnings-error config-pyproject",
    ),
    _p(
        "schema",
        "0.7.8",
        "e86cc08edd6fe6e2522648f4e47e3a31920a76e82cce8937535422e310862ab5",
        "schema",
        "test_schema.py",
        "pytest mock",
        "single-module-tests no-pytest-config",
    ),
    _p(
        "python-slugify",
        "9.2.0",
        "cee32948083476013804de1667724fb1362dacb71e47b1d5d92adf8db6ee3298",
        "slugify",
        "tests",
        "pytest",
        "subprocess-cli unittest-testcase filterwarnings-error config-pyproject",
    ),
    _p(
        "humanize",
        "4.17.0",
        "1d6a36c453dbfbb3f0b34601d2e0b4ce5d48d780305cd45714843f0068fde6ac",
        "humanize",
        "tests",
        "pytest>=9 freezegun pytest-benchmark",
        "src-layout native-tool-pytest doctest-modules filterwarnings-error config-pyproject",
        neutralise=("--benchmark-disable",),
        neutralise_why="pytest-benchmark repeats benchmarked calls many times under the tracer",
        notes="testpaths = [src, tests]: doctests of src/humanize are tests",
    ),
    _p(
        "arrow",
        "1.4.0",
        "ed0cc050e98001b8779e84d461b0098c4ac597e88704a655582b21d116e526d7",
        "arrow",
        "tests",
        "pytest pytest-cov pytest-mock pytz==2025.2 simplejson dateparser==1.*",
        "pytest-cov-addopts cov-fail-under importorskip config-tox-ini",
        neutralise=NO_COV,
        neutralise_why=NO_COV_WHY,
        notes="tox.ini addopts: --cov-branch --cov=arrow --cov-fail-under=99 --junitxml=junit.xml",
    ),
    _p(
        "aiosignal",
        "1.4.0",
        "f47eecd9468083c2029cc99945502cb7708b082c232f9aca65da147157b251c7",
        "aiosignal",
        "tests",
        "pytest pytest-cov pytest-asyncio",
        "pytest-cov-addopts doctest-modules norecursedirs filterwarnings-error asyncio "
        "config-pytest-ini",
        neutralise=NO_COV,
        neutralise_why=NO_COV_WHY,
        notes="pytest.ini addopts: -p pytest_cov --cov --cov-context=test; xdist commented out",
    ),
    _p(
        "voluptuous",
        "0.16.0",
        "006535e22fed944aec17bef6e8725472476194743c87bd233e912eb463f8ff05",
        "voluptuous",
        "voluptuous/tests",
        "pytest",
        "tests-in-package python-files config-pyproject",
        notes="python_files = tests.py; testpaths = voluptuous/tests",
    ),
    _p(
        "python-dateutil",
        "4.0.0",
        "d7295ff14fdc0f92f662100bfb6c551d160ca090f2939f1ec5b9794265c03f06",
        "dateutil",
        "tests",
        "pytest pytest-cov hypothesis freezegun attrs",
        "src-layout python-files filterwarnings-error unittest-testcase hypothesis importorskip "
        "config-pyproject",
        notes="python_files = [test_*.py, *_test.py, *_solution.py]; tests/conftest.py marks "
        "items with pytest.mark.no_cover, which only pytest-cov registers (filterwarnings = "
        "error makes an unknown mark an INTERNALERROR)",
    ),
    _p(
        "tqdm",
        "4.70.1",
        "cefd0eca11b2a37a3aee776544d4f4ae913f02688135b5556b8788dfa474afc4",
        "tqdm",
        "tests",
        "pytest pytest-timeout pytest-asyncio",
        "python-files importorskip importorskip-module filterwarnings-error asyncio "
        "config-pyproject",
        notes="python_files = tests_*.py; numpy/pandas not installed, so tests_pandas.py is "
        "skipped whole by a module-level importorskip",
    ),
    _p(
        "sqlparse",
        "0.6.1",
        "ca722573f848ff2d30e40ea30f53a104b7dea7635ea9285891263eb2c58fb6e7",
        "sqlparse",
        "tests",
        "pytest",
        "subprocess-cli no-pytest-config",
        notes="tests/test_cli.py runs [sys.executable, '-m', 'sqlparse.cli', '--help']",
    ),
    _p(
        "marshmallow",
        "4.4.0",
        "9e6ffa8511012ca89732324c1c253efd7b4d35632dcbdf80aa793fe01804af3e",
        "marshmallow",
        "tests",
        "pytest simplejson",
        "src-layout norecursedirs config-pyproject",
        notes="norecursedirs includes tests/mypy_test_cases",
    ),
    _p(
        "more-itertools",
        "11.2.1",
        "cbf08fd0af284dc69718b9b76a8e6203df624d70209ea511e4219d350c856f63",
        "more_itertools",
        "tests",
        "pytest",
        "unittest-testcase no-pytest-config",
    ),
    _p(
        "pluggy",
        "1.7.0",
        "d1eaa46ebb595891b860ab086b4d09c8588af65ebd4361b8e8f4bb8920b90ba8",
        "pluggy",
        "testing",
        "pytest pytest-benchmark",
        "src-layout filterwarnings-error config-tox-ini",
        neutralise=("--benchmark-disable",),
        neutralise_why="pytest-benchmark repeats benchmarked calls many times under the tracer",
        notes="tox.ini [pytest] testpaths = testing",
    ),
    _p(
        "Jinja2",
        "3.1.6",
        "0137fb05990d35f1275a587e9aee6d56da821fc83491a0fb838183be43f66d6d",
        "jinja2",
        "tests",
        "pytest trio",
        "src-layout filterwarnings-error config-pyproject",
    ),
    _p(
        "structlog",
        "26.1.0",
        "f63a716cbd1b1291cf7661de7794b455acfa4c43c5bcf1630e6ad5ddc1adb3b7",
        "structlog",
        "tests",
        "pytest pytest-asyncio pytest-randomly simplejson time-machine",
        "src-layout randomly import-mode-importlib asyncio config-pyproject",
        neutralise=("-p", "no:randomly"),
        neutralise_why="pytest-randomly shuffles and reseeds: runs would not be comparable",
    ),
    _p(
        "poetry",
        "2.5.1",
        "19fbd566efced512be58989a756aa1333cdc9b6aabb4fc84fd1ec9d29ee74874",
        "poetry",
        "tests",
        "pytest>=9 pytest-xdist[psutil] pytest-mock pytest-randomly pytest-cov responses "
        "jaraco-classes dulwich coverage",
        "src-layout native-tool-pytest xdist-addopts randomly config-pyproject",
        coverage_source="src/poetry",
        neutralise=("-n", "0", "-p", "no:randomly"),
        neutralise_why="xdist workers run outside coverage run's tracer; randomly reorders",
        heavy=True,
        notes="[tool.pytest] addopts = ['-n', 'logical', '-ra']; shares the poetry namespace "
        "with poetry-core (measured by directory)",
    ),
    _p(
        "cattrs",
        "26.2.1",
        "679132bfdc225c5ee40c024fc42519954767c387f950dc6751946c586bccdc6d",
        "cattrs",
        "tests",
        "pytest hypothesis pytest-benchmark immutables ujson orjson msgpack PyYAML tomlkit cbor2 "
        "pymongo msgspec tomli-w",
        "src-layout native-tool-pytest collect-ignore hypothesis config-pyproject",
        neutralise=("--benchmark-disable",),
        neutralise_why="pytest-benchmark repeats benchmarked calls many times under the tracer",
        heavy=True,
        notes="conftest.py: collect_ignore_glob by Python version",
    ),
    _p(
        "black",
        "26.10.1",
        "5f9f83beae62437e060dafd53d7f1fc327e3d3494f74d72ee5c2b73eb90fc4e7",
        "black",
        "tests",
        "pytest<9 aiohttp",
        "src-layout importorskip importorskip-module subprocess-cli filterwarnings-error "
        "config-pyproject",
        heavy=True,
        notes="pytest<9: its tests/optional.py plugin reads config.inicfg, deprecated in pytest 9 "
        "(an error under filterwarnings = error). "
        "tests/data/**/*.py are formatter inputs, not test modules; IPython not installed "
        "so tests/test_ipynb.py is skipped whole",
    ),
    _p(
        "poetry-core",
        "2.5.0",
        "81d04c9253b19d0604718268d781867c8f7b2128e5b25bbf1e84141eec6b89c4",
        "poetry.core",
        "tests",
        "pytest>=9 pytest-mock build setuptools tomli-w virtualenv trove-classifiers",
        "src-layout native-tool-pytest vendored-code config-pyproject",
        coverage_source="src/poetry/core",
        heavy=True,
        notes="[tool.pytest] strict = true; src/poetry/core/_vendor holds vendored libraries",
    ),
)

BY_NAME: dict[str, Project] = {p.name.lower(): p for p in PROJECTS}


def get(name: str) -> Project:
    """The project called `name` (case-insensitive PyPI name); KeyError names the valid ones."""
    try:
        return BY_NAME[name.lower()]
    except KeyError:
        raise KeyError(f"unknown project {name!r}; known: {', '.join(sorted(BY_NAME))}") from None


def select(names: list[str] | str) -> list[Project]:
    """`"all"`, `"light"` (not heavy) or a list of names -> projects, in registry order."""
    if names in ("all", ["all"]):
        return list(PROJECTS)
    if names in ("light", ["light"]):
        return [p for p in PROJECTS if not p.heavy]
    wanted = [names] if isinstance(names, str) else names
    return [get(n) for n in wanted]
