"""Loads the dated document rules (`rules/<effective_from>.yaml`) into a `DocumentRulesBook`.

The only place that reads those files; a wrong file fails at load naming the file and the field
at fault, so a bad update stops the service at start-up instead of judging documents wrongly.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from amo_documents.domain.rules import DocumentRules, DocumentRulesBook
from amo_shared.dated import DatedBook

WHAT = "document rules"


class DocumentRulesFileError(ValueError):
    """A document rules file that cannot be trusted: its name, and every field at fault."""


def rules_directory() -> Traversable:
    return files("amo_documents") / "rules"


def load_document_rules(directory: Traversable | str | Path | None = None) -> DocumentRulesBook:
    """Every `*.yaml` rules file of `directory` (default: the package's own rules)."""
    folder = directory or rules_directory()
    return DatedBook.load(folder, DocumentRules, what=WHAT, error=DocumentRulesFileError)


@cache
def shipped_rules() -> DocumentRulesBook:
    return load_document_rules()
