"""One dated version of a scheme's reference tariffs and the rates that go with them (Tariffs):
an act is priced on the version of the member's scheme in force on its own date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from amo_shared.dated import DatedBook

from .money import ExactDecimal, Money, Percent


class Frozen(BaseModel):
    # extra="forbid": a misspelt key in a tariff file must fail, not be silently ignored.
    model_config = ConfigDict(frozen=True, extra="forbid")


class Scheme(StrEnum):
    """Whose tariff table applies: the public-sector AMO's, or the non-salaried workers' (CNSS).

    The scheme is not the managing body: law 54-23 moves the public-sector AMO's management to
    CNSS without making its members non-salaried, so the scheme comes from the category."""

    CNOPS = "CNOPS"  # public-sector AMO: employees, retirees, survivors
    CNSS = "CNSS"  # AMO of non-salaried workers (law 98-15)


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
    illustrative: bool = False  # a placeholder figure, not the official nomenclature's

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
    """Tiers payant: these facilities are paid by the fund when the file reaches the threshold;
    care under a prior approval in `with_prior_approval` facilities is paid to the facility."""

    facilities: frozenset[FacilityKind]
    threshold: Money
    with_prior_approval: frozenset[FacilityKind] = frozenset()


class Tariffs(Frozen):
    version: str = Field(min_length=1)
    scheme: Scheme
    effective_from: dt.date
    sources: tuple[str, ...] = Field(min_length=1)
    assumptions: tuple[str, ...] = ()
    prior_approval: PriorApproval
    direct_payment: DirectPayment
    rates: Rates
    key_letters: dict[str, Money]
    acts: dict[str, Act]
    excluded: dict[str, str]  # code -> label of items never reimbursed

    @model_validator(mode="after")
    def _references_resolve(self) -> Tariffs:
        for code, act in self.acts.items():
            if act.letter is not None and act.letter not in self.key_letters:
                raise ValueError(f"act {code}: key letter {act.letter} is not in key_letters")
        if clash := set(self.acts) & set(self.excluded):
            raise ValueError(f"codes both payable and excluded: {sorted(clash)}")
        return self

    def rate_for(self, act: Act, facility: FacilityKind) -> Decimal:
        if act.kind is CareKind.HOSPITAL:
            return self.rates.hospital[facility]
        return self.rates.ambulatory

    def needs_prior_approval(self, act: Act, facility: FacilityKind) -> bool:
        return act.kind in self.prior_approval.kinds and facility in self.prior_approval.facilities


class NoTariffInForce(LookupError):
    """The date lies before the first version of a dated registry (tariffs, lists, rules)."""


TariffBook = DatedBook[Tariffs]
