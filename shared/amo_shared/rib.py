"""The Moroccan RIB (relevé d'identité bancaire): 24 digits and its key, masking, and the IBAN.

Layout: bank code (3), city code (3), account number (16), RIB key (2). The key makes the whole
24-digit number divisible by 97 (key = 97 - (first 22 digits x 100) mod 97), as the bank's RIB
certificate prints it. Payment files carry the IBAN: MA, two ISO 13616 check digits, the RIB.
"""

from __future__ import annotations

import re

RIB_DIGITS = 24
_RIB = re.compile(r"^[0-9]{24}$")


class InvalidRib(ValueError):
    """Says which rule failed, never the digits."""


def normalise_rib(value: str) -> str:
    """The 24 digits of `value` (spaces and dashes dropped); InvalidRib when not a valid RIB."""
    digits = re.sub(r"[\s\-]", "", value)
    if not _RIB.match(digits):
        raise InvalidRib("must be 24 digits: bank (3), city (3), account (16), key (2)")
    if int(digits) % 97 != 0:
        raise InvalidRib("the RIB key (last 2 digits) does not match the account")
    return digits


def rib_key(first_22: str) -> str:
    """The key that completes 22 digits into a valid RIB."""
    return f"{97 - (int(first_22) * 100) % 97:02d}"


def mask_rib(digits: str) -> str:
    """What a person may be shown: the last four digits only."""
    return "•" * 4 + " " + digits[-4:]


def iban_of(rib: str) -> str:
    """The Moroccan IBAN of a valid RIB (ISO 13616: letters as numbers, mod 97 = 1)."""
    digits = normalise_rib(rib)
    # M=22, A=10; the check digits make (RIB + "MA00") read as a number leave 1 mod 97.
    check = 98 - int(digits + "2210" + "00") % 97
    return f"MA{check:02d}{digits}"
