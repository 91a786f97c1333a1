"""Dated versions of rule data: one YAML file per version, and the version in force on a day.

Rules change by decree from a date, so each version is a file (`<effective_from>.yaml`) validated
by a strict pydantic model. A wrong file must stop a service at start-up, so every problem is
reported as `<file>: <dotted.field>: <message>`; values may appear, these are rules, not people.
Nothing happens at import: `ordered` and `in_force` are pure and usable from domain code.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import date
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Protocol, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

__all__ = ["Dated", "NotInForce", "in_force", "load_versions", "ordered", "read_version"]


class Dated(Protocol):
    @property
    def version(self) -> str: ...
    @property
    def effective_from(self) -> date: ...


D = TypeVar("D", bound=Dated)
M = TypeVar("M", bound=BaseModel)


class NotInForce(LookupError):
    """The day lies before the first version."""


def ordered(versions: Iterable[D], what: str) -> tuple[D, ...]:
    """Oldest first; refuses an empty book and two versions sharing a date or a name."""
    book = tuple(sorted(versions, key=lambda v: v.effective_from))
    if not book:
        raise ValueError(f"no {what} version at all")
    for field in ("effective_from", "version"):
        values = [getattr(v, field) for v in book]
        if twice := sorted({str(x) for x in values if values.count(x) > 1}):
            raise ValueError(f"two {what} versions share the same {field}: {', '.join(twice)}")
    return book


def in_force(
    versions: Sequence[D], day: date, what: str, *, error: type[LookupError] = NotInForce
) -> D:
    """The latest of `versions` (as `ordered` returns them) whose `effective_from` is not after `day`."""
    index = bisect_right([v.effective_from for v in versions], day)
    if index == 0:
        first = f"the first version starts {versions[0].effective_from}" if versions else "no version"
        raise error(f"no {what} in force on {day}: {first}")
    return versions[index - 1]


def read_version(
    file: Traversable,
    model: type[M],
    *,
    error: type[Exception],
    loader: type[yaml.SafeLoader] = yaml.SafeLoader,
    name_must_match: bool = True,
) -> M:
    """One file, validated; with `name_must_match` its name must be `<effective_from>.yaml`."""
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (a SafeLoader)
    except (yaml.YAMLError, ValueError) as exc:
        # PyYAML raises a bare ValueError for an impossible date such as 2025-13-01.
        raise error(f"{file.name}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise error(f"{file.name}: expected a mapping of fields at the top level")
    try:
        version = model.model_validate(data)
    except ValidationError as exc:
        raise error("\n".join(
            f"{file.name}: {'.'.join(map(str, e['loc'])) or '(top level)'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )) from None
    day: date = version.effective_from  # type: ignore[attr-defined]
    if name_must_match and file.name != f"{day.isoformat()}.yaml":
        # People find the version in force by its file name: the name must not lie.
        raise error(f"{file.name}: effective_from is {day}, so the file must be {day.isoformat()}.yaml")
    return version


def load_versions(
    folder: Traversable | Path | str,
    model: type[M],
    *,
    error: type[Exception],
    what: str,
    loader: type[yaml.SafeLoader] = yaml.SafeLoader,
    name_must_match: bool = True,
) -> list[M]:
    """Every `*.yaml` of `folder`, oldest first; one `error` listing the problems of every file."""
    folder = Path(folder) if isinstance(folder, str) else folder
    entries = folder.iterdir() if folder.is_dir() else ()  # a missing folder is an empty one
    files = sorted((f for f in entries if f.name.endswith(".yaml")), key=lambda f: f.name)
    if not files:
        raise error(f"no {what} file in {folder}: it holds no *.yaml")
    versions, problems = [], []
    for file in files:
        try:
            versions.append(read_version(file, model, error=error, loader=loader,
                                         name_must_match=name_must_match))
        except error as exc:
            problems.append(str(exc))
    if problems:
        raise error("\n".join(problems))
    try:
        return list(ordered(versions, what))
    except ValueError as exc:
        raise error(f"{folder}: {exc}") from None
