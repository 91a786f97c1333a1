"""The register's entry follows the card's life by sequence, per beneficiary; ALD exemptions are
granted per beneficiary for the time the ALD list allows."""

import datetime as dt

import pytest

from amo_claims.domain import AldExemption, NotCovered
from amo_claims.domain.member import ExemptionRefused, grant_exemption, member_after
from amo_shared.events import CardBeneficiary, CardIssued, CardSuspended, ChangeReason

AT = dt.datetime(2025, 7, 1, 9, 0, tzinfo=dt.UTC)
NUMBER = "M000000000017"


def person(rank, relationship, **extra):
    return CardBeneficiary(
        rank=rank,
        relationship=relationship,
        first_name="A",
        last_name="B",
        birth_date=dt.date(1980 + rank * 20, 1, 1),
        **extra,
    )


def issued(category="public_employee", **extra):
    return CardIssued(
        member_number=NUMBER,
        application_id="app-1",
        category=category,
        status="active",
        valid_from=dt.date(2025, 7, 1),
        valid_until=dt.date(2030, 6, 30),
        beneficiaries=[person(0, "self"), person(1, "child")],
        payer="CNOPS",
        issued_at=AT,
        **extra,
    )


def suspended(rank, sequence=2, on="2025-09-01"):
    card = issued().model_dump()
    if rank is None:
        card["status"] = "suspended"
    else:
        card["beneficiaries"][rank]["status"] = "suspended"
    return CardSuspended(
        **{**card, "sequence": sequence},
        change="suspended",
        beneficiary_rank=rank,
        reason=ChangeReason(code="school_certificate.missing", message_fr="-", message_ar="-"),
        effective_on=dt.date.fromisoformat(on),
        changed_at=AT,
    )


@pytest.fixture
def rules(reference):
    return reference.rules(dt.date(2025, 7, 1))


def test_the_scheme_comes_from_the_category_not_the_payer(rules):
    public = member_after(None, issued(), None, rules)
    independent = member_after(None, issued("independent_worker"), None, rules)
    assert (public.scheme, independent.scheme) == ("CNOPS", "CNSS")


def test_a_suspended_child_is_refused_from_the_change_date_only(rules):
    first = member_after(None, issued(), None, rules)
    change = suspended(1)
    after = member_after(first, change, change, rules)
    cover = after.coverage()
    assert cover.covers(1, dt.date(2025, 8, 31)).covered
    refused = cover.covers(1, dt.date(2025, 9, 1))
    assert (refused.covered, refused.reason) == (False, NotCovered.SUSPENDED)
    assert cover.covers(0, dt.date(2025, 9, 1)).covered  # the member is not suspended


def test_a_whole_card_suspension_refuses_everyone(rules):
    first = member_after(None, issued(), None, rules)
    change = suspended(None)
    cover = member_after(first, change, change, rules).coverage()
    assert [cover.covers(r, dt.date(2025, 9, 2)).reason for r in (0, 1)] == ["suspended"] * 2


def test_only_a_higher_sequence_changes_the_entry(rules):
    change = suspended(1, sequence=3)
    held = member_after(None, change, change, rules)  # the change arrived before the issue
    assert member_after(held, issued(), None, rules) is None
    assert member_after(held, change, change, rules) is None  # redelivered


def test_a_beneficiary_not_on_the_card(rules):
    cover = member_after(None, issued(), None, rules).coverage()
    assert cover.covers(5, dt.date(2025, 9, 1)).reason == NotCovered.NOT_ON_CARD


def _grant(member, reference, code="ALD01", rank=0, start="2025-07-01", until=None):
    request = AldExemption(
        beneficiary_rank=rank,
        code=code,
        valid_from=dt.date.fromisoformat(start),
        valid_until=None if until is None else dt.date.fromisoformat(until),
    )
    return grant_exemption(member, request, reference.ald(request.valid_from), "op-1", AT)


def test_an_exemption_lasts_five_years_or_life_and_survives_card_events(rules, reference):
    member = member_after(None, issued(), None, rules)
    member = _grant(member, reference)
    member = _grant(member, reference, code="ALD04", rank=1)
    diabetes, renal = member.exemptions
    assert (diabetes.valid_until, renal.valid_until) == (dt.date(2030, 6, 30), None)
    assert diabetes.granted_by == "op-1"
    change = suspended(1)
    assert member_after(member, change, change, rules).exemptions == member.exemptions


def test_granting_the_same_exemption_twice_changes_nothing(rules, reference):
    member = _grant(member_after(None, issued(), None, rules), reference)
    assert _grant(member, reference) is None


@pytest.mark.parametrize(
    ("changes", "field", "conflict"),
    [
        ({"code": "ALD99"}, "ald_code", False),
        ({"rank": 4}, "beneficiary_rank", False),
        ({"until": "2031-01-01"}, "valid_until", False),  # past five years
        ({"start": "2026-01-01"}, "valid_from", True),  # overlaps the one held
    ],
)
def test_an_exemption_the_rules_refuse(rules, reference, changes, field, conflict):
    member = _grant(member_after(None, issued(), None, rules), reference)
    with pytest.raises(ExemptionRefused) as refused:
        _grant(member, reference, **changes)
    assert (refused.value.field, refused.value.conflict) == (field, conflict)
