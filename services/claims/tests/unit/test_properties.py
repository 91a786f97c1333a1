"""Properties that hold for any claim: money is conserved, the fund never pays above the rate,
ALD lines are paid in full, and a later tariff version never reaches back in time."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from amo_claims.domain import (
    AldExemption,
    BeneficiaryCover,
    Claim,
    ClaimLine,
    Coverage,
    LineStatus,
    Money,
    Reason,
    Scheme,
    Tariffs,
    adjudicate,
)

ACTS = [
    "C",
    "CS",
    "KINE",
    "GLY",
    "NFS",
    "HBA1C",
    "RXTHO",
    "ECHABD",
    "APPEND",
    "CESAR",
    "JH",
    "CHP",
    "ACC",
    "XYZ",
]
MEDICINES = ["6118000000015", "6118000000022", "6118000000053", "6118000000060", "0000"]
START = dt.date(2025, 9, 1)

COVERAGE = {
    scheme: Coverage(
        member_number="M1",
        scheme=scheme,
        status="active",
        valid_from=dt.date(2010, 1, 1),
        beneficiaries=[BeneficiaryCover(rank=0), BeneficiaryCover(rank=1)],
        ald_exemptions=[
            AldExemption(
                code="ALD01",
                beneficiary_rank=0,
                valid_from=dt.date(2022, 1, 1),
                valid_until=dt.date(2026, 12, 31),
            ),
            AldExemption(code="ALD04", beneficiary_rank=1, valid_from=dt.date(2011, 1, 1)),
        ],
    )
    for scheme in Scheme
}

lines = st.builds(
    lambda item, day, centimes, quantity, ald, approval: ClaimLine(
        **item,
        date=START + dt.timedelta(days=day),
        billed=Money(centimes),
        quantity=quantity,
        ald_code=ald,
        prior_approval_ref=approval,
    ),
    item=st.one_of(
        st.sampled_from(ACTS).map(lambda c: {"act_code": c}),
        st.sampled_from(MEDICINES).map(lambda c: {"medicine_code": c}),
    ),
    day=st.integers(0, 180),
    centimes=st.integers(0, 2_000_000),
    quantity=st.integers(1, 5),
    ald=st.sampled_from([None, None, "ALD01", "ALD04", "ALD99"]),
    approval=st.sampled_from([None, "PEC-1"]),
)


@st.composite
def claims(draw):
    claim_lines = draw(st.lists(lines, min_size=1, max_size=6))
    first = min(line.date for line in claim_lines)
    last = max(line.date for line in claim_lines)
    filed = last + dt.timedelta(days=draw(st.integers(0, 70)))
    facility = draw(st.sampled_from(["public", "private"]))
    return Claim(
        member_number="M1",
        beneficiary_rank=draw(st.sampled_from([0, 1, 2])),
        provider_id=draw(st.sampled_from(["101234567", "102345678"])),
        facility_kind=facility,
        facility_id={"public": "FAC-000101", "private": "FAC-000201"}[facility],
        filed_by=draw(st.sampled_from(["member", "facility"])),
        filed_on=max(filed, first),
        lines=claim_lines,
    )


schemes = st.sampled_from(list(Scheme))


def _run(reference, claim, scheme):
    return adjudicate(claim, reference, COVERAGE[scheme], set(), claim.filed_on)


@given(claim=claims(), scheme=schemes)
def test_money_is_conserved_and_never_above_the_rate(reference, claim, scheme):
    result = _run(reference, claim, scheme)
    for line in result.lines:
        assert line.reimbursed <= line.billed
        assert line.reimbursed + line.patient_share == line.billed
        assert line.base <= line.billed
        if line.tariff is not None:
            assert line.base <= line.tariff
            assert line.reimbursed.centimes * 100 <= line.tariff.centimes * line.rate
        if line.status is LineStatus.REJECTED:
            assert line.reimbursed == Money.zero()
    assert result.total_reimbursed + result.total_patient_share == result.total_billed


@given(claim=claims(), scheme=schemes)
def test_ald_lines_are_paid_at_100_percent_of_base(reference, claim, scheme):
    for line in _run(reference, claim, scheme).lines:
        if line.reason is Reason.ALD_FULL_RATE:
            assert (line.rate, line.reimbursed) == (100, line.base)


@given(claim=claims(), scheme=schemes)
def test_a_valid_exemption_always_gives_the_full_rate(reference, claim, scheme):
    for source, line in zip(claim.lines, _run(reference, claim, scheme).lines, strict=True):
        valid = (source.ald_code, claim.beneficiary_rank) in {("ALD01", 0), ("ALD04", 1)}
        valid = valid and (source.ald_code != "ALD01" or source.date <= dt.date(2026, 12, 31))
        if valid and line.status is LineStatus.ACCEPTED:
            assert line.reason is Reason.ALD_FULL_RATE


@st.composite
def later_versions(draw, book, after):
    data = book.history[-1].model_dump(mode="json")
    data["version"] = "later"
    data["effective_from"] = after + dt.timedelta(days=draw(st.integers(1, 90)))
    data["rates"] = {
        "ambulatory": draw(st.integers(0, 100)),
        "medicine": draw(st.integers(0, 100)),
        "ald": draw(st.integers(0, 100)),
        "hospital": {"public": draw(st.integers(0, 100)), "private": draw(st.integers(0, 100))},
    }
    data["key_letters"] = {k: str(draw(st.integers(0, 5000))) for k in data["key_letters"]}
    kept = draw(st.sets(st.sampled_from(sorted(data["acts"]))))
    data["acts"] = {
        code: (
            {**act, "tariff": str(draw(st.integers(0, 9999)))} if act["tariff"] is not None else act
        )
        for code, act in data["acts"].items()
        if code in kept
    }
    data["excluded"] = {}
    return Tariffs.model_validate(data)


@given(claim=claims(), scheme=schemes, data=st.data())
def test_a_later_tariff_never_changes_acts_dated_before_it(reference, claim, scheme, data):
    book = reference.tariff_books[scheme]
    last_act = max(line.date for line in claim.lines)
    later = data.draw(later_versions(book, max(last_act, book.history[-1].effective_from)))
    extended = reference.with_tariffs(scheme, [*book.history, later])
    assert _run(extended, claim, scheme) == _run(reference, claim, scheme)


@given(claim=claims(), scheme=schemes)
def test_the_shares_add_up_over_the_claim(reference, claim, scheme):
    result = _run(reference, claim, scheme)
    assert result.total_reimbursed <= result.total_billed
    assert sum((line.patient_share for line in result.lines), Money.zero()) == (
        result.total_billed - result.total_reimbursed
    )
