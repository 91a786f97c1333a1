"""The reference registries in the service's database: one immutable document per file version
(`reference_versions`), and a catalogue (`reference_catalogue`) naming the versions in use.

An import adds versions and never edits one: the same file again changes nothing, a different
content under a version already stored is refused (a version in force is never edited). Readers
keep the catalogue's `_v`: a new import is seen at their next read, on every replica.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from amo_claims.domain import Reference
from amo_claims.reference_files import ReferenceFileError, Version, reference_from
from amo_shared.aggregates import AggregateStore, Change

VERSIONS = "reference_versions"
CATALOGUE = "reference_catalogue"
CATALOGUE_ID = "catalogue"
FIELDS = ("registry", "scheme", "version", "effective_from", "digest", "content")


def _version(doc: dict[str, Any]) -> Version:
    return Version(**{k: doc[k] for k in FIELDS})


class ReferenceStore:
    def __init__(self, versions: AggregateStore, catalogue: AggregateStore) -> None:
        self.versions = versions
        self.catalogue = catalogue
        self._cached: tuple[int, Reference] | None = None

    async def ensure_indexes(self) -> None:
        await self.versions.ensure_index("registry")

    async def import_versions(self, incoming: list[Version]) -> dict[str, list[str]]:
        """Store `incoming` (validated files); {'added': [...], 'unchanged': [...]} by key."""
        stored = {v.key: v for v in await self._stored()}
        for v in incoming:
            held = stored.get(v.key)
            if held is not None and held.digest != v.digest:
                raise ReferenceFileError(
                    f"{v.registry} {v.scheme or ''} {v.version}: this version is already imported "
                    "with other content; a new version needs a new name and date"
                )
        combined = {**stored, **{v.key: v for v in incoming}}
        try:
            reference_from(list(combined.values()))  # the whole history must still hold
        except ValueError as exc:
            raise ReferenceFileError(f"the imported history would be invalid: {exc}") from None
        added = [v.key for v in incoming if v.key not in stored]
        for v in incoming:
            if v.key not in stored:
                doc = {"_id": v.key, **{k: getattr(v, k) for k in FIELDS}}
                await self.versions.create({**doc, "imported_at": _now()})
        keys = sorted(combined)
        await self.catalogue.create({"_id": CATALOGUE_ID, "keys": [], "imported_at": _now()})

        def decide(doc: dict[str, Any]) -> Change | None:
            # A crash after storing versions and before this step is mended by the next import.
            if sorted(set(doc["keys"]) | set(keys)) == doc["keys"]:
                return None
            return Change(set={"keys": sorted(set(doc["keys"]) | set(keys)), "imported_at": _now()})

        await self.catalogue.mutate(CATALOGUE_ID, decide)
        return {"added": added, "unchanged": [v.key for v in incoming if v.key in stored]}

    async def current(self) -> Reference | None:
        """The reference of the catalogue as stored now; None before any import."""
        catalogue = await self.catalogue.get(CATALOGUE_ID)
        if catalogue is None or not catalogue["keys"]:
            return None
        if self._cached is not None and self._cached[0] == catalogue["_v"]:
            return self._cached[1]
        wanted = set(catalogue["keys"])
        reference = reference_from([v for v in await self._stored() if v.key in wanted])
        self._cached = (catalogue["_v"], reference)
        return reference

    async def _stored(self) -> list[Version]:
        return [_version(doc) for doc in await self.versions.find()]


def _now() -> str:
    return datetime.now(UTC).isoformat()
