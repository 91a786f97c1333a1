"""Loads the dated card terms files (`terms/<effective_from>.yaml`) into a `CardTermsBook`.

The only place that reads those files; a wrong file fails at load naming the file and the field
at fault, so a bad update stops the service at start-up instead of issuing wrong cards.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml
from pydantic import ValidationError

from amo_cards.domain.terms import CardTerms, CardTermsBook


class CardTermsFileError(ValueError):
    """A card terms file that cannot be trusted: its name, and every field at fault."""


def terms_directory() -> Traversable:
    """The terms files shipped inside the package."""
    return files("amo_cards") / "terms"


def load_terms_file(file: Traversable) -> CardTerms:
    """One terms file, validated; its name must be its `effective_from` date."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError) as exc:
        # PyYAML raises a bare ValueError for an impossible date such as 2025-13-01.
        raise CardTermsFileError(f"{file.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CardTermsFileError(f"{file.name}: expected a mapping of card terms at the top level")
    try:
        terms = CardTerms.model_validate(data)
    except ValidationError as exc:
        problems = [f"{file.name}: {'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
                    for err in exc.errors(include_url=False)]
        raise CardTermsFileError("\n".join(problems)) from None
    expected = f"{terms.effective_from.isoformat()}.yaml"
    if file.name != expected:
        # People find the version in force by its file name: the name must not lie.
        raise CardTermsFileError(
            f"{file.name}: effective_from is {terms.effective_from}, so the file must be {expected}")
    return terms


def load_card_terms(directory: Traversable | str | Path | None = None) -> CardTermsBook:
    """Every `*.yaml` terms file of `directory` (default: the package's own terms)."""
    folder = Path(directory) if isinstance(directory, str) else directory or terms_directory()
    terms_files = sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    if not terms_files:
        raise CardTermsFileError(f"no card terms file (*.yaml) in {folder}")
    versions = [load_terms_file(f) for f in terms_files]
    try:
        return CardTermsBook(versions)
    except ValueError as exc:
        raise CardTermsFileError(f"{folder}: {exc}") from exc
