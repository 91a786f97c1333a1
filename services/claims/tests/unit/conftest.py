"""Shared builders: the shipped tariff book, a member's coverage, claims and their lines."""

import datetime as dt

import pytest

from amo_claims.domain import AldExemption, Claim, ClaimLine, Coverage, adjudicate
from amo_claims.tariff_book import load_tariff_books

MEMBER = "M2019004521"
INPE = "101234567"


@pytest.fixture(scope="session")
def book():
    return load_tariff_books()


@pytest.fixture(scope="session")
def coverage():
    return Coverage(
        member_number=MEMBER,
        status="active",
        valid_from=dt.date(2010, 1, 1),
        valid_until=None,
        beneficiary_ranks={0, 1},
        ald_exemptions=[
            AldExemption(code="ALD01", beneficiary_rank=0, granted_on=dt.date(2022, 5, 2)),
            AldExemption(code="ALD02", beneficiary_rank=0, granted_on=dt.date(2018, 3, 15)),
            AldExemption(code="ALD04", beneficiary_rank=1, granted_on=dt.date(2011, 1, 10)),
        ],
    )


@pytest.fixture(scope="session")
def act():
    def make(code, day, billed, **extra):
        return ClaimLine(act_code=code, date=dt.date.fromisoformat(day), billed=billed, **extra)

    return make


@pytest.fixture(scope="session")
def medicine():
    def make(code, day, billed, **extra):
        day = dt.date.fromisoformat(day)
        return ClaimLine(medicine_code=code, date=day, billed=billed, **extra)

    return make


@pytest.fixture(scope="session")
def claim_of():
    def make(*lines, facility="private", filed_on=None, rank=0, provider=INPE):
        filed = dt.date.fromisoformat(filed_on) if filed_on else max(line.date for line in lines)
        return Claim(
            member_number=MEMBER,
            beneficiary_rank=rank,
            provider_id=provider,
            facility_kind=facility,
            filed_on=filed,
            lines=lines,
        )

    return make


@pytest.fixture(scope="session")
def judge(book, coverage):
    def run(claim, cover=None, history=(), today=None):
        return adjudicate(
            claim, book.in_force, cover or coverage, set(history), today or claim.filed_on
        )

    return run
