"""Counts by outcome, shared by the summary, the module rows and the patch metrics."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FindingCounts:
    """Static findings by severity."""

    error: int = 0
    warning: int = 0
    info: int = 0

    @property
    def total(self) -> int:
        """All findings, whatever their severity."""
        return self.error + self.warning + self.info


@dataclass
class MutantCounts:
    """Mutants by status, plus Stryker's `detected` (killed + timeout) and `valid` (detected +
    survived + no_coverage). `equivalent`: survivors left out of the score as likely equivalent
    (`exclude-likely-equivalent`); `likely_equivalent`: all mutants the witness search marked so."""

    killed: int = 0
    survived: int = 0
    timeout: int = 0
    no_coverage: int = 0
    skipped: int = 0
    error: int = 0
    pending: int = 0
    equivalent: int = 0
    likely_equivalent: int = 0
    total: int = 0
    detected: int = 0
    valid: int = 0


@dataclass
class PseudoCounts:
    """Pseudo-tested check over covered functions: `checked` = `pseudo_tested` + `tested`."""

    pseudo_tested: int = 0
    tested: int = 0
    checked: int = 0
