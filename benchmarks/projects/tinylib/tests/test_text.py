import pytest
from tinylib.text import (
    chunks,
    clamp,
    count_words,
    initials,
    is_palindrome,
    mean,
    pad_number,
    percent,
    slug,
    truncate,
)


def test_clamp_inside():
    assert clamp(5) == 5


def test_clamp_low():
    assert clamp(-3) == 0


def test_clamp_high():
    assert clamp(30) == 10


def test_chunks():
    assert chunks([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]


def test_chunks_rejects_zero():
    with pytest.raises(ValueError):
        chunks([1], 0)


def test_slug():
    assert slug("Hello, World!") == "hello-world"


def test_slug_separator():
    assert slug("a b", sep="_") == "a_b"


def test_initials():
    assert initials("ada  lovelace") == "AL"


def test_mean():
    assert mean([1, 2, 3]) == 2


def test_mean_empty():
    assert mean([]) == 0.0


def test_percent():
    assert percent(1, 3) == 33.3


def test_percent_of_zero():
    assert percent(1, 0) == 0.0


def test_truncate_short():
    assert truncate("abc", 5) == "abc"


def test_truncate_long():
    assert truncate("abcdefgh", 6) == "abc..."


def test_palindrome():
    assert is_palindrome("A man, a plan, a canal: Panama")


def test_not_palindrome():
    assert not is_palindrome("abc")


def test_count_words():
    assert count_words("a b a") == {"a": 2, "b": 1}


def test_pad_number():
    assert pad_number(7) == "007"


def test_pad_negative():
    assert pad_number(-7) == "-007"


def test_pad_width():
    assert pad_number(5, width=2) == "05"


def test_slug_empty():
    assert slug("") == ""
