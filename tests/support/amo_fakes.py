"""An in-memory MongoDB for the contract tier: the slice of PyMongo's async API the services use.

`MemoryDatabase` and `MemoryCollection` stand in for `AsyncDatabase` and `AsyncCollection` under
the real `AggregateStore`, `OutboxRelay` and delivery policy, and behave as a server would for
what those call:

- `find_one`, `find` (a cursor with `sort`, `limit`, `to_list` and `async for`) and
  `count_documents`, with equality filters on top-level fields (a missing field equals None, an
  array field matches an element) and 0/1 projections;
- `insert_one`, which adds an ObjectId `_id` when there is none and raises `DuplicateKeyError`
  on a taken `_id` or a taken key of a unique index;
- `update_one` with `$set` (dotted paths through embedded documents) and `$inc`, returning
  pymongo's own `UpdateResult` (`matched_count` 0 when the filter, e.g. a stale `_v`, matches
  nothing); `_id` is immutable and overlapping paths conflict, as on a server;
- `create_index` (unique indexes are enforced) and `index_information`;
- `list_collection_names`, `create_collection` and `command("ping")` on the database.

Every document goes in and out through BSON with the services' codec options (`tz_aware`, UTC):
the caller never shares a reference with what is stored, a value Mongo cannot store (a `date`, a
set) is refused with `InvalidDocument`, and datetimes come back at millisecond precision.
Every call yields to the event loop once, as a round trip would, so concurrent writers
interleave and lose compare-and-set races. Anything outside this slice (query operators, other
update operators, upserts) raises NotImplementedError rather than answering wrongly.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import bson
from bson import ObjectId
from bson.codec_options import CodecOptions
from pymongo.errors import (
    CollectionInvalid,
    DuplicateKeyError,
    InvalidOperation,
    OperationFailure,
    WriteError,
)
from pymongo.results import InsertOneResult, UpdateResult

# As the services' client reads documents: AsyncMongoClient(..., tz_aware=True).
CODEC = CodecOptions(tz_aware=True, tzinfo=dt.UTC)
UPDATE_OPERATORS = ("$set", "$inc")
INDEX_OPTIONS = ("name", "unique", "background")
_MISSING = object()


def _encode(doc: Mapping[str, Any]) -> bytes:
    return bson.encode(doc, codec_options=CODEC)


def _decode(raw: bytes) -> dict[str, Any]:
    return bson.decode(raw, codec_options=CODEC)


def _normalised(value: Any) -> Any:
    """`value` as the server receives it: BSON-encoded, so tuples are lists and so on."""
    return _decode(_encode({"v": value}))["v"]


def _id_key(value: Any) -> bytes:
    return _encode({"_id": value})


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same(a: Any, b: Any) -> bool:
    """BSON equality: numbers by value, booleans only with booleans, documents field by field
    in order."""
    if _is_number(a) and _is_number(b):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _shown(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _field_matches(value: Any, expected: Any) -> bool:
    if expected is None and (value is _MISSING or value is None):
        return True
    if value is _MISSING:
        return False
    if _same(value, expected):
        return True
    return isinstance(value, list) and any(_same(item, expected) for item in value)


def _check_filter(flt: Any) -> dict[str, Any]:
    if flt is None:
        return {}
    if not isinstance(flt, Mapping):
        return {"_id": _normalised(flt)}  # pymongo's find_one(<id>) shorthand
    flt = _decode(_encode(flt))
    for field, expected in flt.items():
        if field.startswith("$") or "." in field:
            raise NotImplementedError(f"only equality on top-level fields is faked, not {field!r}")
        if isinstance(expected, dict) and any(k.startswith("$") for k in expected):
            raise NotImplementedError(f"query operators are not faked: {field!r}: {expected!r}")
    return flt


def _matches(doc: Mapping[str, Any], flt: Mapping[str, Any]) -> bool:
    return all(_field_matches(doc.get(field, _MISSING), expected)
               for field, expected in flt.items())


def _project(doc: dict[str, Any], projection: Any) -> dict[str, Any]:
    if projection is None:
        return doc
    if not isinstance(projection, Mapping):
        projection = {field: 1 for field in projection}
    for field, flag in projection.items():
        if field.startswith("$") or "." in field or not isinstance(flag, (bool, int)):
            raise NotImplementedError(
                f"only 0/1 projections of top-level fields are faked: {field!r}")
    keep_id = bool(projection.get("_id", True))
    others = {field: bool(flag) for field, flag in projection.items() if field != "_id"}
    if len(set(others.values())) > 1:
        excluded = next(field for field, flag in others.items() if not flag)
        raise OperationFailure(f"Cannot do exclusion on field {excluded} in inclusion projection",
                               31254)
    if all(others.values()) and (others or keep_id and "_id" in projection):  # inclusion
        return {k: v for k, v in doc.items() if k in others or (k == "_id" and keep_id)}
    return {k: v for k, v in doc.items() if k not in others and (k != "_id" or keep_id)}


def _index_keys(keys: Any) -> list[tuple[str, Any]]:
    if isinstance(keys, str):
        return [(keys, 1)]
    if isinstance(keys, Mapping):
        return list(keys.items())
    if not isinstance(keys, (list, tuple)) or not keys:
        raise TypeError(f"index keys must be a name or a list of (key, direction) pairs: {keys!r}")
    return [(item, 1) if isinstance(item, str) else tuple(item) for item in keys]


def _lookup(doc: Mapping[str, Any], path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _write_error(message: str, code: int) -> WriteError:
    return WriteError(message, code, {"index": 0, "code": code, "errmsg": message})


def _check_update(update: Any) -> list[tuple[str, str, Any]]:
    """(operator, path, value) of an update document, refused as pymongo or the server would."""
    if not isinstance(update, Mapping):
        raise TypeError("update must be an instance of dict, bson.son.SON, or Mapping")
    if not update:
        raise ValueError("update cannot be empty")
    if not next(iter(update)).startswith("$"):
        raise ValueError("update only works with $ operators")
    changes: list[tuple[str, str, Any]] = []
    for operator, fields in _decode(_encode(update)).items():
        if operator not in UPDATE_OPERATORS:
            raise NotImplementedError(
                f"only {', '.join(UPDATE_OPERATORS)} are faked, not {operator}")
        for path, value in fields.items():
            if not path or any(not part or part.startswith("$") for part in path.split(".")):
                raise _write_error(
                    f"The update path '{path}' contains an empty or $ field name", 56)
            if operator == "$inc" and not _is_number(value):
                raise _write_error(f"Cannot increment with non-numeric argument: {{{path}: "
                                   f"{_shown(value)}}}", 14)
            changes.append((operator, path, value))
    paths = sorted(path for _, path, _ in changes)
    for first, second in zip(paths, paths[1:]):
        if second == first or second.startswith(first + "."):
            raise _write_error(f"Updating the path '{second}' would create a conflict at "
                               f"'{first}'", 40)
    return changes


def _apply(doc: dict[str, Any], changes: list[tuple[str, str, Any]]) -> dict[str, Any]:
    for operator, path, value in changes:
        *parents, leaf = path.split(".")
        target = doc
        for part in parents:
            child = target.get(part, _MISSING)
            if child is _MISSING:
                child = target[part] = {}
            elif isinstance(child, list):
                raise NotImplementedError(f"update paths through arrays are not faked: {path!r}")
            elif not isinstance(child, dict):
                raise _write_error(f"Cannot create field '{leaf}' in element "
                                   f"{{{part}: {_shown(child)}}}", 28)
            target = child
        if operator == "$set":
            target[leaf] = value
        else:
            current = target.get(leaf, 0)
            if not _is_number(current):
                raise _write_error(f"Cannot apply $inc to a value of non-numeric type. "
                                   f"{{_id: {_shown(doc['_id'])}}} has the field '{leaf}' of "
                                   f"non-numeric type {type(current).__name__}", 14)
            target[leaf] = current + value
    return doc


def _sort_key(value: Any) -> tuple:
    """MongoDB's order across types: missing/null, numbers, strings, documents, arrays, ...,
    booleans, dates."""
    if value is _MISSING or value is None:
        return (1,)
    if _is_number(value):
        return (2, value)
    if isinstance(value, str):
        return (3, value)
    if isinstance(value, dict):
        return (4, repr(value))
    if isinstance(value, list):
        return (5, repr(value))
    if isinstance(value, bytes):
        return (6, value)
    if isinstance(value, ObjectId):
        return (7, value.binary)
    if isinstance(value, bool):
        return (8, value)
    if isinstance(value, dt.datetime):
        return (9, value)
    return (10, repr(value))


class MemoryCursor:
    """What `find` returns: options until the first read, then the matching documents (copies),
    as they stood at that first read."""

    def __init__(self, collection: MemoryCollection, flt: dict[str, Any], projection: Any):
        self._collection = collection
        self._filter = flt
        self._projection = projection
        self._sort: list[tuple[str, Any]] = []
        self._limit = 0
        self._docs: list[dict[str, Any]] | None = None

    def _check_unread(self) -> None:
        if self._docs is not None:
            raise InvalidOperation("cannot set options after executing query")

    def limit(self, limit: int) -> MemoryCursor:
        if not isinstance(limit, int) or isinstance(limit, bool):
            raise TypeError("limit must be an integer")
        self._check_unread()
        self._limit = abs(limit)  # 0 is no limit; a negative one is a single batch
        return self

    def sort(self, key_or_list: Any, direction: Any = None) -> MemoryCursor:
        self._check_unread()
        keys = [(key_or_list, direction)] if direction is not None else _index_keys(key_or_list)
        for field, order in keys:
            if order not in (1, -1):
                raise NotImplementedError(f"only ascending/descending sorts are faked: {order!r}")
        self._sort = keys
        return self

    async def _read(self) -> list[dict[str, Any]]:
        if self._docs is None:
            await asyncio.sleep(0)
            docs = self._collection._select(self._filter)
            for field, order in reversed(self._sort):  # stable: the first key sorts last
                docs.sort(key=lambda d: _sort_key(_lookup(d, field)), reverse=order == -1)
            if self._limit:
                docs = docs[: self._limit]
            self._docs = [_project(doc, self._projection) for doc in docs]
        return self._docs

    def __aiter__(self) -> MemoryCursor:
        return self

    async def __anext__(self) -> dict[str, Any]:
        docs = await self._read()
        if not docs:
            raise StopAsyncIteration
        return docs.pop(0)

    async def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        docs = await self._read()
        taken = docs[:length] if length else docs[:]
        del docs[: len(taken)]
        return taken

    async def close(self) -> None:
        self._docs = []


class MemoryCollection:
    """One collection: documents held as BSON, keyed by `_id`, in insertion order."""

    def __init__(self, database: MemoryDatabase, name: str):
        self.database = database
        self.name = name
        self.full_name = f"{database.name}.{name}"
        self._docs: dict[bytes, bytes] = {}
        self._indexes: dict[str, dict[str, Any]] = {
            "_id_": {"key": [("_id", 1)], "unique": True}}
        self.exists = False  # as a server sees it: created, written to or indexed

    def __bool__(self) -> bool:
        raise NotImplementedError("Collection objects do not implement truth value testing or "
                                  "bool(). Please compare with None instead: collection is not None")

    def __repr__(self) -> str:
        return f"MemoryCollection({self.full_name!r}, {len(self._docs)} documents)"

    def _all(self) -> list[dict[str, Any]]:
        return [_decode(raw) for raw in self._docs.values()]

    def _select(self, flt: dict[str, Any]) -> list[dict[str, Any]]:
        if "_id" in flt and set(flt) == {"_id"} and not isinstance(flt["_id"], list):
            raw = self._docs.get(_id_key(flt["_id"]))
            return [] if raw is None else [_decode(raw)]
        return [doc for doc in self._all() if _matches(doc, flt)]

    def _check_unique(self, doc: dict[str, Any], *, replacing: bytes | None = None,
                      only: str | None = None) -> None:
        """DuplicateKeyError if another document (not the one stored under `replacing`) holds
        `doc`'s key in a unique index (or only in index `only`)."""
        others = [_decode(raw) for key, raw in self._docs.items() if key != replacing]
        for name, spec in self._indexes.items():
            if not spec["unique"] or (only is not None and name != only):
                continue
            fields = [field for field, _ in spec["key"]]
            mine = [None if v is _MISSING else v for v in (_lookup(doc, f) for f in fields)]
            for other in others:
                theirs = [None if v is _MISSING else v for v in (_lookup(other, f) for f in fields)]
                if all(_same(a, b) for a, b in zip(mine, theirs)):
                    key = ", ".join(f"{f}: {_shown(v)}" for f, v in zip(fields, mine))
                    message = (f"E11000 duplicate key error collection: {self.full_name} index: "
                               f"{name} dup key: {{ {key} }}")
                    raise DuplicateKeyError(message, 11000, {
                        "index": 0, "code": 11000, "errmsg": message,
                        "keyPattern": dict(spec["key"]), "keyValue": dict(zip(fields, mine))})

    async def find_one(self, filter: Any = None,  # noqa: A002 - pymongo's parameter name
                       projection: Any = None) -> dict[str, Any] | None:
        await asyncio.sleep(0)
        docs = self._select(_check_filter(filter))
        return _project(docs[0], projection) if docs else None

    def find(self, filter: Any = None, projection: Any = None, *, sort: Any = None,  # noqa: A002
             limit: int = 0) -> MemoryCursor:
        if filter is not None and not isinstance(filter, Mapping):
            raise TypeError("filter must be an instance of dict, bson.son.SON, or Mapping")
        cursor = MemoryCursor(self, _check_filter(filter), projection)
        if sort is not None:
            cursor.sort(sort)
        return cursor.limit(limit)

    async def count_documents(self, filter: Mapping[str, Any]) -> int:  # noqa: A002
        await asyncio.sleep(0)
        return len(self._select(_check_filter(filter)))

    async def insert_one(self, document: dict[str, Any]) -> InsertOneResult:
        if not isinstance(document, dict):
            raise TypeError("document must be an instance of dict, bson.son.SON, "
                            "bson.raw_bson.RawBSONDocument, or a type that inherits from "
                            "collections.MutableMapping")
        if "_id" not in document:
            document["_id"] = ObjectId()  # as pymongo does, on the caller's own dict
        raw = _encode(document)  # refuses what BSON cannot hold, before any effect
        await asyncio.sleep(0)
        doc = _decode(raw)
        self._check_unique(doc)
        self._docs[_id_key(doc["_id"])] = raw
        self.exists = True
        return InsertOneResult(doc["_id"], True)

    async def update_one(self, filter: Mapping[str, Any], update: Mapping[str, Any],  # noqa: A002
                         upsert: bool = False) -> UpdateResult:
        if upsert:
            raise NotImplementedError("upserts are not faked")
        flt = _check_filter(filter)
        changes = _check_update(update)
        await asyncio.sleep(0)
        docs = self._select(flt)
        if not docs:
            return UpdateResult({"n": 0, "nModified": 0, "ok": 1.0}, True)
        before = docs[0]
        after = _apply(_decode(_encode(before)), changes)
        if not _same(after["_id"], before["_id"]):
            raise _write_error("Performing an update on the path '_id' would modify the immutable "
                               "field '_id'", 66)
        raw = _encode(after)
        modified = raw != _encode(before)
        if modified:
            self._check_unique(after, replacing=_id_key(before["_id"]))
            self._docs[_id_key(before["_id"])] = raw
        return UpdateResult({"n": 1, "nModified": int(modified), "ok": 1.0}, True)

    async def create_index(self, keys: Any, **kwargs: Any) -> str:
        unknown = set(kwargs) - set(INDEX_OPTIONS)
        if unknown:
            raise NotImplementedError(f"index options not faked: {sorted(unknown)}")
        key = _index_keys(keys)
        name = kwargs.get("name") or "_".join(f"{field}_{order}" for field, order in key)
        spec = {"key": key, "unique": bool(kwargs.get("unique", False))}
        await asyncio.sleep(0)
        held = self._indexes.get(name)
        if held is not None and held != spec:
            raise OperationFailure(f"An existing index has the same name as the requested index "
                                   f"but different options. Requested index: {spec}, existing "
                                   f"index: {held}", 86)
        if held is None:
            self._indexes[name] = spec
            try:  # building a unique index over documents that already collide fails
                for stored, raw in self._docs.items():
                    self._check_unique(_decode(raw), replacing=stored, only=name)
            except DuplicateKeyError:
                del self._indexes[name]
                raise
        self.exists = True
        return name

    async def index_information(self) -> dict[str, dict[str, Any]]:
        await asyncio.sleep(0)
        info = {}
        for name, spec in self._indexes.items():
            info[name] = {"v": 2, "key": list(spec["key"])}
            if spec["unique"] and name != "_id_":
                info[name]["unique"] = True
        return info


class MemoryDatabase:
    """A database whose collections come into being on first access (`db[name]`, `db.name`),
    the same object every time; the server only lists those created, written to or indexed."""

    def __init__(self, name: str = "amo"):
        self.name = name
        self._collections: dict[str, MemoryCollection] = {}

    def __bool__(self) -> bool:
        raise NotImplementedError("Database objects do not implement truth value testing or "
                                  "bool(). Please compare with None instead: database is not None")

    def __repr__(self) -> str:
        return f"MemoryDatabase({self.name!r}, {sorted(self._collections)})"

    def __getitem__(self, name: str) -> MemoryCollection:
        if name not in self._collections:
            self._collections[name] = MemoryCollection(self, name)
        return self._collections[name]

    def __getattr__(self, name: str) -> MemoryCollection:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def get_collection(self, name: str) -> MemoryCollection:
        return self[name]

    async def create_collection(self, name: str) -> MemoryCollection:
        await asyncio.sleep(0)
        collection = self[name]
        if collection.exists:
            raise CollectionInvalid(f"collection {name} already exists")
        collection.exists = True
        return collection

    async def list_collection_names(self) -> list[str]:
        await asyncio.sleep(0)
        return [name for name, collection in self._collections.items() if collection.exists]

    async def command(self, command: str | Mapping[str, Any], value: Any = 1) -> dict[str, Any]:
        name = command if isinstance(command, str) else next(iter(command))
        if name != "ping":
            raise NotImplementedError(f"only the ping command is faked, not {name!r}")
        await asyncio.sleep(0)
        return {"ok": 1.0}
