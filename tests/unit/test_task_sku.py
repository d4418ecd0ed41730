"""Task SKU patterns: every token renders, bad patterns are refused in words before saving."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.domain.errors import DomainError
from app.domain.task_sku import (
    DEFAULT_PATTERN,
    SKU_MAX,
    TEMPLATE_PATTERN,
    TOKENS,
    collision_retry,
    order_code,
    preview,
    random_digits,
    render,
    short_code,
    validate,
)

ON = date(2025, 3, 4)
SKU_CHARS = re.compile(r"[A-Za-z0-9_./-]+")


def fixed(n: int) -> str:
    return "7" * n


def make(pattern: str, *, category="Mugs", supplier="Kiln & Co.", order="#1042", on=ON,
         seq=1, rand=fixed) -> str:
    return render(pattern, category=category, supplier=supplier, order=order, on=on, seq=seq,
                  rand=rand)


# --- tokens --------------------------------------------------------------------------------


@pytest.mark.parametrize(("token", "expected"), [
    ("{category}", "MUGS"),
    ("{supplier}", "KILNCO"),
    ("{order}", "1042"),
    ("{yyMMdd}", "250304"),
    ("{yyyyMMdd}", "20250304"),
    ("{yy}", "25"),
    ("{yyyy}", "2025"),
    ("{MM}", "03"),
    ("{dd}", "04"),
])
def test_each_value_token_renders_its_value(token, expected):
    assert make(f"X-{token}-{{seq}}") == f"X-{expected}-0001"


def test_seq_is_padded_to_four_digits_and_grows_past_them():
    assert make("{seq}", seq=7) == "0007"
    assert make("{seq}", seq=123456) == "123456"


@pytest.mark.parametrize(("token", "seq", "expected"), [
    ("{seq:1}", 7, "7"), ("{seq:6}", 42, "000042"), ("{seq:0}", 42, "42"),
    ("{seq:2}", 1234, "1234"),
])
def test_seq_n_is_padded_to_n_digits(token, seq, expected):
    assert make(token, seq=seq) == expected


def test_rand_n_asks_for_n_digits():
    asked = []

    def rand(n: int) -> str:
        asked.append(n)
        return "0123456789"[:n]

    assert make("A{rand:4}B{rand:6}", rand=rand) == "A0123B012345"
    assert asked == [4, 6]


def test_category_code_is_upper_case_letters_and_digits():
    assert make("{category}{seq}", category="T-SHIRTS") == "TSHIRTS0001"
    assert make("{category}{seq}", category="tees & tops 2") == "TEESTOPS20001"
    assert make("{category}{seq}", category="Tassen-Groß") == "TASSENGRO0001"


def test_accents_are_kept_as_their_plain_letters():
    assert short_code("Café Crème", 16) == "CAFECREME"


def test_long_codes_are_cut_so_skus_stay_short():
    assert make("{category}-{seq}", category="Hand-thrown stoneware mugs") == (
        "HANDTHROWNSTONEW-0001")
    assert make("{supplier}-{seq}", supplier="Mugshot Ceramics Ltd") == "MUGSHOTC-0001"


def test_order_number_loses_its_hash_and_unsafe_characters_only():
    assert order_code("#1042") == "1042"
    assert order_code("112-3456789-0123456") == "112-3456789-0123456"
    assert order_code("EB 12/34 #5") == "EB12/345"


def test_a_missing_value_shows_as_none():
    assert make("{supplier}-{seq}", supplier="") == "NONE-0001"
    assert make("{category}-{seq}", category="---") == "NONE-0001"


def test_literal_text_is_kept_as_written():
    assert make("Sku_a.b/c-{seq}") == "Sku_a.b/c-0001"


def test_a_token_may_appear_twice():
    assert make("{seq}-{dd}-{seq}", seq=3) == "0003-04-0003"


def test_the_default_pattern_makes_the_documented_form():
    assert make(DEFAULT_PATTERN, category="T-SHIRTS", seq=17) == "SKU-TSHIRTS-250304-0017"


def test_the_template_pattern_is_sku_and_eight_random_digits():
    assert re.fullmatch(r"SKU\d{8}", make(TEMPLATE_PATTERN, rand=random_digits))


def test_random_digits_gives_n_digits():
    for n in (1, 4, 8, 20):
        digits = random_digits(n)
        assert len(digits) == n and digits.isdigit()


def test_a_rand_function_giving_the_wrong_digits_is_a_programming_error():
    with pytest.raises(ValueError, match="not 8 digits"):
        make(TEMPLATE_PATTERN, rand=lambda n: "12ab")


def test_a_negative_counter_is_a_programming_error():
    with pytest.raises(ValueError):
        make(DEFAULT_PATTERN, seq=-1)


def test_every_token_in_the_cheat_sheet_is_accepted():
    for token in TOKENS:
        concrete = token.replace(":N", ":6")
        assert validate(f"A-{concrete}-{{seq}}") == (), token


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", [
    DEFAULT_PATTERN, TEMPLATE_PATTERN, "{seq}", "{rand:6}", "{order}-{rand:4}",
    "{yyMMdd}-{rand:4}", "T/{yyyy}/{MM}/{dd}/{seq:6}", "{category}{supplier}{order}{seq}",
])
def test_good_patterns_pass(pattern):
    assert validate(pattern) == ()


@pytest.mark.parametrize("pattern", ["", "   "])
def test_an_empty_pattern_is_refused_with_suggestions(pattern):
    assert validate(pattern) == (
        "The SKU pattern is empty. Try SKU-{category}-{yyMMdd}-{seq} or SKU{rand:8}.",)


def test_an_unknown_token_is_named_with_a_suggestion_and_the_allowed_list():
    (message,) = validate("SKU-{categroy}-{seq}")
    assert message.startswith("{categroy} (did you mean {category}?) is not a token. Use: ")
    for token in TOKENS:
        assert token in message


def test_a_token_in_the_wrong_case_gets_the_right_spelling_suggested():
    (message,) = validate("{YYMMDD}-{seq}")
    assert "{YYMMDD} (did you mean {yyMMdd}?) is not a token" in message


def test_several_unknown_tokens_are_named_in_one_message():
    (message,) = validate("{colour}-{mm}-{seq}")
    assert message.startswith("{colour} and {mm} (did you mean {MM}?) are not tokens. Use: ")


@pytest.mark.parametrize("pattern", ["{}-{seq}", "{seq:x}", "{rand:-3}{seq}",
                                     "{category:3}{seq}", "{seq:1000}"])
def test_malformed_tokens_are_unknown_tokens(pattern):
    problems = validate(pattern)
    assert len(problems) == 1
    assert "not a token" in problems[0]


def test_rand_without_a_length_asks_for_one():
    assert validate("SKU{rand}") == ("{rand} needs a number of digits, e.g. {rand:6}.",)


def test_an_unclosed_brace_is_pointed_at():
    assert validate("SKU-{seq") == ("The '{' at character 5 is never closed with '}'.",)
    assert "The '{' at character 1 is never closed" in validate("{{seq}")[0]


def test_a_stray_closing_brace_is_pointed_at():
    assert validate("SKU}-{seq}") == ("The '}' at character 4 has no '{' before it.",)


def test_characters_a_sku_cannot_hold_are_named_once_each():
    assert validate("SKU #{seq} #é") == (
        "A space, '#' and 'é' cannot be part of a SKU: use letters A-Z, digits, "
        "'-', '_', '.' or '/'.",)


def test_a_pattern_without_counter_or_random_part_is_refused():
    assert validate("SKU-{category}-{yyMMdd}") == (
        "This pattern would give every task of a day the same SKU: add {seq} or {rand:6}.",)
    assert validate("SKU-{category}") == (
        "This pattern would give every task the same SKU: add {seq} or {rand:6}.",)


@pytest.mark.parametrize(("pattern", "n"), [("SKU{rand:3}", 3), ("{yyMMdd}{rand:1}", 1),
                                            ("{rand:0}", 0), ("{rand:1}{rand:2}", 3)])
def test_too_few_random_digits_are_refused(pattern, n):
    digits = "digit" if n == 1 else "digits"
    assert validate(pattern) == (
        f"Only {n} random {digits}: collisions would be likely. "
        "Use {rand:6} or more, or add {seq}.",)


def test_few_random_digits_are_fine_beside_a_counter():
    assert validate("{seq}-{rand:2}") == ()


def test_random_digits_that_would_run_out_over_time_are_refused():
    assert validate("SKU{rand:5}") == (
        "5 random digits allow only 100,000 different SKUs in all, and they would soon run "
        "out: use {rand:8}, or add {seq} or a date such as {yyMMdd}.",)


def test_a_pattern_too_long_for_long_values_is_refused():
    # literal 26 + category 16 + supplier 8 + order 20 + date 8 + a seven-digit counter 7
    pattern = "SKU-{category}-{supplier}-{order}-{yyyyMMdd}-{seq}-EXTRA-TEXT-HERE-X"
    problems = validate(pattern)
    assert problems == (
        "With long values this pattern makes SKUs of up to 85 characters, more than the 80 "
        "a SKU can hold: shorten it.",)


def test_a_pattern_just_within_the_limit_passes():
    assert validate("{seq:80}") == ()
    assert len(validate("{seq:81}")) == 1


def test_several_problems_are_all_reported():
    problems = validate("SKU #{colour}}")
    assert len(problems) == 4
    assert "not a token" in problems[0]
    assert any("no '{' before it" in p for p in problems)
    assert any("cannot be part of a SKU" in p for p in problems)
    assert any("same SKU" in p for p in problems)


# --- render, preview and retry -------------------------------------------------------------


@pytest.mark.parametrize("bad", ["SKU-{category}", "SKU {seq}", "{nope}{seq}", ""])
def test_rendering_an_invalid_pattern_raises_the_problems_in_words(bad):
    with pytest.raises(DomainError, match="cannot be used") as caught:
        make(bad)
    for problem in validate(bad):
        assert problem in str(caught.value)


def test_a_counter_grown_past_what_fits_is_refused_in_words():
    with pytest.raises(DomainError, match="Shorten the SKU pattern"):
        make("{seq:78}", seq=10 ** 80)


def test_preview_shows_example_values_for_the_given_day():
    assert preview(DEFAULT_PATTERN, on=ON) == "SKU-MUGS-250304-0001"
    assert preview(TEMPLATE_PATTERN, on=ON) == "SKU48273910"
    assert preview("{supplier}/{order}/{seq}", on=ON) == "KILNCO/1042/0001"


def test_preview_takes_the_real_category_when_given():
    assert preview(DEFAULT_PATTERN, on=ON, category="T-Shirts", seq=42) == (
        "SKU-TSHIRTS-250304-0042")


def test_preview_of_an_invalid_pattern_explains_why():
    with pytest.raises(DomainError, match=r"\{categroy\} \(did you mean \{category\}\?\)"):
        preview("SKU-{categroy}-{seq}", on=ON)


@pytest.mark.parametrize(("pattern", "retry"), [
    (DEFAULT_PATTERN, "seq"), (TEMPLATE_PATTERN, "rand"), ("{seq}{rand:6}", "seq"),
    ("{yyMMdd}-{rand:4}", "rand"), ("{seq:2}", "seq"),
])
def test_collision_retry_says_what_to_change(pattern, retry):
    assert collision_retry(pattern) == retry


def test_collision_retry_refuses_an_invalid_pattern():
    with pytest.raises(DomainError, match="same SKU"):
        collision_retry("SKU-{category}")


# --- properties ----------------------------------------------------------------------------

VALUE_TOKENS = ["{category}", "{supplier}", "{order}", "{yyMMdd}", "{yyyyMMdd}", "{yy}",
                "{yyyy}", "{MM}", "{dd}"]
pieces = st.one_of(
    st.sampled_from(VALUE_TOKENS),
    st.integers(0, 12).map(lambda n: f"{{seq:{n}}}"),
    st.just("{seq}"),
    st.integers(4, 10).map(lambda n: f"{{rand:{n}}}"),
    st.text(alphabet="AZaz09-_./", min_size=1, max_size=6),
)
patterns = st.lists(pieces, min_size=1, max_size=8).map("".join)
values = {
    "category": st.text(max_size=50),
    "supplier": st.text(max_size=50),
    "order": st.text(max_size=40),
    "on": st.dates(),
}


@given(pattern=patterns, seq=st.integers(0, 10 ** 6), **values)
def test_a_valid_pattern_renders_only_allowed_characters_within_the_limit(
        pattern, seq, category, supplier, order, on):
    assume(validate(pattern) == ())
    sku = render(pattern, category=category, supplier=supplier, order=order, on=on, seq=seq,
                 rand=random_digits)
    assert SKU_CHARS.fullmatch(sku)
    assert len(sku) <= SKU_MAX


@given(pattern=patterns, a=st.integers(0, 10 ** 8), b=st.integers(0, 10 ** 8), **values)
def test_two_counters_give_two_skus_when_the_pattern_has_seq(pattern, a, b, category,
                                                             supplier, order, on):
    assume(a != b and "{seq" in pattern and validate(pattern) == ())
    assert (render(pattern, category=category, supplier=supplier, order=order, on=on, seq=a,
                   rand=fixed)
            != render(pattern, category=category, supplier=supplier, order=order, on=on,
                      seq=b, rand=fixed))
    assert collision_retry(pattern) == "seq"


@given(pattern=st.text(max_size=30))
def test_validate_never_crashes_and_render_agrees_with_it(pattern):
    problems = validate(pattern)
    assert all(isinstance(p, str) and p.endswith(".") for p in problems)
    if problems:
        with pytest.raises(DomainError):
            make(pattern)
    else:
        assert SKU_CHARS.fullmatch(make(pattern))
