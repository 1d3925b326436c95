import pytest
from ledger.book import Account, Ledger, LedgerError


@pytest.fixture
def book():
    ledger = Ledger()
    ledger.open("cash")
    ledger.open("loan", "liability")
    ledger.open("sales", "income")
    return ledger


def test_open_twice(book):
    with pytest.raises(LedgerError):
        book.open("cash")


def test_open_bad_kind(book):
    with pytest.raises(LedgerError):
        book.open("x", "weird")


def test_transfer_moves_money(book):
    book.transfer("sales", "cash", 100)
    assert book.balances() == {"cash": 100, "loan": 0, "sales": 100}


def test_transfer_returns_journal_size(book):
    assert book.transfer("sales", "cash", 5) == 1
    assert book.transfer("loan", "cash", 5) == 2


def test_transfer_rejects_non_positive(book):
    with pytest.raises(LedgerError):
        book.transfer("sales", "cash", 0)


def test_transfer_rejects_same_account(book):
    with pytest.raises(LedgerError):
        book.transfer("cash", "cash", 1)


def test_trial_balance(book):
    book.transfer("sales", "cash", 30)
    assert book.trial_balance() == (30, 30, True)


def test_report(book):
    book.transfer("sales", "cash", 12.5)
    text = book.report(width=8)
    assert text.splitlines()[0] == "cash         12.50"
    assert text.splitlines()[-1].startswith("total")


def test_largest(book):
    book.transfer("sales", "cash", 1)
    book.transfer("sales", "cash", 9)
    assert book.largest() == [("sales", "cash", 9, "")]


def test_memo_search(book):
    book.transfer("sales", "cash", 1, memo="Coffee beans")
    book.transfer("sales", "cash", 2, memo="tea")
    assert [row[2] for row in book.memo_search("COFFEE")] == [1]


def test_account_post_zero():
    with pytest.raises(LedgerError):
        Account("a").post(0)


def test_account_post_counts():
    acc = Account("a")
    assert acc.post(3) == 1
    assert acc.balance() == 3
