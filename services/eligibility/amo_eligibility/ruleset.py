"""Loads the versioned rule files (`rules/<effective_from>.yaml`) into a `RuleBook`.

The only place that reads rule files; the domain receives the validated `RuleSet`. A wrong file
fails at load, naming the file and the field at fault, so a bad decree update never reaches a
decision.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

import yaml
from pydantic import ValidationError

from amo_eligibility.domain.rules import RuleBook, RuleSet

__all__ = ["RuleBook", "RuleFileError", "RuleSet", "load_ruleset", "load_rulesets", "rules_directory"]


class RuleFileError(ValueError):
    """A rule file that cannot be trusted: its name, and every field at fault."""


def rules_directory() -> Traversable:
    """The rule files shipped inside the package."""
    return files("amo_eligibility") / "rules"


def load_ruleset(file: Traversable) -> RuleSet:
    """One rule file, validated; its name must be its `effective_from` date (`2025-01-01.yaml`)."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RuleFileError(f"{file.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise RuleFileError(f"{file.name}: expected a mapping of rule parameters at the top level")
    try:
        ruleset = RuleSet.model_validate(data)
    except ValidationError as exc:
        raise RuleFileError(_describe(file, exc)) from exc
    expected = f"{ruleset.effective_from.isoformat()}.yaml"
    if file.name != expected:
        # The file name is how people find the version in force: it must not lie.
        message = f"effective_from is {ruleset.effective_from}, so the file must be {expected}"
        raise RuleFileError(f"{file.name}: {message}")
    return ruleset


def load_rulesets(directory: Traversable | None = None) -> RuleBook:
    """Every `*.yaml` rule file of `directory` (default: the package's own rules)."""
    folder = directory if directory is not None else rules_directory()
    rule_files = sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    if not rule_files:
        raise RuleFileError(f"no rule file (*.yaml) in {folder}")
    try:
        return RuleBook(load_ruleset(file) for file in rule_files)
    except RuleFileError:
        raise
    except ValueError as exc:
        raise RuleFileError(f"{folder}: {exc}") from exc


def _describe(file: Traversable, error: ValidationError) -> str:
    file_name = file.name
    lines = [f"{file}: {error.error_count()} invalid field(s)"]
    for problem in error.errors():
        path = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        lines.append(f"  {file_name}: {path}: {problem['msg']}")
    return "\n".join(lines)
