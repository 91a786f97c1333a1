"""Domain checks on declared facts, the applicant token and the masked CNIE."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from amo_registration.domain import Contact, InvalidApplication, create
from amo_registration.domain.access import mask_cnie, new_token, token_matches
from amo_shared.events import ApplicantFacts

BASE = dict(first_name="Amina", last_name="Alaoui", birth_date=date(1990, 1, 1))
CATEGORY_FACTS = {
    "public_employee": dict(recruitment_date=date(2025, 9, 1)),
    "independent_worker": {},
    "liberal_profession": {},
    "retiree": dict(pension_fund="CMR", pension_number="P123"),
    "widow": dict(member_death_date=date(2025, 1, 1), survivor_pension=True),
    "orphan": dict(member_death_date=date(2025, 1, 1), survivor_pension=False),
}
FOREIGNER = dict(
    nationality="FR", residence_permit="RC998877", residence_permit_expiry=date(2030, 1, 1)
)


def make(**facts):
    return create(
        ApplicantFacts(**{**BASE, **facts}),
        Contact(email="a@b.ma", phone="0600000000"),
        datetime.now(UTC),
        token_sha256="x",
    )


@pytest.mark.parametrize("category", CATEGORY_FACTS)
def test_every_category_with_its_facts_is_accepted(category):
    assert make(cnie="AB123456", nationality="MA", category=category, **CATEGORY_FACTS[category])
    assert make(category=category, **FOREIGNER, **CATEGORY_FACTS[category])


@pytest.mark.parametrize(
    "category,missing",
    [
        ("public_employee", "recruitment_date"),
        ("retiree", "pension_fund"),
        ("retiree", "pension_number"),
        ("widow", "member_death_date"),
        ("widow", "survivor_pension"),
        ("orphan", "member_death_date"),
        ("orphan", "survivor_pension"),
    ],
)
def test_a_missing_category_fact_is_named(category, missing):
    facts = {k: v for k, v in CATEGORY_FACTS[category].items() if k != missing}
    with pytest.raises(InvalidApplication) as err:
        make(cnie="AB123456", nationality="MA", category=category, **facts)
    assert err.value.field == missing


def test_a_survivor_without_a_pension_is_still_a_complete_declaration():
    # False is a fact (rights for 24 months), not a missing one.
    assert make(
        cnie="AB123456",
        nationality="MA",
        category="widow",
        member_death_date=date(2025, 1, 1),
        survivor_pension=False,
    )


def test_moroccan_nationals_need_a_cnie():
    with pytest.raises(InvalidApplication) as err:
        make(nationality="MA", category="independent_worker")
    assert err.value.field == "cnie"
    with pytest.raises(InvalidApplication):
        make(cnie="  ", nationality="MA", category="independent_worker")


@pytest.mark.parametrize("missing", ["residence_permit", "residence_permit_expiry"])
def test_foreigners_need_a_residence_permit_and_its_expiry(missing):
    facts = {k: v for k, v in FOREIGNER.items() if k != missing}
    with pytest.raises(InvalidApplication) as err:
        make(cnie="AB123456", category="independent_worker", **facts)
    assert err.value.field == missing
    assert "RC998877" not in str(err.value)


def test_token_is_random_and_only_its_digest_matches():
    token, digest = new_token()
    other, _ = new_token()
    assert token != other and len(token) >= 43 and token not in digest
    assert token_matches(token, digest)
    assert not token_matches(other, digest)
    assert not token_matches(None, digest) and not token_matches("", digest)


@pytest.mark.parametrize(
    "cnie,masked",
    [("AB123456", "AB****56"), ("A12345", "A***45"), ("BK654321", "BK****21"), (None, None)],
)
def test_cnie_is_masked(cnie, masked):
    assert mask_cnie(cnie) == masked
