"""The CNIE's machine-readable zone (ICAO 9303 TD1: three lines of 30 characters) read from a
text layer, and compared with the CNIE number and names the applicant declared.

The Moroccan CNIE carries the card's serial in the document number field and the CNIE number in
the optional data, so the number matches when it is either. Check digits are verified: a zone
that fails its own check is no evidence of anything and goes to an operator like a mismatch.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

TD1 = re.compile(r"[A-Z0-9<]{30}")
WEIGHTS = (7, 3, 1)


@dataclass(frozen=True)
class Mrz:
    document_number: str
    optional_data: str
    surname: str
    given_names: str
    valid: bool  # every check digit right

    def numbers(self) -> set[str]:
        return {n for n in (self.document_number, self.optional_data) if n}


def check_digit(field: str) -> str:
    total = 0
    for i, ch in enumerate(field):
        value = 0 if ch == "<" else int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10
        total += value * WEIGHTS[i % 3]
    return str(total % 10)


def find_mrz(text: str) -> Mrz | None:
    """The first TD1 zone of `text` (three consecutive 30-character lines), or None."""
    lines = [re.sub(r"\s", "", line).upper() for line in text.splitlines()]
    for i in range(len(lines) - 2):
        one, two, three = lines[i : i + 3]
        if all(TD1.fullmatch(line) for line in (one, two, three)) and one[0] in "IAC":
            return _parse(one, two, three)
    return None


def _parse(one: str, two: str, three: str) -> Mrz:
    number, number_check = one[5:14], one[14]
    optional = one[15:30] + two[18:29]
    checks = [
        (number, number_check),
        (two[0:6], two[6]),  # birth date
        (two[8:14], two[14]),  # expiry
        (one[5:30] + two[0:7] + two[8:15] + two[18:29], two[29]),  # composite
    ]
    valid = all(check_digit(field) == digit for field, digit in checks)
    surname, _, given = three.partition("<<")
    return Mrz(
        document_number=number.replace("<", ""),
        optional_data=optional.replace("<", ""),
        surname=_words(surname),
        given_names=_words(given),
        valid=valid,
    )


def _words(field: str) -> str:
    return " ".join(w for w in field.split("<") if w)


def fold(name: str) -> str:
    """A name as the MRZ writes it: no accents, upper case, letters only, single spaces."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^A-Z]+", " ", plain.upper()).split())


def mrz_matches(mrz: Mrz, cnie: str | None, first_name: str, last_name: str) -> bool:
    """True when the zone is sound and names this CNIE and this person."""
    if not mrz.valid or cnie is None:
        return False
    number = re.sub(r"[^A-Z0-9]", "", cnie.upper())
    # TD1 truncates long names: compare what the zone has room for.
    return (
        number in mrz.numbers()
        and _same(mrz.surname, last_name)
        and _same(mrz.given_names, first_name)
    )


def _same(written: str, declared: str) -> bool:
    # TD1 truncates long names, and a person may declare fewer given names than the card has.
    folded = fold(declared)
    return bool(written and folded) and (folded.startswith(written) or written.startswith(folded))
