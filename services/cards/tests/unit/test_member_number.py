"""Member numbers: shape, Luhn check digit, and independence from the CNIE."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amo_cards.domain import is_valid_member_number, luhn_check_digit, new_member_number


@pytest.mark.parametrize(
    ("payload", "check"),
    [
        ("7992739871", "3"),  # the textbook example of the Luhn algorithm
        ("0", "0"),
        ("00000000000", "0"),
        ("4", "2"),  # 4 doubled is 8, so 2 makes 10
    ],
)
def test_known_check_digits(payload, check):
    assert luhn_check_digit(payload) == check


def test_new_number_is_m_eleven_drawn_digits_and_the_check_digit():
    number = new_member_number(lambda n: 12345678901)
    assert number == "M12345678901" + luhn_check_digit("12345678901")
    assert len(number) == 13 and is_valid_member_number(number)


def test_small_draws_are_zero_padded_to_eleven_digits():
    assert new_member_number(lambda n: 42).startswith("M00000000042")


def test_the_draw_asks_for_eleven_digits_of_randomness():
    bounds = []
    new_member_number(lambda n: bounds.append(n) or 0)
    assert bounds == [10**11]


@given(st.integers(min_value=0, max_value=10**11 - 1))
def test_every_drawn_number_is_valid(draw):
    assert is_valid_member_number(new_member_number(lambda n: draw))


@given(
    st.integers(min_value=0, max_value=10**11 - 1),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_typo_is_caught(draw, position, delta):
    number = new_member_number(lambda n: draw)
    digit = (int(number[position]) + delta) % 10
    typo = number[:position] + str(digit) + number[position + 1 :]
    assert not is_valid_member_number(typo)


@pytest.mark.parametrize(
    "number",
    [
        "",
        "M",
        "M1234567890",
        "M12345678901",
        "X123456789012",
        "m123456789012",
        "M1234567890123",
        "M12345678901a",
        "AB123456",
        "M１２３４５６７８９０１２",
    ],
)
def test_malformed_numbers_are_refused(number):
    assert not is_valid_member_number(number)


def test_check_digit_refuses_non_digits():
    with pytest.raises(ValueError):
        luhn_check_digit("12a")


def test_numbers_come_from_the_draw_not_from_any_identity():
    rng = random.Random(7)
    numbers = {new_member_number(rng.randrange) for _ in range(1000)}
    assert len(numbers) == 1000
