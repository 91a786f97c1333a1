"""What a person may type into a public field, written once for every entry point: bounded
lengths, no control or bidirectional-override characters (they hide or reorder what an operator
reads), no leading spreadsheet formula character in free text (an export opened in a
spreadsheet must not run it), names made of letters, and birth dates in a sane range.

Pure: no I/O. A refusal is a pydantic error whose type names the rule (`text.control`,
`name.characters`, ...), so a 422 says which field broke which rule, never the value.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

from amo_shared.limits import NAME_MAX, TEXT_MAX

# A note an operator writes (a refusal's reason): longer than a field, still one paragraph.
NOTE_MAX = 500
EARLIEST_BIRTH = date(1900, 1, 1)

# Explicit bidi embeddings, overrides and isolates, and the invisible direction marks: they
# make a text display in another order than it is stored ("Trojan Source").
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
# What a spreadsheet reads as the start of a formula (OWASP's CSV injection list).
FORMULA_STARTS = frozenset("=+-@\t\r")
# Within a name, besides letters and their combining marks (Arabic harakat, decomposed accents).
NAME_PUNCTUATION = frozenset(" '\u2019-.")


def plain(value: str) -> str:
    """One line of text as typed: no control character, no bidi control."""
    for character in value:
        if unicodedata.category(character) == "Cc":
            raise PydanticCustomError("text.control", "must not contain control characters")
        if character in BIDI_CONTROLS:
            raise PydanticCustomError(
                "text.bidi", "must not contain bidirectional control characters"
            )
    return value


def free_text(value: str) -> str:
    """Plain text that does not start like a spreadsheet formula."""
    plain(value)
    if value[:1] in FORMULA_STARTS:
        raise PydanticCustomError(
            "text.formula", "must not start with =, +, -, @, a tab or a carriage return"
        )
    return value


def person_name(value: str) -> str:
    """Letters of any script and their marks, with spaces, apostrophes, hyphens and dots;
    starting with a letter."""
    plain(value)
    if not unicodedata.category(value[:1] or " ").startswith("L"):
        raise PydanticCustomError("name.start", "must start with a letter")
    for character in value:
        if not (unicodedata.category(character)[0] in "LM" or character in NAME_PUNCTUATION):
            raise PydanticCustomError(
                "name.characters",
                "may contain only letters, spaces, apostrophes, hyphens and dots",
            )
    return value


def birth_date(value: date) -> date:
    """Not before 1900-01-01, not in the future (today's date is the process's own)."""
    if value < EARLIEST_BIRTH:
        raise PydanticCustomError("date.too_early", "must not be before 1900-01-01")
    if value > date.today():
        raise PydanticCustomError("date.future", "must not be in the future")
    return value


def _bounded(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


# A code of reference data, an INPE, a facility id, a reason or an approval reference: ASCII
# letters, digits and `_.:-`, starting with a letter or a digit (never like a formula).
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
CODE_MAX = 32

PersonName = Annotated[str, _bounded(NAME_MAX), AfterValidator(person_name)]
Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=CODE_MAX, pattern=CODE_PATTERN
    ),
]
FreeText = Annotated[str, _bounded(TEXT_MAX), AfterValidator(free_text)]
# An operator's note: may be empty (a confirmation without words).
Note = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=NOTE_MAX),
    AfterValidator(free_text),
]
BirthDate = Annotated[date, AfterValidator(birth_date)]
