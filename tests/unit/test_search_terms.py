"""Search words: what an order is found by, and the prefix range an index can answer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import column

from app.services.search import MAX_TERM, prefix_range, query_terms, terms


def test_an_email_is_kept_whole_and_split_into_its_parts():
    assert terms("Anna.Smith12@Example.com") == {
        "anna.smith12@example.com", "anna", "smith12", "example", "com"}


def test_a_sku_is_kept_whole_and_split_into_its_parts():
    assert terms("MUG-0001") == {"mug-0001", "mug", "0001"}
    assert terms("SKU-TEE-261124-00012") >= {"sku-tee-261124-00012", "tee", "00012"}


def test_an_order_number_loses_its_hash():
    assert terms("#1001") == {"1001"}
    assert query_terms("#1001") == ["1001"]


def test_names_are_lower_cased_words_split_at_spaces_and_apostrophes():
    assert terms("Zoë O'Brien", None, "") == {"zoë", "o", "brien"}
    assert terms("Jürgen de Vries") == {"jürgen", "de", "vries"}


def test_words_of_several_texts_are_pooled():
    assert terms("#1001", "Ann Lee", "MUG-1") == {"1001", "ann", "lee", "mug-1", "mug", "1"}


def test_punctuation_at_word_ends_is_dropped():
    assert terms("...hello-- _x_") == {"hello", "x"}
    assert terms("  ,;  ") == set()


def test_long_words_are_cut_to_the_column_width():
    word = "a" * (MAX_TERM + 30)
    assert terms(word) == {"a" * MAX_TERM}
    assert query_terms(word) == ["a" * MAX_TERM]


def test_query_terms_are_lower_cased_unique_and_longest_first():
    assert query_terms("Smith  SMITH anna.smith@example.com #20") == [
        "anna.smith@example.com", "smith", "20"]
    assert query_terms("") == []
    assert query_terms("  #  ") == []


def test_query_terms_keep_an_email_and_a_sku_whole():
    assert query_terms("MUG-0001") == ["mug-0001"]
    assert query_terms("ann@example.com") == ["ann@example.com"]


def test_prefix_range_is_a_half_open_range_an_index_can_use():
    expr = prefix_range(column("term"), "smi")
    compiled = expr.compile()
    assert str(compiled) == "term >= :term_1 AND term < :term_2"
    assert compiled.params == {"term_1": "smi", "term_2": "smj"}


def _bounds(prefix: str) -> tuple[str, str]:
    params = prefix_range(column("term"), prefix).compile().params
    return params["term_1"], params["term_2"]


# Code points as SQLite compares UTF-8 text (no surrogates, which UTF-8 cannot hold).
TEXT = st.text(st.characters(exclude_categories=["Cs"], max_codepoint=0xFFFF), max_size=8)


@given(prefix=TEXT.filter(bool), text=TEXT)
def test_prefix_range_holds_exactly_the_words_that_start_with_the_prefix(prefix, text):
    low, high = _bounds(prefix)
    assert (low <= text < high) == text.startswith(prefix)
    assert (low <= prefix + text < high)


@pytest.mark.parametrize("prefix", ["1001", "mug-", "z", "müller"])
def test_prefix_range_bounds_for_examples(prefix):
    low, high = _bounds(prefix)
    assert low == prefix
    assert high[:-1] == prefix[:-1]
    assert ord(high[-1]) == ord(prefix[-1]) + 1
