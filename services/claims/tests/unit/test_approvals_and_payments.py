"""Prior approvals (decisions, what they authorise, their use in adjudication) and payment runs'
transfers and pain.001 file."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from amo_claims.adapters.pain001 import NS, pain001
from amo_claims.domain import Money, adjudicate
from amo_claims.domain.approvals import ApprovalRefused, ApprovalStatus
from amo_claims.domain.payments import PayableClaim, control_sum, transfers

from .conftest import CLINIC, MEMBER, REQUESTED_AT, pending_approval

AT = REQUESTED_AT


pending = pending_approval


def approved():
    after = pending().decided("approved", "medically_justified", "op-1", AT, 90)
    assert after is not None
    return after


def test_an_approval_lasts_the_rules_days_and_a_second_decision_conflicts():
    after = approved()
    assert (after.valid_from, after.valid_until) == (dt.date(2026, 11, 2), dt.date(2027, 1, 30))
    assert after.decided("approved", "medically_justified", "op-2", AT, 90) is None
    with pytest.raises(ApprovalRefused) as refused:
        after.decided("refused", "not_medically_justified", "op-2", AT, 90)
    assert refused.value.conflict


@pytest.mark.parametrize(
    "outcome,reason,field",
    [("approved", "nonsense", "reason"), ("refused", "medically_justified", "reason")],
)
def test_a_reason_must_exist_and_go_with_the_outcome(outcome, reason, field):
    with pytest.raises(ApprovalRefused) as refused:
        pending().decided(outcome, reason, "op-1", AT, 90)
    assert refused.value.field == field and not refused.value.conflict


def test_an_operator_may_shorten_an_approval_never_lengthen_it():
    short = pending().decided(
        "approved", "medically_justified", "op-1", AT, 90, dt.date(2026, 12, 1)
    )
    assert short is not None and short.valid_until == dt.date(2026, 12, 1)
    with pytest.raises(ApprovalRefused):
        pending().decided("approved", "medically_justified", "op-1", AT, 90, dt.date(2027, 6, 1))


@given(
    rank=st.integers(0, 3),
    facility=st.sampled_from([CLINIC, "FAC-000202", None]),
    act=st.sampled_from(["APPEND", "CESAR"]),
    day=st.dates(dt.date(2026, 10, 1), dt.date(2027, 3, 1)),
)
def test_an_approval_authorises_only_its_patient_facility_act_and_dates(rank, facility, act, day):
    authorised = approved().authorises(
        member_number=MEMBER, beneficiary_rank=rank, facility_id=facility, act_code=act, on=day
    )
    expected = (
        rank == 0
        and facility == CLINIC
        and act == "APPEND"
        and dt.date(2026, 11, 2) <= day <= dt.date(2027, 1, 30)
    )
    assert authorised == expected
    assert not pending().authorises(
        member_number=MEMBER, beneficiary_rank=0, facility_id=CLINIC, act_code="APPEND", on=day
    )


def test_adjudication_pays_the_clinic_90_percent_only_under_a_valid_approval(
    act, claim_of, reference, coverage
):
    line = act("APPEND", "2026-11-10", "6000", prior_approval_ref="PA-1")
    claim = claim_of(line, filed_by="facility")
    paid = adjudicate(claim, reference, coverage, set(), claim.filed_on, {"PA-1": approved()})
    assert (paid.lines[0].reason, paid.lines[0].reimbursed, paid.payee) == (
        "ACCEPTED",
        Money.dh("5400"),
        "facility",
    )
    refused = pending(status=ApprovalStatus.REFUSED)
    for known in ({}, {"PA-1": refused}, {"PA-1": pending()}):
        decision = adjudicate(claim, reference, coverage, set(), claim.filed_on, known)
        assert decision.lines[0].reason == "PRIOR_APPROVAL_INVALID"


amounts = st.integers(0, 10**7)
claims = st.lists(
    st.tuples(st.sampled_from(["member", "facility"]), st.sampled_from("ABC"), amounts),
    max_size=30,
)


@given(claims)
def test_one_transfer_per_payee_adds_up_to_the_claims(rows):
    payable = [
        PayableClaim(claim_id=f"c{i}", payee=p, payee_id=who, amount=Money(c))
        for i, (p, who, c) in enumerate(rows)
    ]
    items = transfers("PR-20261202-abcd", payable)
    assert len({(t.payee, t.payee_id) for t in items}) == len(items)
    assert control_sum(items).centimes == sum(c for *_, c in rows)
    assert items == transfers("PR-20261202-abcd", list(reversed(payable)))  # deterministic
    assert all(len(t.end_to_end_id) <= 35 for t in items)


def test_the_pain001_file_carries_its_control_sums_and_no_names():
    payable = [
        PayableClaim(claim_id="c1", payee="member", payee_id="M1", amount=Money(12000)),
        PayableClaim(claim_id="c2", payee="member", payee_id="M1", amount=Money(6450)),
        PayableClaim(claim_id="c3", payee="facility", payee_id=CLINIC, amount=Money(540000)),
    ]
    items = transfers("PR-1", payable)
    accounts = {t.end_to_end_id: "MA64011519000001205000534921" for t in items}
    xml = pain001(
        "PR-1",
        AT,
        items,
        accounts,
        payer_name="Caisse",
        payer_iban="MA64011519000001205000534921",
        payer_bic="NOTPROVIDED",
    )
    doc = etree.fromstring(xml)
    ns = {"p": NS}
    assert doc.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=ns) == "2"
    assert doc.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=ns) == "5584.50"
    sent = sorted(e.text for e in doc.findall(".//p:InstdAmt", ns))
    assert sent == ["184.50", "5400.00"]
    assert {e.get("Ccy") for e in doc.findall(".//p:InstdAmt", ns)} == {"MAD"}
