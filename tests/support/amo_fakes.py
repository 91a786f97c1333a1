"""An in-memory Mongo database for the contract tier: what `AggregateStore` (which owns every query
the services make) and the platform's own collections (dedup records, the relay's) ask of one.

That is `find_one`, `find` (`sort`, `limit`, `to_list`, `async for`), `count_documents`,
`insert_one`, `update_one` (`$set`, `$inc`), `create_index` (unique ones enforced); filters are
equalities on fields (a missing field equals None, an array matches an element), `$ne` and `$in`.
Anything else raises NotImplementedError rather than answering wrongly. Documents go through BSON
(nothing shared by reference, a `date` refused) and every call yields to the event loop once, as
a round trip would, so concurrent writers interleave and lose compare-and-set races.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from typing import Any

import bson
from bson import ObjectId
from bson.codec_options import CodecOptions
from pymongo.errors import DuplicateKeyError
from pymongo.results import InsertOneResult, UpdateResult

CODEC = CodecOptions(tz_aware=True, tzinfo=dt.UTC)  # as AsyncMongoClient(..., tz_aware=True)
Filter = Mapping[str, Any] | None


def _copy(doc: Mapping[str, Any]) -> dict[str, Any]:
    return bson.decode(bson.encode(doc, codec_options=CODEC), codec_options=CODEC)


def _lookup(doc: Any, path: str) -> Any:
    """The value at a dotted path; None when missing, which Mongo's equality treats alike."""
    for part in path.split("."):
        doc = doc.get(part) if isinstance(doc, dict) else None
    return doc


def _equal(value: Any, expected: Any) -> bool:
    if value is None:
        return expected is None
    if isinstance(value, list) and not isinstance(expected, list):
        return any(_equal(item, expected) for item in value)
    same_kind = (_number(value) and _number(expected)) or type(value) is type(expected)
    return same_kind and value == expected


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _matches(doc: dict[str, Any], flt: Mapping[str, Any]) -> bool:
    for path, expected in flt.items():
        if path.startswith("$"):
            raise NotImplementedError(f"top-level operator {path} is not faked")
        value = _lookup(doc, path)
        if not (isinstance(expected, dict) and any(k.startswith("$") for k in expected)):
            expected = {"$eq": expected}
        for op, arg in expected.items():
            if op not in ("$eq", "$ne", "$in"):
                raise NotImplementedError(f"query operator {op} is not faked")
            hit = any(_equal(value, a) for a in arg) if op == "$in" else _equal(value, arg)
            if hit == (op == "$ne"):
                return False
    return True


def _project(doc: dict[str, Any], projection: Filter) -> dict[str, Any]:
    if projection and not all(flag == 1 and "." not in name for name, flag in projection.items()):
        raise NotImplementedError(f"only inclusions of top-level fields: {projection!r}")
    return {k: v for k, v in doc.items() if not projection or k in projection or k == "_id"}


def _sort_key(value: Any) -> tuple:
    # None first, then by type, so values of different types are never compared.
    return () if value is None else ("" if _number(value) else type(value).__name__, value)


class MemoryCursor:
    """What `find` returns: options first, then the matching documents as they stand when read."""

    def __init__(self, collection: MemoryCollection, flt: Filter, projection: Filter):
        self._collection, self._filter, self._projection = collection, flt, projection
        self._sort: list[tuple[str, int]] = []
        self._limit = 0

    def sort(self, keys: Any, direction: int = 1) -> MemoryCursor:
        self._sort = [(keys, direction)] if isinstance(keys, str) else list(keys)
        return self

    def limit(self, limit: int) -> MemoryCursor:
        self._limit = limit
        return self

    async def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        await asyncio.sleep(0)
        docs = self._collection._select(self._filter)
        for path, order in reversed(self._sort):  # stable sorts: the first key sorts last
            docs.sort(key=lambda d: _sort_key(_lookup(d, path)), reverse=order == -1)
        docs = docs[: self._limit or None][: length or None]
        return [_project(doc, self._projection) for doc in docs]

    async def __aiter__(self):
        for doc in await self.to_list():
            yield doc


class MemoryCollection:
    def __init__(self, database: MemoryDatabase, name: str):
        self.database, self.name = database, name
        self._docs: dict[bytes, dict[str, Any]] = {}  # by encoded _id, in insertion order
        self._unique: dict[str, list[str]] = {"_id_": ["_id"]}  # unique index -> its fields

    def _select(self, flt: Filter) -> list[dict[str, Any]]:
        flt = _copy(flt or {})
        return [_copy(doc) for doc in self._docs.values() if _matches(doc, flt)]

    def _refuse_taken_keys(self, doc: dict[str, Any], others: list[dict[str, Any]]) -> None:
        for name, fields in self._unique.items():
            key = [_lookup(doc, f) for f in fields]
            if any([_lookup(other, f) for f in fields] == key for other in others):
                where = f"{self.database.name}.{self.name} index: {name}"
                raise DuplicateKeyError(f"E11000 duplicate key error collection: {where}", 11000)

    async def find_one(
        self, flt: Filter = None, projection: Filter = None
    ) -> dict[str, Any] | None:
        await asyncio.sleep(0)
        docs = self._select(flt)
        return _project(docs[0], projection) if docs else None

    def find(self, flt: Filter = None, projection: Filter = None) -> MemoryCursor:
        return MemoryCursor(self, flt, projection)

    async def count_documents(self, flt: Filter) -> int:
        await asyncio.sleep(0)
        return len(self._select(flt))

    async def insert_one(self, document: dict[str, Any]) -> InsertOneResult:
        document.setdefault("_id", ObjectId())  # as pymongo does, on the caller's own dict
        doc = _copy(document)
        await asyncio.sleep(0)
        self._refuse_taken_keys(doc, list(self._docs.values()))
        self._docs[bson.encode({"_id": doc["_id"]})] = doc
        return InsertOneResult(doc["_id"], True)

    async def update_one(self, flt: Filter, update: Mapping[str, Any]) -> UpdateResult:
        if not update or set(update) - {"$set", "$inc"}:
            raise NotImplementedError(f"only $set and $inc are faked, not {sorted(update)}")
        await asyncio.sleep(0)
        found = self._select(flt)
        if not found:
            return UpdateResult({"n": 0, "nModified": 0}, True)
        doc, key = found[0], bson.encode({"_id": found[0]["_id"]})
        for op, fields in _copy(update).items():
            for path, value in fields.items():
                *parents, leaf = path.split(".")
                target = doc
                for part in parents:
                    target = target.setdefault(part, {})
                target[leaf] = value if op == "$set" else target.get(leaf, 0) + value
        self._refuse_taken_keys(doc, [d for k, d in self._docs.items() if k != key])
        self._docs[key] = _copy(doc)  # refuses what BSON cannot hold before storing anything
        return UpdateResult({"n": 1, "nModified": 1}, True)

    async def create_index(
        self, keys: Any, *, unique: bool = False, name: str | None = None
    ) -> str:
        pairs = [(keys, 1)] if isinstance(keys, str) else list(keys)
        name = name or "_".join(f"{field}_{order}" for field, order in pairs)
        await asyncio.sleep(0)
        if unique:  # enforced from now on (building it over colliding documents is not faked)
            self._unique[name] = [field for field, _ in pairs]
        return name


class MemoryDatabase:
    """Collections come into being on first access (`db[name]`), the same object every time."""

    def __init__(self, name: str = "amo"):
        self.name = name
        self._collections: dict[str, MemoryCollection] = {}

    def __getitem__(self, name: str) -> MemoryCollection:
        return self._collections.setdefault(name, MemoryCollection(self, name))
