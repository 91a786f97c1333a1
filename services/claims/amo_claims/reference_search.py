"""Searching the reference registries in force on a date: the entries of tariffs (per scheme),
medicines, facilities and ALD as public rows, filtered by words of their code and label."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from typing import Any, Literal

from amo_claims.domain import FacilityKind, NoTariffInForce, Reference, Scheme
from amo_claims.domain.ald import exemption_until

Registry = Literal["tariffs", "medicines", "facilities", "ald"]
Row = dict[str, Any]


def folded(text: str) -> str:
    """Lower case without accents: "Échographie" is found by "echo"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search(
    reference: Reference,
    registry: Registry,
    *,
    q: str = "",
    scheme: Scheme | None = None,
    on: dt.date,
    page: int = 1,
    size: int = 20,
) -> dict[str, Any]:
    """One page of the entries matching every word of `q`, in code order, and the versions
    they come from (with their sources)."""
    versions, rows = _rows(reference, registry, scheme, on)
    words = folded(q).split()
    texts = [row.pop("_text") for row in rows]
    hits = [row for row, text in zip(rows, texts, strict=True) if all(w in text for w in words)]
    start = (page - 1) * size
    return {
        "registry": registry,
        "date": on.isoformat(),
        "versions": versions,
        "total": len(hits),
        "page": page,
        "size": size,
        "items": hits[start : start + size],
    }


def _rows(
    reference: Reference, registry: Registry, scheme: Scheme | None, on: dt.date
) -> tuple[list[Row], list[Row]]:
    versions: list[Row] = []
    rows: list[Row] = []
    for source, entries in _in_force(reference, registry, scheme, on):
        versions.append(
            {
                "version": source.version,
                "effective_from": source.effective_from.isoformat(),
                "sources": list(source.sources),
                "assumptions": list(source.assumptions),
                **({"scheme": source.scheme.value} if registry == "tariffs" else {}),
            }
        )
        rows += entries
    rows.sort(key=lambda r: (r.get("scheme", ""), r["code"]))
    return versions, rows


def _in_force(
    reference: Reference, registry: Registry, scheme: Scheme | None, on: dt.date
) -> Iterator[tuple[Any, list[Row]]]:
    try:
        if registry == "tariffs":
            for each in [Scheme(scheme)] if scheme else list(reference.tariff_books):
                try:
                    yield _tariffs(reference, each, on)
                except NoTariffInForce:
                    continue
        elif registry == "medicines":
            yield _medicines(reference, on)
        elif registry == "facilities":
            yield _facilities(reference, on)
        else:
            yield _ald(reference, on)
    except NoTariffInForce:
        return


def _tariffs(reference: Reference, scheme: Scheme, on: dt.date) -> tuple[Any, list[Row]]:
    t = reference.tariffs(scheme, on)
    rows = []
    for code, act in t.acts.items():
        row: Row = {"scheme": scheme.value, "version": t.version, "code": code, "label": act.label}
        rates = {k.value: str(t.rate_for(act, k)) for k in FacilityKind}
        row |= {"kind": act.kind.value, "rate_by_facility": rates}
        if act.tariff is not None:
            row["tariff"] = act.tariff.in_dh()
        elif act.by_facility is not None:
            row["tariff_by_facility"] = {k.value: v.in_dh() for k, v in act.by_facility.items()}
        else:
            row |= {"letter": act.letter, "coefficient": str(act.coefficient)}
            # A key-letter price does not depend on the facility.
            row["tariff"] = act.unit_tariff(FacilityKind.PUBLIC, t.key_letters).in_dh()
        row |= {"illustrative": act.illustrative, "_text": folded(f"{code} {act.label}")}
        rows.append(row)
    return t, rows


def _medicines(reference: Reference, on: dt.date) -> tuple[Any, list[Row]]:
    m = reference.medicines(on)
    rows = [
        {
            "version": m.version,
            "code": code,
            "label": med.name,
            "public_price": med.public_price.in_dh(),
            "reference_generic": med.reference_generic,
            "reference_price": m.reference_price(code).in_dh(),
            "illustrative": med.illustrative,
            "_text": folded(f"{code} {med.name}"),
        }
        for code, med in m.medicines.items()
    ]
    return m, rows


def _facilities(reference: Reference, on: dt.date) -> tuple[Any, list[Row]]:
    f = reference.facilities(on)
    rows = [
        {
            "version": f.version,
            "code": code,
            "label": fac.name,
            "kind": fac.kind.value,
            "city": fac.city,
            "approved_from": fac.approved_from.isoformat(),
            "approved_until": fac.approved_until.isoformat() if fac.approved_until else None,
            "approved_on_date": fac.approved_on(on),
            "illustrative": fac.illustrative,
            "_text": folded(f"{code} {fac.name} {fac.city} {fac.kind.value}"),
        }
        for code, fac in f.facilities.items()
    ]
    return f, rows


def _ald(reference: Reference, on: dt.date) -> tuple[Any, list[Row]]:
    a = reference.ald(on)
    rows = []
    for code, condition in a.conditions.items():
        years = None if exemption_until(code, on, a) is None else a.validity_years
        rows.append(
            {
                "version": a.version,
                "code": code,
                "label": condition.label,
                "exemption": "life" if years is None else f"{years} years",
                "exemption_years": years,
                "illustrative": condition.illustrative,
                "_text": folded(f"{code} {condition.label}"),
            }
        )
    return a, rows
