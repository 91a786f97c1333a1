"""The membership (immatriculation) number: `M`, 11 random digits and a Luhn check digit.

It is drawn at random, never derived from the CNIE, so a card number reveals nothing about the
holder's identity document; the check digit catches a mistyped number at a hospital desk.
"""

from __future__ import annotations

import re
from collections.abc import Callable

PREFIX = "M"
BODY_DIGITS = 11
_FORMAT = re.compile(rf"{PREFIX}[0-9]{{{BODY_DIGITS + 1}}}")  # ASCII digits only


def luhn_check_digit(digits: str) -> str:
    """The Luhn digit that makes `digits` + it a valid Luhn number."""
    if not digits.isdigit() or not digits.isascii():
        raise ValueError("the Luhn check digit is computed over decimal digits only")
    total = 0
    # From the right, every second digit of the payload (starting with the rightmost) is doubled,
    # because the check digit will take the rightmost, undoubled place.
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str((10 - total % 10) % 10)


def is_valid_member_number(number: str) -> bool:
    """Right shape (`M` + 12 digits) and a correct check digit."""
    if not _FORMAT.fullmatch(number):
        return False
    body, check = number[1:-1], number[-1]
    return luhn_check_digit(body) == check


def new_member_number(randbelow: Callable[[int], int]) -> str:
    """A fresh member number from `randbelow(n)` (0 <= r < n), e.g. `secrets.randbelow`."""
    body = f"{randbelow(10**BODY_DIGITS):0{BODY_DIGITS}d}"
    return PREFIX + body + luhn_check_digit(body)
