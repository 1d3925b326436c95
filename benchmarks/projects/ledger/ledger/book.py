"""A small double-entry ledger (benchmark fixture: about a hundred mutants)."""

from dataclasses import dataclass, field


class LedgerError(Exception):
    pass


@dataclass
class Account:
    name: str
    kind: str = "asset"
    entries: list = field(default_factory=list)

    def balance(self):
        total = 0
        for amount in self.entries:
            total += amount
        return -total if self.kind in ("liability", "income") else total

    def post(self, amount):
        if amount == 0:
            raise LedgerError("zero amount")
        self.entries.append(amount)
        return len(self.entries)


class Ledger:
    def __init__(self):
        self.accounts = {}
        self.journal = []

    def open(self, name, kind="asset"):
        if name in self.accounts:
            raise LedgerError(f"{name} exists")
        if kind not in ("asset", "liability", "income", "expense"):
            raise LedgerError(f"bad kind {kind}")
        self.accounts[name] = Account(name, kind)
        return self.accounts[name]

    def transfer(self, source, target, amount, memo=""):
        if amount <= 0:
            raise LedgerError("amount must be positive")
        if source == target:
            raise LedgerError("same account")
        self.accounts[source].post(-amount)
        self.accounts[target].post(amount)
        self.journal.append((source, target, amount, memo))
        return len(self.journal)

    def balances(self):
        return {name: acc.balance() for name, acc in sorted(self.accounts.items())}

    def trial_balance(self):
        debit = sum(a for acc in self.accounts.values() for a in acc.entries if a > 0)
        credit = -sum(a for acc in self.accounts.values() for a in acc.entries if a < 0)
        return debit, credit, debit == credit

    def report(self, width=20):
        lines = []
        for name, amount in self.balances().items():
            lines.append(f"{name:<{width}}{amount:>10.2f}")
        lines.append("-" * (width + 10))
        total = sum(self.balances().values())
        lines.append(f"{'total':<{width}}{total:>10.2f}")
        return "\n".join(lines)

    def largest(self, count=1):
        ranked = sorted(self.journal, key=lambda row: row[2], reverse=True)
        return ranked[:count]

    def memo_search(self, word):
        word = word.lower()
        return [row for row in self.journal if word in row[3].lower()]
