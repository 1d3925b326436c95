"""Parse pytest command-line tokens (`addopts`, `PYTEST_ADDOPTS`, our own args) without pytest.

pytest parses its arguments with argparse (`allow_abbrev=False`): `--name value`, `--name=value`,
`-kEXPR`, combined short flags (`-vx`, `-rA`). To split `addopts = -p xdist -n 4 tests` correctly we
must know which options take a value; `VALUE_OPTIONS` lists pytest's own (checked against the
installed pytest's parser in `tests/static/test_pytest_cmdline.py`) and those of common plugins.
An unknown option is taken to be a flag, as argparse's `parse_known_args` leaves it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

#: pytest's own options that take one value (pytest 8.x-9.x), by every spelling.
PYTEST_VALUE_OPTIONS = frozenset(
    {
        "-k", "-m", "--maxfail", "-W", "--pythonwarnings", "--max-warnings", "--ignore",
        "--ignore-glob", "--deselect", "--confcutdir", "--import-mode", "-c", "--config-file",
        "--rootdir", "--basetemp", "--durations", "--durations-min", "-p", "-o",
        "--override-ini", "--verbosity", "-r", "--report-chars", "--tb", "--show-capture",
        "--color", "--code-highlight", "--pdbcls", "--capture", "--pastebin", "--assert",
        "--junitxml", "--junit-xml", "--junitprefix", "--junit-prefix", "--doctest-report",
        "--doctest-glob", "--lfnf", "--last-failed-no-failures", "--log-level", "--log-format",
        "--log-date-format", "--log-cli-level", "--log-cli-format", "--log-cli-date-format",
        "--log-file", "--log-file-mode", "--log-file-level", "--log-file-format",
        "--log-file-date-format", "--log-auto-indent", "--log-disable", "--inifile",
    }
)  # fmt: skip

#: pytest's options whose value is optional (argparse `nargs="?"`).
PYTEST_OPTIONAL_VALUE = frozenset({"--debug", "--cache-show"})

#: Common plugins' options that take a value (an unknown option would otherwise look like a flag
#: and its value like a test path).
PLUGIN_VALUE_OPTIONS = frozenset(
    {
        "-n", "--numprocesses", "--dist", "--maxprocesses", "--max-worker-restart", "--tx",
        "--rsyncdir", "--rsyncignore", "--cov-report", "--cov-config", "--cov-fail-under",
        "--cov-context", "--timeout", "--timeout-method", "--timeout_method",
        "--session-timeout", "--reruns", "--reruns-delay", "--only-rerun", "--rerun-except",
        "--randomly-seed", "--random-order-bucket", "--random-order-seed", "--asyncio-mode",
        "--ds", "--dc", "--hypothesis-profile", "--hypothesis-seed", "--hypothesis-verbosity",
        "--html", "--css", "--json-report-file", "--alluredir", "--count", "--repeat-scope",
        "--splits", "--group", "--splitting-algorithm", "--durations-path", "--mpl-baseline-path",
        "--mpl-results-path", "--benchmark-min-time", "--benchmark-max-time",
        "--benchmark-min-rounds", "--benchmark-timer", "--benchmark-calibration-precision",
        "--benchmark-sort", "--benchmark-group-by", "--benchmark-columns", "--benchmark-name",
        "--benchmark-save", "--benchmark-storage", "--benchmark-cprofile", "--benchmark-histogram",
        "--benchmark-json", "--benchmark-compare-fail", "--snapshot-update-dir", "--env",
        "--envfile", "--django-settings", "--reuse-db-suffix", "--mypy-ini-file", "--forked-count",
        "--doctest-plus-atol", "--doctest-plus-rtol", "--remote-data", "--anyio-backend",
        "--blockage-host-whitelist", "--allowed-hosts", "--csv", "--csv-columns",
    }
)  # fmt: skip

#: Plugins' options whose value is optional (`--cov` alone, or `--cov src`).
PLUGIN_OPTIONAL_VALUE = frozenset(
    {"--cov", "--benchmark-warmup", "--benchmark-compare", "--benchmark-autosave-dir"}
)

VALUE_OPTIONS = PYTEST_VALUE_OPTIONS | PLUGIN_VALUE_OPTIONS
OPTIONAL_VALUE = PYTEST_OPTIONAL_VALUE | PLUGIN_OPTIONAL_VALUE


@dataclass
class CommandLine:
    """The parsed tokens: `options` maps each long (or short) spelling used to its values in order;
    `flags` are options without a value; `args` are the positional file_or_dir arguments."""

    options: dict[str, list[str]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    args: list[str] = field(default_factory=list)

    def values(self, *names: str) -> list[str]:
        """Every value given to any of `names` (e.g. `"-p"`), in command-line order."""
        return [v for name in names for v in self.options.get(name, [])]

    def last(self, *names: str) -> str | None:
        """The value that wins for a store option (argparse keeps the last one)."""
        found: str | None = None
        for name, values in self.options.items():
            if name in names and values:
                found = values[-1]
        return found

    def has_flag(self, *names: str) -> bool:
        """Whether any of the flag spellings was given."""
        return any(f in names for f in self.flags)


def parse_command_line(tokens: Sequence[str]) -> CommandLine:
    """Split pytest arguments into options, flags and positional args, like pytest's argparse.

    `--` ends the options: everything after it is positional. Never raises; a value option at the
    end with no value is dropped (pytest itself would stop with a usage error).
    """
    out = CommandLine()
    items = list(tokens)
    index = 0
    while index < len(items):
        token = items[index]
        index += 1
        if token == "--":
            out.args.extend(items[index:])
            break
        if not token.startswith("-") or token == "-":
            out.args.append(token)
            continue
        if token.startswith("--"):
            name, eq, value = token.partition("=")
            if eq:
                out.options.setdefault(name, []).append(value)
            elif name in VALUE_OPTIONS:
                if index < len(items):
                    out.options.setdefault(name, []).append(items[index])
                    index += 1
            elif name in OPTIONAL_VALUE:
                if index < len(items) and not items[index].startswith("-"):
                    out.options.setdefault(name, []).append(items[index])
                    index += 1
                else:
                    out.options.setdefault(name, []).append("")
            else:
                out.flags.append(name)
            continue
        # short options: "-k", "-kEXPR", "-vx", "-rA", "-pno:cacheprovider"
        position = 1
        while position < len(token):
            name = "-" + token[position]
            position += 1
            if name in VALUE_OPTIONS:
                rest = token[position:]
                if rest.startswith("="):
                    rest = rest[1:]
                if rest:
                    out.options.setdefault(name, []).append(rest)
                elif index < len(items):
                    out.options.setdefault(name, []).append(items[index])
                    index += 1
                break
            out.flags.append(name)
    return out
