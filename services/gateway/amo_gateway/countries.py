"""ISO 3166-1 country codes, to check a nationality: read once from `countries.csv` (the list
and its source are data, beside this module)."""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files

MOROCCO = "MA"


@cache
def country_codes() -> frozenset[str]:
    """The officially assigned alpha-2 codes."""
    text = (files("amo_gateway") / "countries.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return frozenset(row["alpha_2"] for row in rows)


def normalise_country(value: str) -> str:
    """Uppercase `value` and check it is an assigned code; the error never repeats the input."""
    code = value.strip().upper()
    if code not in country_codes():
        raise ValueError("must be an ISO 3166-1 alpha-2 country code, e.g. MA")
    return code
