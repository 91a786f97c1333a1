"""Loads the reference files (reference/<registry>/...yaml) into a `Reference`: every file is
validated by its pydantic model, and a broken one fails naming the file and each field path.

Layout: `tariffs/<SCHEME>/<effective_from>.yaml`, `medicines/`, `ald/`, `facilities/` and
`rules/<effective_from>.yaml`, one complete file per version."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from amo_shared.dated import DatedBook

from .domain import (
    AldList,
    ClaimRules,
    FacilityList,
    MedicineList,
    NoTariffInForce,
    Reference,
    Scheme,
    Tariffs,
)

REFERENCE_DIR = Path(__file__).parent / "reference"
MODELS: dict[str, type[BaseModel]] = {
    "tariffs": Tariffs,
    "medicines": MedicineList,
    "ald": AldList,
    "facilities": FacilityList,
    "rules": ClaimRules,
}


class ReferenceFileError(ValueError):
    """A reference file is unreadable or invalid; the message names the file and each field."""


class _FileError(ValueError):
    pass


@dataclass(frozen=True)
class Version:
    """One validated file, as the import stores it."""

    registry: str
    scheme: str | None  # tariffs only
    version: str
    effective_from: str
    digest: str  # of the validated content: the same file imported twice is one version
    content: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.registry}:{self.scheme or '-'}:{self.version}"


def content_digest(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def version_of(registry: str, model: BaseModel) -> Version:
    content = model.model_dump(mode="json")
    return Version(
        registry=registry,
        scheme=content.get("scheme"),
        version=content["version"],
        effective_from=content["effective_from"],
        digest=content_digest(content),
        content=content,
    )


def load_reference(directory: Path | str | None = None) -> Reference:
    return reference_from(load_versions(directory))


def load_versions(directory: Path | str | None = None) -> list[Version]:
    """Every file of every registry, validated; one error listing every problem of every file."""
    root = Path(directory or REFERENCE_DIR)
    versions: list[Version] = []
    problems: list[str] = []
    folders: list[tuple[str, str, Scheme | None]] = [
        ("tariffs/" + s.value, "tariffs", s) for s in Scheme
    ]
    folders += [(name, name, None) for name in MODELS if name != "tariffs"]
    for folder, registry, scheme in folders:
        try:
            book = DatedBook.load(
                root / folder,
                MODELS[registry],  # type: ignore[type-var]  # every model is dated and sourced
                what=f"{registry} {scheme or ''}".strip(),
                error=_FileError,
                loader=_StrictLoader,
            )
        except _FileError as exc:
            problems += [f"{folder}/{line}" for line in str(exc).splitlines()]
            continue
        for model in book:
            if scheme is not None and model.scheme is not scheme:  # type: ignore[attr-defined]
                problems.append(f"{folder}: scheme: the folder holds {scheme} tariffs only")
            versions.append(version_of(registry, model))
    if problems:
        raise ReferenceFileError("\n".join(problems))
    return versions


def reference_from(versions: list[Version]) -> Reference:
    """A `Reference` from stored or loaded versions (validated again: the store is not trusted
    more than a file)."""
    by_registry: dict[str, list[Any]] = {name: [] for name in MODELS}
    for v in versions:
        by_registry[v.registry].append(MODELS[v.registry].model_validate(v.content))
    tariffs = {
        scheme: DatedBook(
            [t for t in by_registry["tariffs"] if t.scheme is scheme],
            f"tariffs {scheme}",
            not_in_force=NoTariffInForce,
        )
        for scheme in Scheme
        if any(t.scheme is scheme for t in by_registry["tariffs"])
    }

    def book(name: str) -> DatedBook[Any]:
        return DatedBook(by_registry[name], name, not_in_force=NoTariffInForce)

    return Reference(tariffs, book("medicines"), book("ald"), book("facilities"), book("rules"))


class _StrictLoader(yaml.SafeLoader):
    """Safe loading that refuses a key given twice (plain YAML keeps the last one silently)."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
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
