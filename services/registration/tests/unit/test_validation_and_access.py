"""Domain checks on declared facts, the applicant token and the masked CNIE."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amo_registration.domain import (
    ORPHAN_SELF_FILING_AGE,
    Contact,
    InvalidApplication,
    create,
    submit,
)
from amo_registration.domain.access import mask_cnie, opens
from amo_registration.domain.validation import age_on
from amo_shared.events import ApplicantFacts, Guardian

BASE = dict(first_name="Amina", last_name="Alaoui", birth_date=date(1990, 1, 1))
IN_FORCE = dict(cnie="AB123456", cnie_expiry=date(2031, 1, 1))
SURVIVOR = dict(member_death_date=date(2025, 1, 1), deceased_member_number="M12345678")
GUARDIAN = Guardian(cnie="BK654321", first_name="Samira", last_name="Alaoui", relationship="aunt")
CATEGORY_FACTS = {
    "public_employee": dict(recruitment_date=date(2025, 9, 1)),
    "independent_worker": {},
    "liberal_profession": {},
    "retiree": dict(pension_fund="CMR", pension_number="P123"),
    "widow": dict(**SURVIVOR, survivor_pension=True),
    # Born 1990: an orphan who files with a CNIE of their own.
    "orphan": dict(**SURVIVOR, survivor_pension=False),
}
FOREIGNER = dict(
    nationality="FR", residence_permit="RC998877", residence_permit_expiry=date(2030, 1, 1)
)


def make(on: date | None = None, **facts):
    return create(
        ApplicantFacts(**{**BASE, **facts}),
        Contact(email="a@b.ma", phone="0600000000"),
        datetime.combine(on, time(9), UTC) if on else datetime.now(UTC),
        owner="sub-x",
    )


@pytest.mark.parametrize("category", CATEGORY_FACTS)
def test_every_category_with_its_facts_is_accepted(category):
    assert make(**IN_FORCE, nationality="MA", category=category, **CATEGORY_FACTS[category])
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
        ("widow", "deceased_member_number"),
        ("orphan", "deceased_member_number"),
    ],
)
def test_a_missing_category_fact_is_named(category, missing):
    facts = {k: v for k, v in CATEGORY_FACTS[category].items() if k != missing}
    with pytest.raises(InvalidApplication) as err:
        make(**IN_FORCE, nationality="MA", category=category, **facts)
    assert err.value.field == missing


def test_a_survivor_without_a_pension_is_still_a_complete_declaration():
    # False is a fact (rights for 24 months), not a missing one.
    assert make(**IN_FORCE, nationality="MA", category="widow", **SURVIVOR, survivor_pension=False)


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
        make(**IN_FORCE, category="independent_worker", **facts)
    assert err.value.field == missing
    assert "RC998877" not in str(err.value)


def test_only_the_owning_account_opens_an_application():
    assert opens("sub-a", "sub-a")
    assert not opens("sub-a", "sub-b") and not opens("sub-a", "sub-") and not opens("sub-a", None)
    # A file from before accounts has no owner: no account, not even an empty one, opens it.
    assert not opens("", "") and not opens("", "sub-a")


@pytest.mark.parametrize(
    "cnie,masked",
    [("AB123456", "AB****56"), ("A12345", "A***45"), ("BK654321", "BK****21"), (None, None)],
)
def test_cnie_is_masked(cnie, masked):
    assert mask_cnie(cnie) == masked


FILING = date(2026, 3, 2)


@given(st.integers(min_value=-400, max_value=400))
def test_a_cnie_must_be_in_force_on_the_filing_date(days):
    expiry = FILING + timedelta(days=days)
    facts = dict(cnie="AB123456", cnie_expiry=expiry, nationality="MA", category="retiree")
    facts |= CATEGORY_FACTS["retiree"]
    if expiry >= FILING:
        assert make(on=FILING, **facts)
    else:
        with pytest.raises(InvalidApplication) as err:
            make(on=FILING, **facts)
        assert err.value.field == "cnie_expiry" and "2" not in err.value.message


def test_a_cnie_needs_its_expiry():
    with pytest.raises(InvalidApplication) as err:
        make(cnie="AB123456", nationality="MA", category="independent_worker")
    assert err.value.field == "cnie_expiry"


@given(st.integers(min_value=0, max_value=60))
def test_the_cnie_is_checked_again_at_each_filing(days_after_creation):
    expiry = FILING + timedelta(days=30)
    app = make(
        on=FILING,
        cnie="AB123456",
        cnie_expiry=expiry,
        nationality="MA",
        category="liberal_profession",
    )
    day = FILING + timedelta(days=days_after_creation)
    at = datetime.combine(day, time(9), UTC)
    if day <= expiry:
        assert submit(app, at) and app.submission == 1
    else:
        with pytest.raises(InvalidApplication) as err:
            submit(app, at)
        assert err.value.field == "cnie_expiry"
        assert (app.status, app.submission) == ("draft", 0)  # nothing filed


def orphan(birth_date: date, **facts):
    return dict(
        BASE | {"birth_date": birth_date},
        nationality="MA",
        category="orphan",
        survivor_pension=True,
        **SURVIVOR,
        **facts,
    )


@given(
    st.integers(
        min_value=(ORPHAN_SELF_FILING_AGE - 2) * 365, max_value=(ORPHAN_SELF_FILING_AGE + 2) * 365
    )
)
def test_an_orphan_under_16_is_filed_by_a_guardian_and_has_no_cnie(days_old):
    born = FILING - timedelta(days=days_old)
    young = age_on(born, FILING) < ORPHAN_SELF_FILING_AGE
    by_guardian = orphan(born, guardian=GUARDIAN)
    with_own_cnie = orphan(born, **IN_FORCE)
    if young:
        assert make(on=FILING, **by_guardian)
        for facts, field in ((with_own_cnie, "guardian"), (orphan(born), "guardian")):
            with pytest.raises(InvalidApplication) as err:
                make(on=FILING, **facts)
            assert err.value.field == field
        with pytest.raises(InvalidApplication) as err:
            make(on=FILING, **orphan(born, guardian=GUARDIAN, **IN_FORCE))
        assert err.value.field == "cnie"
    else:
        assert make(on=FILING, **with_own_cnie)
        with pytest.raises(InvalidApplication) as err:
            make(on=FILING, **orphan(born, guardian=GUARDIAN, **IN_FORCE))
        assert err.value.field == "guardian"
        with pytest.raises(InvalidApplication) as err:
            make(on=FILING, **orphan(born, guardian=GUARDIAN))
        assert err.value.field == "guardian"


def test_the_16th_birthday_is_the_threshold():
    born = date(FILING.year - ORPHAN_SELF_FILING_AGE, FILING.month, FILING.day)
    assert age_on(born, FILING) == ORPHAN_SELF_FILING_AGE
    assert age_on(born, FILING - timedelta(days=1)) == ORPHAN_SELF_FILING_AGE - 1
    assert make(on=FILING - timedelta(days=1), **orphan(born, guardian=GUARDIAN))
    assert make(on=FILING, **orphan(born, **IN_FORCE))


def test_only_an_orphan_has_a_guardian():
    with pytest.raises(InvalidApplication) as err:
        make(**IN_FORCE, nationality="MA", category="independent_worker", guardian=GUARDIAN)
    assert err.value.field == "guardian"


def test_the_guardian_age_mirrors_the_shared_checklist():
    # One rule in two places (the checklist asks for the guardian's documents): they agree.
    from amo_shared.checklist import guardian_below_age

    assert guardian_below_age(date.today()) == ORPHAN_SELF_FILING_AGE


def test_an_application_has_only_the_dependants_it_declares():
    facts = ApplicantFacts(
        cnie="AB123456",
        cnie_expiry=date(2099, 1, 1),
        first_name="Amina",
        last_name="Alaoui",
        birth_date=date(1985, 3, 2),
        nationality="MA",
        category="public_employee",
        recruitment_date=date(2020, 1, 1),
        dependants=[
            {
                "relationship": "child",
                "first_name": "Sara",
                "last_name": "Alaoui",
                "birth_date": date(2015, 1, 1),
            }
        ],
    )
    app = create(
        facts, Contact(email="a@b.ma", phone="0612345678"), datetime.now(UTC), owner="sub-0"
    )
    assert app.has_dependant(0)
    assert not app.has_dependant(1) and not app.has_dependant(99) and not app.has_dependant(-1)
