from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storefront.text import normalize_sku, slugify


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Red Mug (Large)!", "red-mug-large"),
        ("  Tee -- 2024 edition ", "tee-2024-edition"),
        ("Ünïcode Mug", "n-code-mug"),
        ("", ""),
    ],
)
def test_slugify(title, slug):
    assert slugify(title) == slug


def test_slugify_drops_words_that_do_not_fit():
    assert slugify("Enamel camping mug with lid", max_length=12) == "enamel"


@given(st.text(), st.integers(min_value=1, max_value=60))
def test_slug_is_url_safe_and_short_enough(title, max_length):
    slug = slugify(title, max_length=max_length)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*|", slug)
    assert len(slug) <= max_length


@given(st.text())
def test_slugify_is_idempotent(title):
    once = slugify(title)
    assert slugify(once) == once


@pytest.mark.parametrize(("raw", "sku"), [(" mug_1 ", "MUG-1"), ("tee-2", "TEE-2"), ("CAP-3", "CAP-3")])
def test_normalize_sku(raw, sku):
    assert normalize_sku(raw) == sku
