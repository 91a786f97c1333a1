"""One dated version of the reference tariffs and the rules that go with them (Tariffs), and the
book of every version (TariffBook): an act is priced on the version in force on its own date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, model_validator

from amo_shared.dated import DatedBook

from .money import ExactDecimal, Money, Percent


class Frozen(BaseModel):
    # extra="forbid": a misspelt key in a tariff file must fail, not be silently ignored.
    model_config = ConfigDict(frozen=True, extra="forbid")


class FacilityKind(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class CareKind(StrEnum):
    AMBULATORY = "ambulatory"  # consultations, paramedical, lab tests, imaging
    HOSPITAL = "hospital"  # hospital days and surgery packages


def _both_facilities(by_facility: Mapping[FacilityKind, object], what: str) -> None:
    if set(by_facility) != set(FacilityKind):
        raise ValueError(f"{what} needs exactly one entry for public and one for private")


class Act(Frozen):
    """An act of the nomenclature, priced in exactly one way."""

    label: str
    kind: CareKind
    tariff: Money | None = None
    letter: str | None = None  # key letter (B lab, Z/K imaging) priced per coefficient point
    coefficient: ExactDecimal | None = None
    by_facility: dict[FacilityKind, Money] | None = None  # hospital day: public and private

    @model_validator(mode="after")
    def _one_pricing(self) -> Act:
        ways = [self.tariff is not None, self.letter is not None, self.by_facility is not None]
        if sum(ways) != 1:
            raise ValueError("give exactly one of tariff, letter + coefficient, by_facility")
        if (self.letter is None) != (self.coefficient is None):
            raise ValueError("letter and coefficient go together")
        if self.by_facility is not None:
            _both_facilities(self.by_facility, "by_facility")
        return self

    def unit_tariff(self, facility: FacilityKind, key_letters: dict[str, Money]) -> Money:
        if self.tariff is not None:
            return self.tariff
        if self.by_facility is not None:
            return self.by_facility[facility]
        # The validator makes a letter and its coefficient go together.
        assert self.letter is not None and self.coefficient is not None
        return key_letters[self.letter].scaled(self.coefficient)


class Medicine(Frozen):
    name: str
    public_price: Money
    reference_generic: str | None = None  # code of the generic whose price is the base


class AldCondition(Frozen):
    label: str
    lifelong: bool = False


class AldList(Frozen):
    validity_years: PositiveInt
    conditions: dict[str, AldCondition]


class Rates(Frozen):
    ambulatory: Percent
    hospital: dict[FacilityKind, Percent]
    medicine: Percent
    ald: Percent

    @model_validator(mode="after")
    def _hospital_rates(self) -> Rates:
        _both_facilities(self.hospital, "hospital")
        return self


class PriorApproval(Frozen):
    kinds: frozenset[CareKind]
    facilities: frozenset[FacilityKind]


class DirectPayment(Frozen):
    """Tiers payant: these facilities are paid by the fund when the file reaches the threshold."""

    facilities: frozenset[FacilityKind]
    threshold: Money


class Tariffs(Frozen):
    version: str = Field(min_length=1)
    effective_from: dt.date
    sources: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    filing_deadline_days: PositiveInt
    prior_approval: PriorApproval
    direct_payment: DirectPayment
    rates: Rates
    key_letters: dict[str, Money]
    acts: dict[str, Act]
    excluded: dict[str, str]  # code -> label of items never reimbursed
    medicines: dict[str, Medicine]
    ald: AldList

    @model_validator(mode="after")
    def _references_resolve(self) -> Tariffs:
        for code, act in self.acts.items():
            if act.letter is not None and act.letter not in self.key_letters:
                raise ValueError(f"act {code}: key letter {act.letter} is not in key_letters")
        for code, medicine in self.medicines.items():
            generic = medicine.reference_generic
            if generic is not None and (generic == code or generic not in self.medicines):
                raise ValueError(f"medicine {code}: reference generic {generic} is not listed")
        if clash := set(self.acts) & set(self.excluded):
            raise ValueError(f"codes both payable and excluded: {sorted(clash)}")
        return self

    def reference_price(self, medicine_code: str) -> Money:
        medicine = self.medicines[medicine_code]
        if medicine.reference_generic is None:
            return medicine.public_price
        return self.medicines[medicine.reference_generic].public_price

    def rate_for(self, act: Act, facility: FacilityKind) -> Decimal:
        if act.kind is CareKind.HOSPITAL:
            return self.rates.hospital[facility]
        return self.rates.ambulatory

    def needs_prior_approval(self, act: Act, facility: FacilityKind) -> bool:
        return act.kind in self.prior_approval.kinds and facility in self.prior_approval.facilities


class NoTariffInForce(LookupError):
    """The date lies before the first tariff version."""


TariffBook = DatedBook[Tariffs]
