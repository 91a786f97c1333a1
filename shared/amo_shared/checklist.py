"""The document checklist: dated contract data saying which documents an application needs.

The documents service lists every missing document at once from it; eligibility owns its content.
Versions live in `data/checklists/<effective_from>.yaml`, shipped inside the package.

Sections added after version 2025.1 (`guardian`, `every_member`, `qualifying`) are optional:
absent, the older version asks what it always asked. With `qualifying`, documents are asked only
for dependants who can be covered, by the same age limits as the eligibility rules in force (the
eligibility tests check that they agree on every day).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from amo_shared.dated import in_force, load_versions
from amo_shared.events import ApplicantFacts, Category, Dependant, DocumentKind, Relationship

MemberCondition = Literal["survivor_pension_declared"]
# student, disabled, kafala: the dependant's declared status. student_from_child_limit: declared a
# student, unmarried, and aged from `qualifying.child_max_age` (in completed years on the filing
# date) up to the student limit: the only students whose studies extend their coverage.
DependantCondition = Literal["student", "disabled", "kafala", "student_from_child_limit"]


class RequiredDocument(BaseModel):
    """One document to provide; `dependant` is the index in `facts.dependants` (None: the member)."""

    model_config = ConfigDict(frozen=True)
    kind: DocumentKind
    dependant: int | None = None
    label_fr: str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Item(_Strict):
    kind: DocumentKind
    when: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_kind(cls, value: object) -> object:
        return {"kind": value} if isinstance(value, str) else value


class MemberItem(_Item):
    when: MemberCondition | None = None


class DependantItem(_Item):
    when: DependantCondition | None = None


class Identity(_Strict):
    nationals: frozenset[str] = Field(min_length=1)
    national: DocumentKind
    foreigner: DocumentKind


class GuardianDocument(_Item):
    when: None = None
    label_fr: str | None = None  # the document is someone else's: say whose


class GuardianFiling(_Strict):
    """An orphan below `below_age` has no CNIE: the guardian files with these documents instead
    of the orphan's identity document."""

    below_age: int = Field(ge=1)
    documents: list[GuardianDocument] = Field(min_length=1)


class Qualifying(_Strict):
    """The age limits (completed years) within which a child can be covered."""

    child_max_age: int = Field(ge=0)
    student_max_age: int = Field(ge=0)


class Checklist(_Strict):
    version: str = Field(min_length=1)
    effective_from: date
    identity: Identity
    members: dict[Category, list[MemberItem]]
    dependants: dict[Relationship, list[DependantItem]]
    labels_fr: dict[DocumentKind, str]
    guardian: GuardianFiling | None = None
    every_member: list[MemberItem] = Field(default_factory=list)  # after the proof of category
    qualifying: Qualifying | None = None

    @field_validator("members", "dependants")
    @classmethod
    def _every_case_listed(cls, value: dict[Any, Any], info: ValidationInfo) -> dict[Any, Any]:
        expected = set(Category) if info.field_name == "members" else set(Relationship)
        if missing := sorted(str(key) for key in expected - set(value)):
            raise ValueError(f"no entry for {missing}")
        return value

    @model_validator(mode="after")
    def _every_kind_labelled(self) -> Checklist:
        used = {self.identity.national, self.identity.foreigner}
        lists: list[list[MemberItem] | list[DependantItem] | list[GuardianDocument]] = [
            *self.members.values(),
            *self.dependants.values(),
            self.every_member,
            self.guardian.documents if self.guardian else [],
        ]
        used |= {item.kind for items in lists for item in items}
        if missing := sorted(str(kind) for kind in used - set(self.labels_fr)):
            raise ValueError(f"labels_fr: no label for {missing}")
        return self

    def required_documents(
        self, facts: ApplicantFacts, as_of: date | None = None
    ) -> list[RequiredDocument]:
        """Every document `facts` need when filed on `as_of`. Without a date (a checklist shown
        before filing) ages are unknown: no dependant is left out for their age, and an orphan is
        filed by a guardian when one is declared."""
        wanted = self._member_documents(facts, as_of)
        for index, person in enumerate(facts.dependants):
            age = _age(person.birth_date, as_of) if as_of else None
            if not self._can_qualify(person, age):
                continue  # nothing asked for a dependant who will be excluded anyway
            for item in self.dependants[person.relationship]:
                if self._dependant_needs(item, person, age):
                    label = f"{self.labels_fr[item.kind]} — {person.first_name} {person.last_name}"
                    wanted.append(RequiredDocument(kind=item.kind, dependant=index, label_fr=label))
        return wanted

    def filed_by_guardian(self, facts: ApplicantFacts, as_of: date | None = None) -> bool:
        if self.guardian is None or facts.category is not Category.ORPHAN:
            return False
        if as_of is None:
            return facts.guardian is not None
        return _age(facts.birth_date, as_of) < self.guardian.below_age

    def _member_documents(
        self, facts: ApplicantFacts, as_of: date | None
    ) -> list[RequiredDocument]:
        if self.guardian and self.filed_by_guardian(facts, as_of):
            first = [
                RequiredDocument(kind=d.kind, label_fr=d.label_fr or self.labels_fr[d.kind])
                for d in self.guardian.documents
            ]
        else:
            national = facts.nationality.upper() in self.identity.nationals
            identity = self.identity.national if national else self.identity.foreigner
            first = [RequiredDocument(kind=identity, label_fr=self.labels_fr[identity])]
        items = [*self.members[facts.category], *self.every_member]
        kinds = [i.kind for i in items if _member_needs(i, facts)]
        return first + [RequiredDocument(kind=k, label_fr=self.labels_fr[k]) for k in kinds]

    def _can_qualify(self, person: Dependant, age: int | None) -> bool:
        limits = self.qualifying
        if limits is None:
            return True
        if person.relationship is Relationship.SPOUSE:
            return not person.insured_elsewhere
        if age is None or person.disabled or age <= limits.child_max_age:
            return True
        return person.student and not person.married and age <= limits.student_max_age

    def _dependant_needs(self, item: DependantItem, person: Dependant, age: int | None) -> bool:
        if item.when != "student_from_child_limit":
            return item.when is None or bool(getattr(person, item.when))
        if not person.student or person.married:
            return False
        limits = self.qualifying
        if limits is None or age is None:
            return True
        return limits.child_max_age <= age <= limits.student_max_age


def _member_needs(item: MemberItem, facts: ApplicantFacts) -> bool:
    return item.when is None or (
        item.when == "survivor_pension_declared" and bool(facts.survivor_pension)
    )


def _age(birth_date: date, on: date) -> int:
    """Age in completed years on `on`; born on 29 February, a year older on 28 February of a
    common year (as the eligibility rules count)."""
    try:
        birthday = birth_date.replace(year=on.year)
    except ValueError:
        birthday = date(on.year, 2, 28)
    return on.year - birth_date.year - int(on < birthday)


class ChecklistFileError(ValueError):
    """A checklist file that cannot be trusted: its name, and every field at fault."""


def load_checklists(directory: Traversable) -> list[Checklist]:
    """Every checklist version of `directory`, oldest first."""
    return load_versions(directory, Checklist, error=ChecklistFileError, what="checklist")


@cache
def _shipped() -> tuple[Checklist, ...]:
    return tuple(load_checklists(files("amo_shared") / "data" / "checklists"))


def checklist_as_of(as_of: date, checklists: tuple[Checklist, ...] | None = None) -> Checklist:
    """The checklist version in force on `as_of` (an error before the first one)."""
    return in_force(checklists or _shipped(), as_of, "document checklist")


def required_documents(facts: ApplicantFacts, as_of: date) -> list[RequiredDocument]:
    """Every document the application needs: identity (or the guardian's documents), proof of
    category, the member's photo and RIB, then each dependant's who can be covered."""
    return checklist_as_of(as_of).required_documents(facts, as_of)


def guardian_below_age(as_of: date) -> int | None:
    """Below this age (completed years) an orphan is filed by a guardian; None: no such rule."""
    guardian = checklist_as_of(as_of).guardian
    return guardian.below_age if guardian else None


def checklist_version(as_of: date) -> str:
    return checklist_as_of(as_of).version
