"""End to end, checked on the card an applicant reads (`GET /v1/applications/{id}/card`): who is
covered, for how long, and who pays, in the family cases the published rules name."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from amo_testkit import applicant, orphan_by_guardian

TODAY = date.today()


def born(years: int, days: int = 100) -> str:
    """A birth date `years` (and `days`) ago: clear of any birthday threshold."""
    return str(date(TODAY.year - years, TODAY.month, min(TODAY.day, 28)) - timedelta(days=days))


def person(relationship: str, first_name: str, years: int, **flags) -> dict:
    return {
        "relationship": relationship,
        "first_name": first_name,
        "last_name": "Alaoui",
        "birth_date": born(years),
    } | flags


async def card_of(applicants, body: dict) -> dict:
    app = await applicants.file(body)
    view = await app.wait_for("card_issued", "ineligible", "incomplete")
    assert view["status"] == "card_issued", view
    card = await app.card()
    assert card["member_number"] == view["card"]["member_number"]
    return card


def covered(card: dict) -> list[tuple[str, str]]:
    return [(b["relationship"], b["first_name"]) for b in card["beneficiaries"]]


@pytest.mark.parametrize(
    "dependant,included",
    [
        (person("spouse", "Karim", 40, insured_elsewhere=True), False),
        (person("child", "Sara", 24, student=True), True),
        (person("child", "Omar", 24, student=True, married=True), False),
        (person("child", "Nour", 8, kafala=True), True),
        (person("child", "Adam", 35, disabled=True), True),
    ],
    ids=["spouse_insured_elsewhere", "student_24", "married_student", "kafala", "disabled_35"],
)
async def test_who_a_dependant_case_covers(applicants, dependant, included):
    card = await card_of(applicants, applicant("public_employee", dependants=[dependant]))
    expected = [("self", "Amina")] + (
        [(dependant["relationship"], dependant["first_name"])] if included else []
    )
    assert covered(card) == expected, card
    assert [b["rank"] for b in card["beneficiaries"]] == list(range(len(expected)))
    assert all(b["status"] == "active" and b["coverage_from"] for b in card["beneficiaries"])
    if included:
        child = card["beneficiaries"][1]
        if dependant.get("disabled"):
            assert child["coverage_until"] is None or child["coverage_until"] == card["valid_until"]
        elif dependant.get("student"):
            # Covered as a student up to the student age limit (26, or 30 under law 54-23): until
            # the day before the birthday past it, not for as long as the member.
            birth = date.fromisoformat(dependant["birth_date"])
            limits = {str(birth.replace(year=birth.year + n) - timedelta(days=1)) for n in (27, 31)}
            assert child["coverage_until"] in limits, child


async def test_an_orphan_of_ten_filed_by_a_guardian(applicants):
    deceased = await applicants.member()
    card = await card_of(applicants, orphan_by_guardian(10, deceased_member_number=deceased))
    assert covered(card) == [("self", "Yasmine")]
    assert card["deceased_member_number"] == deceased
    assert card["category"] == "orphan"


async def test_a_foreign_recruit_with_four_dependants(applicants):
    body = applicant(
        "public_employee",
        cnie=None,
        cnie_expiry=None,
        nationality="FR",
        residence_permit="RP445566",
        residence_permit_expiry=str(TODAY + timedelta(days=3 * 365)),
        first_name="Claire",
        dependants=[
            person("spouse", "Paul", 40),
            person("child", "Lea", 12),
            person("child", "Hugo", 9),
            person("child", "Emma", 4),
        ],
    )
    card = await card_of(applicants, body)
    assert covered(card) == [
        ("self", "Claire"),
        ("spouse", "Paul"),
        ("child", "Lea"),
        ("child", "Hugo"),
        ("child", "Emma"),
    ]
    assert [b["rank"] for b in card["beneficiaries"]] == [0, 1, 2, 3, 4]


async def test_a_widow_without_pension_is_covered_until_death_plus_24_months(applicants):
    death = TODAY - timedelta(days=200)
    body = applicant(
        "widow",
        member_death_date=str(death),
        survivor_pension=False,
        deceased_member_number=await applicants.member(),
    )
    card = await card_of(applicants, body)
    try:
        end = death.replace(year=death.year + 2)
    except ValueError:  # 29 February
        end = date(death.year + 2, 3, 1)
    assert date.fromisoformat(card["valid_until"]) in (end, end - timedelta(days=1)), card
    assert card["beneficiaries"][0]["coverage_until"] == card["valid_until"]


async def test_an_independent_workers_payer_is_cnss(applicants):
    card = await card_of(applicants, applicant("independent_worker"))
    assert card["payer"] == "CNSS"
    public = await card_of(applicants, applicant("public_employee"))
    assert public["payer"] != "CNSS"
