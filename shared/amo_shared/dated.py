"""Dated versions of rule data: one YAML file per version, and the version in force on a day.

Rules change by decree from a date, so each version is a file (`<effective_from>.yaml`) validated
by a strict pydantic model, and a service holds every version in one `DatedBook` (eligibility
rules, card terms, tariffs). A wrong file must stop a service at start-up, so every problem is
reported as `<file>: <dotted.field>: <message>`; values may appear, these are rules, not people.
Nothing happens at import: `DatedBook`, `ordered` and `in_force` are pure, usable from domain code.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

__all__ = [
    "Dated",
    "DatedBook",
    "NotInForce",
    "in_force",
    "load_versions",
    "ordered",
    "read_version",
]


class Dated(Protocol):
    @property
    def version(self) -> str: ...
    @property
    def effective_from(self) -> date: ...


class Sourced(Dated, Protocol):
    """A version that says where it comes from (the decree, convention or notice it applies)."""

    @property
    def sources(self) -> Sequence[str]: ...


D = TypeVar("D", bound=Dated)
S = TypeVar("S", bound=Sourced)
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
        first = (
            f"the first version starts {versions[0].effective_from}" if versions else "no version"
        )
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
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=loader)
    except (yaml.YAMLError, ValueError) as exc:
        # PyYAML raises a bare ValueError for an impossible date such as 2025-13-01.
        raise error(f"{file.name}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise error(f"{file.name}: expected a mapping of fields at the top level")
    try:
        version = model.model_validate(data)
    except ValidationError as exc:
        raise error(
            "\n".join(
                f"{file.name}: {'.'.join(map(str, e['loc'])) or '(top level)'}: {e['msg']}"
                for e in exc.errors(include_url=False)
            )
        ) from None
    day: date = version.effective_from  # type: ignore[attr-defined]
    if name_must_match and file.name != f"{day.isoformat()}.yaml":
        # People find the version in force by its file name: the name must not lie.
        raise error(
            f"{file.name}: effective_from is {day}, so the file must be {day.isoformat()}.yaml"
        )
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
            versions.append(
                read_version(
                    file, model, error=error, loader=loader, name_must_match=name_must_match
                )
            )
        except error as exc:
            problems.append(str(exc))
    if problems:
        raise error("\n".join(problems))
    try:
        return list(ordered(versions, what))  # type: ignore[type-var]  # models with dates
    except ValueError as exc:
        raise error(f"{folder}: {exc}") from None


class DatedBook(Generic[S]):
    """Every version of one kind of dated data, oldest first, and the one in force on a day.

    `what` names the kind in errors ("eligibility rules", "tariff"); `not_in_force` is the error
    raised for a day before the first version, so a domain can catch its own. Two versions may
    not share a date or a name: which one applies would be a guess.
    """

    def __init__(
        self, versions: Iterable[S], what: str, *, not_in_force: type[LookupError] = NotInForce
    ) -> None:
        self.what = what
        self.not_in_force = not_in_force
        self.history: tuple[S, ...] = ordered(versions, what)

    def in_force(self, on: date) -> S:
        """The latest version whose `effective_from` is not after `on`."""
        return in_force(self.history, on, self.what, error=self.not_in_force)

    def with_versions(self, versions: Iterable[S]) -> DatedBook[S]:
        """A book of the same kind holding `versions` instead (a proposed or trimmed history)."""
        return DatedBook(versions, self.what, not_in_force=self.not_in_force)

    @classmethod
    def load(
        cls,
        folder: Traversable | Path | str,
        model: type[S],
        *,
        what: str,
        error: type[Exception],
        not_in_force: type[LookupError] = NotInForce,
        loader: type[yaml.SafeLoader] = yaml.SafeLoader,
        name_must_match: bool = True,
    ) -> DatedBook[S]:
        """Every file of `folder` (see `load_versions`); a problem raises `error`, naming the
        file and the field."""
        versions = load_versions(  # type: ignore[type-var]  # pydantic models with dates
            folder, model, error=error, what=what, loader=loader, name_must_match=name_must_match
        )
        return cls(versions, what, not_in_force=not_in_force)

    @property
    def versions(self) -> list[str]:
        """The versions' names, oldest first."""
        return [v.version for v in self.history]

    def __iter__(self) -> Iterator[S]:
        return iter(self.history)

    def __len__(self) -> int:
        return len(self.history)
