"""The document checklist: dated contract data saying which documents an application needs.

The documents service lists every missing document at once from it; eligibility owns its content.
Versions live in `data/checklists/<effective_from>.yaml`, shipped inside the package.
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
DependantCondition = Literal["student", "disabled"]


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


class Checklist(_Strict):
    version: str = Field(min_length=1)
    effective_from: date
    identity: Identity
    members: dict[Category, list[MemberItem]]
    dependants: dict[Relationship, list[DependantItem]]
    labels_fr: dict[DocumentKind, str]

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
        lists: list[list[MemberItem] | list[DependantItem]] = [
            *self.members.values(),
            *self.dependants.values(),
        ]
        used |= {item.kind for items in lists for item in items}
        if missing := sorted(str(kind) for kind in used - set(self.labels_fr)):
            raise ValueError(f"labels_fr: no label for {missing}")
        return self

    def required_documents(self, facts: ApplicantFacts) -> list[RequiredDocument]:
        national = facts.nationality.upper() in self.identity.nationals
        identity = self.identity.national if national else self.identity.foreigner
        kinds = [identity] + [
            i.kind for i in self.members[facts.category] if _member_needs(i, facts)
        ]
        wanted = [RequiredDocument(kind=k, label_fr=self.labels_fr[k]) for k in kinds]
        for index, person in enumerate(facts.dependants):
            for item in self.dependants[person.relationship]:
                if _dependant_needs(item, person):
                    label = f"{self.labels_fr[item.kind]} — {person.first_name} {person.last_name}"
                    wanted.append(RequiredDocument(kind=item.kind, dependant=index, label_fr=label))
        return wanted


def _member_needs(item: MemberItem, facts: ApplicantFacts) -> bool:
    return item.when is None or (
        item.when == "survivor_pension_declared" and bool(facts.survivor_pension)
    )


def _dependant_needs(item: DependantItem, person: Dependant) -> bool:
    return item.when is None or getattr(person, item.when)


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
    """Every document the application needs: identity, proof of category, then each dependant's."""
    return checklist_as_of(as_of).required_documents(facts)


def checklist_version(as_of: date) -> str:
    return checklist_as_of(as_of).version
