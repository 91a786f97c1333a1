"""Loads the versioned rule files (`rules/<effective_from>.yaml`) into a `RuleBook`.

The only place that reads rule files; the domain receives the validated `RuleSet`. A wrong file
fails at load, naming the file and the field at fault, so a bad decree update never reaches a
decision.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

from amo_eligibility.domain.rules import RuleBook, RuleSet
from amo_shared.dated import DatedBook

__all__ = ["RuleBook", "RuleFileError", "RuleSet", "load_rulesets", "rules_directory"]

WHAT = "eligibility rule"  # how errors name them: "no eligibility rule in force on ..."


class RuleFileError(ValueError):
    """A rule file that cannot be trusted: its name, and every field at fault."""


def rules_directory() -> Traversable:
    """The rule files shipped inside the package."""
    return files("amo_eligibility") / "rules"


def load_rulesets(directory: Traversable | None = None) -> RuleBook:
    """Every `*.yaml` rule file of `directory` (default: the package's own rules); each file's
    name must be its `effective_from` date (`2025-01-01.yaml`)."""
    folder = directory if directory is not None else rules_directory()
    return DatedBook.load(folder, RuleSet, what=WHAT, error=RuleFileError)
