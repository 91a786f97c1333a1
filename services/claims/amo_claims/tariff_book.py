"""Loads the dated tariff files (tariffs/*.yaml) into a TariffBook: the only I/O of the rules."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from .domain.tariffs import NoTariffInForce, Tariffs

TARIFFS_DIR = Path(__file__).parent / "tariffs"


class TariffFileError(ValueError):
    """A tariff file is unreadable or invalid; the message names the file and each field path."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path, self.problems = path, problems
        super().__init__(f"{path}: " + "; ".join(problems))


@dataclass(frozen=True)
class TariffBook:
    """All tariff versions; an act is priced on the version in force on its own date."""

    versions: tuple[Tariffs, ...]

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.versions, key=lambda t: t.effective_from))
        if not ordered:
            raise ValueError("a tariff book needs at least one version")
        for field in ("effective_from", "version"):
            values = [getattr(t, field) for t in ordered]
            if len(set(values)) != len(values):
                raise ValueError(f"two tariff versions share the same {field}")
        object.__setattr__(self, "versions", ordered)

    def as_of(self, on: dt.date) -> Tariffs:
        index = bisect.bisect_right([t.effective_from for t in self.versions], on)
        if index == 0:
            first = self.versions[0].effective_from
            raise NoTariffInForce(f"no tariff in force on {on}: the first version starts {first}")
        return self.versions[index - 1]


def load_tariff_books(dir: Path | str | None = None) -> TariffBook:
    directory = Path(dir) if dir is not None else TARIFFS_DIR
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise TariffFileError(directory, ["no *.yaml tariff file found"])
    try:
        return TariffBook(tuple(load_tariff_file(path) for path in files))
    except TariffFileError:
        raise
    except ValueError as error:
        raise TariffFileError(directory, [str(error)]) from None


def load_tariff_file(path: Path) -> Tariffs:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506
    except yaml.YAMLError as error:
        raise TariffFileError(path, [str(error)]) from None
    if not isinstance(raw, dict):
        raise TariffFileError(path, ["the file must hold a mapping of fields"])
    try:
        return Tariffs.model_validate(raw)
    except ValidationError as error:
        problems = [f"{_dotted(e['loc'])}: {e['msg']}" for e in error.errors()]
        raise TariffFileError(path, problems) from None


def _dotted(loc: tuple[object, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(file)"


class _StrictLoader(yaml.SafeLoader):
    """Safe loading that refuses a key given twice (plain YAML keeps the last one silently)."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict:
    keys: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in keys:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        keys.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)
