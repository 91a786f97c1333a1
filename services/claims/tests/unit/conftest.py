"""Shared builders: the shipped reference, a member's coverage, claims and their lines."""

import datetime as dt

import pytest

from amo_claims.domain import (
    AldExemption,
    BeneficiaryCover,
    Claim,
    ClaimLine,
    Coverage,
    adjudicate,
)
from amo_claims.domain.approvals import PriorApproval
from amo_claims.reference_files import load_reference

MEMBER = "M2019004521"
INPE = "101234567"
CLINIC, HOSPITAL = "FAC-000201", "FAC-000101"
REQUESTED_AT = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def pending_approval(**extra):
    """The clinic's request for an appendectomy on 10 November 2026, not yet decided."""
    fields = dict(
        id="PA-1",
        facility_id=CLINIC,
        member_number=MEMBER,
        beneficiary_rank=0,
        act_codes=("APPEND",),
        planned_on=dt.date(2026, 11, 10),
        requested_at=REQUESTED_AT,
    )
    return PriorApproval(**(fields | extra))


def exemption(code, rank, valid_from, valid_until="five years"):
    start = dt.date.fromisoformat(valid_from)
    if valid_until == "five years":
        until = start.replace(year=start.year + 5) - dt.timedelta(days=1)
    else:
        until = None if valid_until is None else dt.date.fromisoformat(valid_until)
    return AldExemption(beneficiary_rank=rank, code=code, valid_from=start, valid_until=until)


@pytest.fixture(scope="session")
def reference():
    return load_reference()


@pytest.fixture(scope="session")
def coverage():
    return Coverage(
        member_number=MEMBER,
        scheme="CNOPS",
        status="active",
        valid_from=dt.date(2010, 1, 1),
        valid_until=None,
        beneficiaries=[BeneficiaryCover(rank=0), BeneficiaryCover(rank=1)],
        ald_exemptions=[
            exemption("ALD01", 0, "2022-05-02"),
            exemption("ALD02", 0, "2018-03-15"),
            exemption("ALD04", 1, "2011-01-10", None),
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
    def make(
        *lines,
        facility="private",
        filed_on=None,
        rank=0,
        provider=INPE,
        facility_id="default",
        filed_by="member",
    ):
        filed = dt.date.fromisoformat(filed_on) if filed_on else max(line.date for line in lines)
        if facility_id == "default":
            facility_id = CLINIC if facility == "private" else HOSPITAL
        return Claim(
            member_number=MEMBER,
            beneficiary_rank=rank,
            provider_id=provider,
            facility_kind=facility,
            facility_id=facility_id,
            filed_by=filed_by,
            filed_on=filed,
            lines=lines,
        )

    return make


@pytest.fixture(scope="session")
def judge(reference, coverage):
    def run(claim, cover=None, history=(), today=None, ref=None):
        return adjudicate(
            claim, ref or reference, cover or coverage, set(history), today or claim.filed_on
        )

    return run
