"""Loads the dated tariff files (tariffs/*.yaml) into a TariffBook: the only I/O of the rules."""

from __future__ import annotations

from pathlib import Path

import yaml

from amo_shared.dated import DatedBook

from .domain.tariffs import NoTariffInForce, TariffBook, Tariffs

TARIFFS_DIR = Path(__file__).parent / "tariffs"


class TariffFileError(ValueError):
    """A tariff file is unreadable or invalid; the message names the file and each field path."""


def load_tariff_books(dir: Path | str | None = None) -> TariffBook:
    # Tariff files are named `<date>_<label>.yaml`, so the name is not checked against the date.
    return DatedBook.load(
        dir or TARIFFS_DIR,
        Tariffs,
        what="tariff",
        error=TariffFileError,
        not_in_force=NoTariffInForce,
        loader=_StrictLoader,
        name_must_match=False,
    )


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
