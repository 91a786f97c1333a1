"""The dated reference lists besides tariffs: approved medicines, long-term illnesses (ALD),
approved facilities, and the claim rules (deadlines, the prescriber's INPE format, schemes).

Each is one complete file per version, with its sources; an entry that is a placeholder rather
than an official one says so (`illustrative`)."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import Field, NonNegativeInt, PositiveInt, field_validator, model_validator

from amo_shared.events import Category

from .money import Money
from .tariffs import FacilityKind, Frozen, Scheme


class Dated(Frozen):
    version: str = Field(min_length=1)
    effective_from: dt.date
    sources: tuple[str, ...] = Field(min_length=1)
    assumptions: tuple[str, ...] = ()


class Medicine(Frozen):
    name: str = Field(min_length=1)
    public_price: Money
    reference_generic: str | None = None  # barcode of the generic whose price is the base
    illustrative: bool = False


class MedicineList(Dated):
    """The approved list (Guide des médicaments remboursables), keyed by barcode."""

    medicines: dict[str, Medicine]

    @model_validator(mode="after")
    def _generics_listed(self) -> MedicineList:
        for code, medicine in self.medicines.items():
            generic = medicine.reference_generic
            if generic is not None and (generic == code or generic not in self.medicines):
                raise ValueError(f"medicine {code}: reference generic {generic} is not listed")
        return self

    def reference_price(self, code: str) -> Money:
        medicine = self.medicines[code]
        if medicine.reference_generic is None:
            return medicine.public_price
        return self.medicines[medicine.reference_generic].public_price


class AldCondition(Frozen):
    label: str = Field(min_length=1)
    lifelong: bool = False  # the exemption is for life, not for `validity_years`
    illustrative: bool = False


class AldList(Dated):
    validity_years: PositiveInt
    conditions: dict[str, AldCondition]


class Facility(Frozen):
    name: str = Field(min_length=1)
    kind: FacilityKind
    city: str = Field(min_length=1)
    approved_from: dt.date
    approved_until: dt.date | None = None  # None: still approved
    # The RIB (24 digits) the fund pays for direct billing; None: the facility is not paid
    # until its account is on file.
    account: str | None = Field(None, pattern=r"^[0-9]{24}$")
    illustrative: bool = False

    def approved_on(self, day: dt.date) -> bool:
        ends = self.approved_until
        return self.approved_from <= day and (ends is None or day <= ends)


class FacilityList(Dated):
    """Approved facilities by identifier, each with its own approval dates."""

    facilities: dict[str, Facility]


class DeadlineSuspension(Frozen):
    """A window during which filing deadlines did not run (a decision of the fund)."""

    first_day: dt.date
    last_day: dt.date
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> DeadlineSuspension:
        if self.last_day < self.first_day:
            raise ValueError("last_day is before first_day")
        return self


class Deadlines(Frozen):
    member_days: PositiveInt  # from the end of a continuous treatment
    facility_days: PositiveInt  # facilities billing the fund directly
    # Acts no further apart than this are one continuous treatment.
    continuous_treatment_gap_days: NonNegativeInt
    suspensions: tuple[DeadlineSuspension, ...] = ()


class Attachments(Frozen):
    """The papers a member's claim needs (a facility billing directly sends none: it bills
    electronically): always `always`; `medicine` for a medicine; `prescribed_act` for an act
    priced by one of the `prescribed_letters` (lab B, imaging Z/K: done on a prescription);
    `hospital` for hospital care."""

    always: tuple[str, ...]
    medicine: tuple[str, ...] = ()
    prescribed_act: tuple[str, ...] = ()
    # A tuple, not a set: the version's digest is of its dump, which must not vary by process.
    prescribed_letters: tuple[str, ...] = ()
    hospital: tuple[str, ...] = ()


class MedicalReview(Frozen):
    """What automation does not decide alone: an operator (medical review) looks first."""

    notes: tuple[str, ...] = ()  # reason codes of a paid line's notes that call for review
    above: Money | None = None  # a claim reimbursing more than this


class ClaimRules(Dated):
    deadlines: Deadlines
    inpe_pattern: str = Field(min_length=1)  # the prescriber's INPE, a full-match regex
    schemes: dict[str, Scheme]  # card category -> the scheme whose tariffs apply
    attachments: Attachments
    medical_review: MedicalReview = MedicalReview()
    prior_approval_days: int = Field(90, gt=0)  # an approval's validity by default

    @field_validator("inpe_pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return pattern

    @field_validator("schemes")
    @classmethod
    def _every_category(cls, schemes: dict[str, Scheme]) -> dict[str, Scheme]:
        if missing := sorted(set(Category) - set(schemes)):
            raise ValueError(f"no scheme for categories {', '.join(missing)}")
        if unknown := sorted(set(schemes) - set(Category)):
            raise ValueError(f"not card categories: {', '.join(unknown)}")
        return schemes

    def inpe_valid(self, inpe: str) -> bool:
        return re.fullmatch(self.inpe_pattern, inpe) is not None
