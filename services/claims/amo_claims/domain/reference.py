"""Every dated registry adjudication reads, as one value: tariffs per (scheme, date), and the
medicines, ALD, facilities and claim rules in force on a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from amo_shared.dated import DatedBook

from .registries import AldList, ClaimRules, FacilityList, MedicineList
from .tariffs import NoTariffInForce, Scheme, Tariffs

REGISTRIES = ("tariffs", "medicines", "facilities", "ald", "rules")


@dataclass(frozen=True)
class Reference:
    tariff_books: Mapping[Scheme, DatedBook[Tariffs]]
    medicine_book: DatedBook[MedicineList]
    ald_book: DatedBook[AldList]
    facility_book: DatedBook[FacilityList]
    rules_book: DatedBook[ClaimRules]

    def tariffs(self, scheme: Scheme, on: dt.date) -> Tariffs:
        book = self.tariff_books.get(scheme)
        if book is None:
            raise NoTariffInForce(f"no tariff table for scheme {scheme}")
        return book.in_force(on)

    def medicines(self, on: dt.date) -> MedicineList:
        return self.medicine_book.in_force(on)

    def ald(self, on: dt.date) -> AldList:
        return self.ald_book.in_force(on)

    def facilities(self, on: dt.date) -> FacilityList:
        return self.facility_book.in_force(on)

    def rules(self, on: dt.date) -> ClaimRules:
        return self.rules_book.in_force(on)

    def with_tariffs(self, scheme: Scheme, versions: list[Tariffs]) -> Reference:
        """The same reference with `scheme`'s tariff history replaced (a proposed version)."""
        books = dict(self.tariff_books)
        books[scheme] = books[scheme].with_versions(versions)
        return Reference(
            books, self.medicine_book, self.ald_book, self.facility_book, self.rules_book
        )
