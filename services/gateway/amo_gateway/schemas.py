"""The public request body of a new application, with the checks a form would make.

Validation messages name the rule, never the value: the CNIE and permit numbers are personal data.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from amo_gateway.countries import MOROCCO, normalise_country
from amo_shared.events import Category, Relationship
from amo_shared.limits import DEPENDANTS_PER_APPLICATION, EMAIL_MAX, PHONE_MAX
from amo_shared.rib import InvalidRib, normalise_rib
from amo_shared.text import BirthDate, FreeText, PersonName, plain

CNIE = re.compile(r"^[A-Z]{1,2}[0-9]{5,6}$")
PHONE = re.compile(r"^\+?[0-9]{9,15}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")

# Names, free text and birth dates follow the platform's text rules (`amo_shared.text`).
Name = PersonName
Text = FreeText
# Checked by shape below; the plain-text rule keeps control and bidi characters out first.
Plain = AfterValidator(plain)
MemberNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9]{1,16}$")
]


class _Body(BaseModel):
    # Unknown fields are ignored: older and newer clients keep working.
    model_config = ConfigDict(extra="ignore")


class DependantIn(_Body):
    relationship: Relationship
    first_name: Name
    last_name: Name
    birth_date: BirthDate
    student: bool = False
    disabled: bool = False
    # A spouse insured under another scheme is covered there.
    insured_elsewhere: bool = False
    # Past the child age limit a student is covered only while unmarried.
    married: bool = False
    # A child in the applicant's care by a kafala judgment.
    kafala: bool = False


def cnie_format(value: str) -> str:
    value = value.strip().upper()
    if not CNIE.match(value):
        raise ValueError("must be 1 or 2 letters followed by 5 or 6 digits")
    return value


class GuardianIn(_Body):
    """Who files for an orphan too young to hold a CNIE (registration decides the age)."""

    cnie: Annotated[str, Field(max_length=16), Plain]
    first_name: Name
    last_name: Name
    relationship: Text

    _cnie = field_validator("cnie")(cnie_format)


class NewApplication(_Body):
    # Fields validate in this order, and the identity checks below read the earlier ones:
    # nationality, then the guardian (an orphan filed by one has no CNIE), then the CNIE.
    nationality: str = Field(min_length=2, max_length=2)
    guardian: GuardianIn | None = None
    cnie: Annotated[str, Plain] | None = Field(None, validate_default=True, max_length=16)
    cnie_expiry: date | None = Field(None, validate_default=True)
    residence_permit: Text | None = Field(None, validate_default=True)
    residence_permit_expiry: date | None = None
    first_name: Name
    last_name: Name
    birth_date: BirthDate
    category: Category
    employer: Text | None = None
    email: Annotated[str, Field(max_length=EMAIL_MAX), Plain]
    phone: Annotated[str, Field(max_length=PHONE_MAX), Plain]
    language: Literal["fr", "ar"] = "fr"
    # Required: reimbursements are paid to it. Normalised here, sealed by registration, never
    # echoed.
    rib: Annotated[str, Field(max_length=64), Plain]
    recruitment_date: date | None = None
    # Any text: the eligibility rules decide which schemes waive the waiting period.
    previous_scheme: Text | None = None
    pension_fund: Text | None = None
    pension_number: Text | None = None
    retirement_date: date | None = None
    member_death_date: date | None = None
    survivor_pension: bool | None = None
    deceased_member_number: MemberNumber | None = None
    dependants: list[DependantIn] = Field(
        default_factory=list, max_length=DEPENDANTS_PER_APPLICATION
    )

    @field_validator("nationality")
    @classmethod
    def _country(cls, value: str) -> str:
        return normalise_country(value)

    @field_validator("cnie")
    @classmethod
    def _cnie(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            # An orphan filed by a guardian has none; registration checks that case's age.
            if info.data.get("nationality") == MOROCCO and info.data.get("guardian") is None:
                raise ValueError("required for Moroccan nationals")
            return None
        return cnie_format(value)

    @field_validator("cnie_expiry")
    @classmethod
    def _cnie_expiry(cls, value: date | None, info: ValidationInfo) -> date | None:
        if info.data.get("cnie") is None:
            return value
        if value is None:
            raise ValueError("required with a CNIE")
        if value < date.today():
            raise ValueError("the CNIE has expired: renew it before filing")
        return value

    @field_validator("residence_permit")
    @classmethod
    def _permit(cls, value: str | None, info: ValidationInfo) -> str | None:
        nationality = info.data.get("nationality")
        if value is None and nationality is not None and nationality != MOROCCO:
            raise ValueError("required for applicants who are not Moroccan nationals")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        if not EMAIL.match(value):
            raise ValueError("must be an email address")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        value = re.sub(r"[\s.\-()]", "", value)
        if not PHONE.match(value):
            raise ValueError("must be a phone number: 9 to 15 digits, optionally after +")
        return value

    @field_validator("rib")
    @classmethod
    def _rib(cls, value: str) -> str:
        try:
            return normalise_rib(value)
        except InvalidRib as exc:
            raise ValueError(str(exc)) from None

    def to_registration(self) -> dict[str, Any]:
        """The internal body: the applicant's facts, then contact and bank details apart."""
        applicant = self.model_dump(mode="json", exclude={"email", "phone", "language", "rib"})
        return {
            "applicant": applicant,
            "email": self.email,
            "phone": self.phone,
            "language": self.language,
            "rib": self.rib,
        }


class ApplicationCreated(BaseModel):
    id: str
    status: str


class StoredDocument(BaseModel):
    kind: str
    size: int
    sha256: str
    content_type: str
    dependant: int | None = None
