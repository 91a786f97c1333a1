"""Loads the dated card terms (`terms/<effective_from>.yaml`) and the dated reason catalogue
(`reasons/<effective_from>.yaml`).

The only place that reads those files; a wrong file fails at load naming the file and the field
at fault, so a bad update stops the service at start-up instead of issuing wrong cards.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from amo_cards.domain.reasons import ReasonBook, ReasonCatalogue
from amo_cards.domain.terms import CardTerms, CardTermsBook
from amo_shared.dated import DatedBook

WHAT = "card terms"  # how errors name them: "no card terms in force on ..."


class CardTermsFileError(ValueError):
    """A card terms or reasons file that cannot be trusted: its name, and every field at fault."""


def terms_directory() -> Traversable:
    """The terms files shipped inside the package."""
    return files("amo_cards") / "terms"


def load_card_terms(directory: Traversable | str | Path | None = None) -> CardTermsBook:
    """Every `*.yaml` terms file of `directory` (default: the package's own terms)."""
    folder = directory or terms_directory()
    return DatedBook.load(folder, CardTerms, what=WHAT, error=CardTermsFileError)


def load_reasons(directory: Traversable | str | Path | None = None) -> ReasonBook:
    folder = directory or files("amo_cards") / "reasons"
    return DatedBook.load(folder, ReasonCatalogue, what="card reasons", error=CardTermsFileError)
