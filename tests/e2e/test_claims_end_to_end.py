"""Claims end to end, through the gateway and Kafka: a member's reimbursement explained line by
line per scheme, medicines on the reference generic, a clinic's appendectomy under a prior
approval, ALD at 100 % for the exempt patient only, the refusals (late, duplicate, suspended,
incomplete, someone else's claim), payment runs that pay once even when killed mid-run, and
claims events without personal data."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import timedelta
from decimal import Decimal
from functools import partial

import pytest
from amo_claimkit import (
    Facility,
    centimes,
    claims_environment,
    events_of,
    inpe,
    line,
    member_with_card,
    raw_records,
    reference,
    run_payments,
    today,
)
from lxml import etree
from pymongo import AsyncMongoClient

from amo_localstack.supervision import Supervisor
from amo_shared.topics import CLAIM_ADJUDICATED, CLAIM_PAID, CLAIM_SUBMITTED, PRIOR_APPROVAL_DECIDED
from amo_testkit import eventually

CNOPS = reference("tariffs/CNOPS/2013-07-18.yaml")
PAIN = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


@pytest.fixture
def member(applicants, platform):
    """`await member(category, **applicant overrides)`: a new member with a card."""
    return partial(member_with_card, applicants, platform.url("claims"))


@pytest.fixture
def clinic(applicants, facilities):
    return Facility("FAC-000201", facilities["FAC-000201"], applicants.client)


@pytest.fixture
def hospital(applicants, facilities):
    return Facility("FAC-000101", facilities["FAC-000101"], applicants.client)


def only_line(view: dict) -> dict:
    (one,) = view["lines"]
    return one


def rate(value) -> Decimal:
    return Decimal(str(value))


@pytest.mark.parametrize(
    "category,scheme,version,base,reimbursed",
    [
        ("public_employee", "CNOPS", "cnops-2013-07-18", "150.00", "120.00"),
        ("independent_worker", "CNSS", "cnss-2020-01-13", "250.00", "200.00"),
    ],
)
async def test_a_specialist_billed_300_is_explained_on_the_members_scheme(
    member, bus, category, scheme, version, base, reimbursed
):
    who = await member(category)
    draft = await who.draft([line("CS", "300.00")])
    assert draft["missing"] == ["care_sheet"] and draft["member_number"] == who.number
    view = await who.file([line("CS", "300.00")])
    assert view["status"] == "accepted", view
    explained = only_line(view)
    assert (explained["tariff"], explained["base"], rate(explained["rate"])) == (base, base, 80)
    assert explained["reimbursed"] == reimbursed and explained["reason"] == "ACCEPTED"
    assert explained["patient_share"] == f"{300 - centimes(reimbursed) // 100}.00"
    assert "80 %" in explained["message"] and version in explained["message"]
    assert any(n["reason"] == "CAPPED_AT_TARIFF" for n in explained["notes"])
    assert (view["scheme"], view["tariff_version"], view["payee"]) == (scheme, version, "member")
    assert view["totals"] == {
        "billed": "300.00",
        "reimbursed": reimbursed,
        "patient_share": explained["patient_share"],
    }
    (decided,) = await events_of(bus, CLAIM_ADJUDICATED, who.number, view["id"])
    assert decided["outcome"] == "accepted" and decided["operator"] is None
    assert decided["reimbursed_centimes"] == centimes(reimbursed)
    assert len(await events_of(bus, CLAIM_SUBMITTED, who.number, view["id"])) == 1


async def test_medicines_at_70_percent_of_the_reference_generic_and_unlisted_ones_refused(member):
    listed = reference("medicines/2013-07-18.yaml")["medicines"]
    code, princeps = next((c, m) for c, m in listed.items() if m.get("reference_generic"))
    generic = listed[princeps["reference_generic"]]
    medicine_rate = CNOPS["rates"]["medicine"]
    who = await member("public_employee")

    billed = centimes(princeps["public_price"]) * 2
    paid = who.file([line(code, f"{billed // 100}.{billed % 100:02d}", medicine=True, quantity=2)])
    unlisted = who.file([line("6118000099999", "35.00", medicine=True)])
    view, refused = await asyncio.gather(paid, unlisted)

    assert view["status"] == "accepted", view
    explained = only_line(view)
    base = centimes(generic["public_price"]) * 2
    assert centimes(explained["base"]) == base and rate(explained["rate"]) == medicine_rate
    assert centimes(explained["reimbursed"]) == base * medicine_rate // 100
    assert princeps["reference_generic"] in " ".join(n["message"] for n in explained["notes"])
    assert refused["status"] == "rejected", refused
    assert only_line(refused)["reason"] == "MEDICINE_NOT_LISTED"
    assert only_line(refused)["reimbursed"] == "0.00"


async def test_a_private_appendectomy_needs_the_clinics_prior_approval(
    member, clinic, operators, bus
):
    who = await member("public_employee")
    without = await clinic.file(who.number, [line("APPEND", "6000.00")])
    assert without["status"] == "rejected" and without["filed_by"] == "facility", without
    assert only_line(without)["reason"] == "PRIOR_APPROVAL_MISSING"

    r = await clinic.request_approval(who.number, ["APPEND"], "6000.00")
    assert r.status_code == 201, r.text
    approval = r.json()
    assert approval["status"] == "pending" and approval["id"].startswith("PA-")
    op, client = operators["op-supervisor-1@amo.test"], clinic.client
    queue = await client.get("/v1/operator/prior-approvals?status=pending", headers=op)
    assert approval["id"] in [a["id"] for a in queue.json()["items"]], queue.text
    decision = {"outcome": "approved", "reason": "medically_justified", "valid_until": None}
    path = f"/v1/operator/prior-approvals/{approval['id']}/decision"
    r = await client.post(path, json=decision, headers=op)
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text
    assert (
        await client.post(path, json=decision | {"outcome": "refused"}, headers=op)
    ).status_code == 409
    (decided,) = await bus.wait_records(PRIOR_APPROVAL_DECIDED, key=approval["id"])
    assert b'"outcome":"approved"' in decided.value.replace(b" ", b"")

    approved = line("APPEND", "6000.00", prior_approval_ref=approval["id"])
    view = await clinic.file(who.number, [approved])
    # 5 400 DH is under the review rules' 10 000 DH: decided by automation, no operator.
    assert view["status"] == "accepted" and view["payee"] == "facility", view
    explained = only_line(view)
    hospital_rate = CNOPS["rates"]["hospital"]["private"]
    assert rate(explained["rate"]) == hospital_rate and explained["base"] == "6000.00"
    assert centimes(explained["reimbursed"]) == 600000 * hospital_rate // 100


async def test_an_ald_act_at_100_percent_for_the_exempt_patient_and_normal_rate_otherwise(
    member, applicants, operators
):
    who = await member("public_employee")
    grant = {"beneficiary_rank": 0, "ald_code": "ALD01", "valid_from": str(today())}
    r = await applicants.client.post(
        f"/v1/operator/members/{who.number}/exemptions",
        json=grant,
        headers=operators["op-supervisor-1@amo.test"],
    )
    assert r.status_code == 201, r.text
    ald, other = await asyncio.gather(
        who.file([line("C", "80.00", ald_code="ALD01")]), who.file([line("C", "80.00")])
    )
    assert (only_line(ald)["reason"], rate(only_line(ald)["rate"])) == ("ALD_FULL_RATE", 100)
    assert only_line(ald)["reimbursed"] == "80.00" and "ALD01" in only_line(ald)["message"]
    assert (only_line(other)["reason"], rate(only_line(other)["rate"])) == ("ACCEPTED", 80)
    assert only_line(other)["reimbursed"] == "64.00"


async def test_late_duplicate_and_suspended_claims_are_refused_with_their_reason(
    member, applicants, operators, platform
):
    child = {
        "relationship": "child",
        "first_name": "Rayan",
        "last_name": "Alaoui",
        "birth_date": str(today() - timedelta(days=365 * 8 + 40)),
    }
    who = await member("public_employee", dependants=[child])
    assert who.ranks == [0, 1]
    late = await who.file([line("CS", "300.00", on=today() - timedelta(days=120))])
    assert only_line(late)["reason"] == "DEADLINE_PASSED" and late["status"] == "rejected"

    prescriber = inpe()
    first = await who.file([line("CS", "300.00")], prescriber=prescriber)
    assert first["status"] == "accepted", first
    again = await who.file([line("CS", "300.00")], prescriber=prescriber)
    assert again["status"] == "rejected" and only_line(again)["reason"] == "DUPLICATE", again

    r = await applicants.client.post(
        f"/v1/operator/cards/{who.number}/suspend",
        json={"reason": "operator.fraud_suspected", "beneficiary_rank": 1},
        headers=operators["op-supervisor-1@amo.test"],
    )
    assert r.status_code == 200, r.text

    async def suspended_in_claims():
        coverage = await applicants.client.get(
            f"{platform.url('claims')}/members/{who.number}/coverage",
            params={"date": str(today()), "rank": 1},
        )
        return coverage.status_code == 200 and coverage.json()["covered"] is False

    await eventually(suspended_in_claims, "card.suspended reached the claims register")
    refused = await who.file([line("C", "80.00")], rank=1)
    assert refused["status"] == "rejected"
    assert only_line(refused)["reason"] == "NO_COVERAGE_ON_DATE"
    assert (await who.file([line("C", "80.00")], rank=0))["status"] == "accepted"


async def test_an_incomplete_claim_lists_every_missing_attachment_and_is_private(member, bus):
    who, other = await asyncio.gather(member("public_employee"), member("retiree"))
    lines = [line("CS", "300.00"), line("6118000000053", "450.00", medicine=True)]
    draft = await who.draft(lines)
    assert sorted(draft["missing"]) == ["care_sheet", "invoice", "prescription"]
    assert (await who.submit(draft["id"])).status_code == 202
    view = await who.settled(draft["id"])
    assert view["status"] == "incomplete", view
    assert sorted(view["missing"]) == ["care_sheet", "invoice", "prescription"]

    assert (await other.get(draft["id"])).status_code == 404
    assert (await other.submit(draft["id"])).status_code == 404
    assert (await other.upload(draft["id"], "care_sheet")).status_code == 404
    theirs = await other.client.get("/v1/claims", headers=other.auth)
    assert draft["id"] not in [c["id"] for c in theirs.json()["items"]]

    for kind in view["missing"]:
        assert (await who.upload(draft["id"], kind)).status_code == 201
    assert (await who.submit(draft["id"])).status_code == 202
    assert (await who.settled(draft["id"]))["status"] == "accepted"
    # Incomplete was no decision: the one claim.adjudicated is the acceptance.
    (decided,) = await events_of(bus, CLAIM_ADJUDICATED, who.number, draft["id"])
    assert decided["outcome"] == "accepted"
    submissions = await events_of(bus, CLAIM_SUBMITTED, who.number, draft["id"], count=2)
    assert sorted(s["submission"] for s in submissions) == [1, 2]


def transfers_of(xml: bytes) -> tuple[etree._Element, list[etree._Element]]:
    doc = etree.fromstring(xml)
    return doc.find(".//p:GrpHdr", PAIN), doc.findall(".//p:CdtTrfTxInf", PAIN)


async def paid_claims(bus, run: dict) -> dict[str, dict]:
    """Each claim of the run and its single claim.paid event (one distinct event per claim)."""
    paid = {}
    for transfer in run["transfers"]:
        for claim_id in transfer["claims"]:
            events = await events_of(bus, CLAIM_PAID, claim_id, claim_id)
            assert len(events) == 1, (claim_id, events)
            paid[claim_id] = events[0]
    return paid


async def test_a_payment_run_pays_once_its_file_adds_up_and_events_carry_no_personal_data(
    member, hospital, operators, bus
):
    who = await member("public_employee", first_name="Ghizlane", last_name="Berrada")
    mine = [await who.file([line("CS", "300.00")]) for _ in range(2)]
    mine.append(await hospital.file(who.number, [line("CS", "300.00")]))
    assert [c["payee"] for c in mine] == ["member", "member", "facility"], mine
    op, client = operators["op-supervisor-2@amo.test"], who.client

    r = await run_payments(client, op)
    assert r.status_code == 201 and r.json()["status"] == "completed", r.text
    run = (await client.get(f"/v1/operator/payment-runs/{r.json()['id']}", headers=op)).json()
    paid = await paid_claims(bus, run)
    assert {c["id"] for c in mine} <= set(paid) and len(paid) == run["claims"]
    for claim in mine:
        event = paid[claim["id"]]
        assert event["amount_centimes"] == centimes(claim["totals"]["reimbursed"])
        assert event["payment_run_id"] == run["id"]
    for claim in mine[:2]:
        view = (await who.get(claim["id"])).json()
        assert view["status"] == "paid" and view["payment"]["run_id"] == run["id"], view

    xml = await client.get(f"/v1/operator/payment-runs/{run['id']}/pain.001", headers=op)
    assert xml.headers["content-type"].startswith("application/xml")
    header, txs = transfers_of(xml.content)
    assert header.findtext("p:MsgId", namespaces=PAIN) == run["id"]
    assert int(header.findtext("p:NbOfTxs", namespaces=PAIN)) == len(txs) == len(run["transfers"])
    amounts = {
        tx.findtext("p:PmtId/p:EndToEndId", namespaces=PAIN): centimes(
            tx.findtext("p:Amt/p:InstdAmt", namespaces=PAIN)
        )
        for tx in txs
    }
    for transfer in run["transfers"]:
        owed = sum(paid[c]["amount_centimes"] for c in transfer["claims"])
        assert amounts[transfer["end_to_end_id"]] == owed == centimes(transfer["amount"])
    assert centimes(header.findtext("p:CtrlSum", namespaces=PAIN)) == sum(amounts.values())
    assert sum(amounts.values()) == centimes(run["control_sum"])
    assert b"Ghizlane" not in xml.content and b"Berrada" not in xml.content

    again = await run_payments(client, op)
    assert again.status_code == 200 and again.json()["claims"] == 0, again.text
    assert await paid_claims(bus, run) == paid

    keys = {who.number, *(c["id"] for c in mine)}
    raw = [
        b
        for t in (CLAIM_SUBMITTED, CLAIM_ADJUDICATED, CLAIM_PAID)
        for b in await raw_records(bus, t, keys)
    ]
    assert len(raw) >= 3 * len(mine)
    leaks = {w for w in who.personal_data() for record in raw if w in record}
    assert leaks == set(), f"claims events carry personal data: {sorted(leaks)}"


async def test_a_payment_run_killed_mid_run_then_run_again_pays_each_claim_once(
    member, clinic, operators, bus, platform
):
    cfg = platform.stack.cfg
    people = await asyncio.gather(*(member("public_employee") for _ in range(3)))
    op, client = operators["op-supervisor-1@amo.test"], clinic.client
    # Leave nothing of other tests accepted and unpaid: this run must hold only these claims.
    assert (await run_payments(client, op)).status_code in (200, 201)
    # Members' own claims: one transfer per member (3), two claims each.
    claims = [await p.file([line("CS", "300.00")]) for p in people for _ in (0, 1)]
    assert {c["status"] for c in claims} == {"accepted"}, claims
    ids = {c["id"] for c in claims}

    mongo = AsyncMongoClient(cfg.mongo_url, tz_aware=True)
    db = mongo["amo_claims"]
    with claims_environment(cfg, payment_pace_seconds="0.5"):
        posting = asyncio.create_task(run_payments(client, op))

        async def part_paid():
            paid = await db.claims.count_documents({"_id": {"$in": list(ids)}, "status": "paid"})
            return 0 < paid < len(ids)

        await eventually(part_paid, "the run paid some of its claims", timeout=60)
        pid = Supervisor(cfg).process_pid("claims")
        os.killpg(pid, signal.SIGSTOP)  # frozen: what the database holds is what the kill leaves
        frozen = await db.payment_runs.find_one({"status": {"$ne": "completed"}})
        unpaid = await db.claims.count_documents({"_id": {"$in": list(ids)}, "status": "accepted"})
        await asyncio.to_thread(Supervisor(cfg).crash, "claims")
        await asyncio.gather(posting, return_exceptions=True)
        assert frozen is not None and unpaid > 0, "the kill must land mid-run"
        await asyncio.to_thread(_start_claims, cfg)

        resumed = await run_payments(client, op)
        assert resumed.status_code in (200, 201), resumed.text
    await mongo.close()
    assert resumed.json()["id"] == frozen["_id"] or resumed.json()["claims"] == 0, resumed.json()
    run = (await client.get(f"/v1/operator/payment-runs/{frozen['_id']}", headers=op)).json()
    assert run["status"] == "completed"
    paid = await paid_claims(bus, run)
    assert set(paid) == ids
    assert all(p["amount_centimes"] == 12000 for p in paid.values())
    xml = await client.get(f"/v1/operator/payment-runs/{run['id']}/pain.001", headers=op)
    header, txs = transfers_of(xml.content)
    assert int(header.findtext("p:NbOfTxs", namespaces=PAIN)) == len(txs) == 3
    assert centimes(header.findtext("p:CtrlSum", namespaces=PAIN)) == 6 * 12000


def _start_claims(cfg) -> None:
    from amo_localstack.orchestrator import start_programs

    start_programs(cfg, ["claims"])
