"""The one checklist shown before filing: every document the applicant will need, at once."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError

from amo_gateway.countries import normalise_country
from amo_shared.checklist import checklist_as_of
from amo_shared.events import ApplicantFacts, Category, Dependant, Relationship
from amo_shared.limits import DEPENDANTS_PER_APPLICATION

router = APIRouter(prefix="/v1", tags=["checklist"])

FLAGS = frozenset({"student", "disabled"})
MAX_DEPENDANTS = DEPENDANTS_PER_APPLICATION
# The checklist's rules look at the relationship and flags only; names and dates are placeholders.
PLACEHOLDER = dict(first_name="-", last_name="-", birth_date=date(2000, 1, 1))


@router.get("/checklist")
async def checklist(
    category: Category,
    nationality: Annotated[str, Query(min_length=2, max_length=2)] = "MA",
    dependants: Annotated[
        str,
        Query(
            max_length=400,
            description=(
                "Comma-separated: spouse, child, child_student, child_disabled, child_student_disabled"
            ),
        ),
    ] = "",
    survivor_pension: bool = False,
) -> dict[str, Any]:
    try:
        country = normalise_country(nationality)
    except ValueError as exc:
        raise invalid("nationality", str(exc)) from None
    people = parse_dependants(dependants)
    facts = ApplicantFacts(
        nationality=country,
        category=category,
        dependants=people,
        survivor_pension=survivor_pension,
        **PLACEHOLDER,
    )
    today = date.today()
    version = checklist_as_of(today)
    documents = [
        {
            "kind": doc.kind.value,
            "dependant": doc.dependant,
            "label_fr": version.labels_fr[doc.kind],
        }
        | (
            {"relationship": people[doc.dependant].relationship.value}
            if doc.dependant is not None
            else {}
        )
        for doc in version.required_documents(facts)
    ]
    return {"version": version.version, "as_of": today.isoformat(), "documents": documents}


def parse_dependants(raw: str) -> list[Dependant]:
    people = []
    for token in filter(None, (t.strip().lower() for t in raw.split(","))):
        relationship, *flags = token.split("_")
        if relationship not in set(Relationship) or not set(flags) <= FLAGS:
            raise invalid(
                "dependants", "each item is spouse or child, optionally _student and/or _disabled"
            )
        people.append(
            Dependant(relationship=relationship, **{f: True for f in flags}, **PLACEHOLDER)
        )
    if len(people) > MAX_DEPENDANTS:
        raise invalid("dependants", f"at most {MAX_DEPENDANTS} dependants")
    return people


def invalid(field: str, message: str) -> RequestValidationError:
    return RequestValidationError(
        [{"loc": ("query", field), "msg": message, "type": "value_error"}]
    )
