"""Claim files on the real stack: members put in the register by card events on Kafka, then the
internal API (X-Member, X-Facility, X-Operator as the gateway sets them): draft, papers,
submission, adjudication by this service's claim.submitted consumer, medical review, direct
billing; duplicates paid once through the paid-lines register."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from datetime import UTC, date, datetime, timedelta

import pytest

from amo_claims.adapters.line_keys import digest
from amo_claims.app import SERVICE, create_app
from amo_claims.domain import LineKey
from amo_claims.settings import Settings
from amo_shared.envelope import new_event
from amo_shared.events import CardBeneficiary, CardIssued, CardSuspended, Category, ChangeReason
from amo_shared.topics import CARD_ISSUED, CARD_SUSPENDED, CLAIM_ADJUDICATED, CLAIM_SUBMITTED

TODAY = date.today()
INPE = "101234567"
OPERATOR = {"X-Operator": "op-reviewer-1"}
DECIDED = {"incomplete", "in_review", "accepted", "rejected"}
AMOXICILLIN = "6118000000022"  # the generic, listed at 42.00


def settings(stack, database) -> Settings:
    return Settings(
        **stack.kafka_settings("claims"),
        mongo_url=stack.mongo_url,
        mongo_database=database,
    )


def card(number: str, category: Category, *, sequence: int = 1) -> CardIssued:
    people = [
        CardBeneficiary(
            rank=0, relationship="self", first_name="Amina", last_name="Alaoui",
            birth_date=date(1980, 4, 12),
        ),
        CardBeneficiary(
            rank=1, relationship="child", first_name="Yasmine", last_name="Alaoui",
            birth_date=date(2015, 2, 1),
        ),
    ]  # fmt: skip
    return CardIssued(
        member_number=number,
        application_id=f"app-{number}",
        category=category,
        status="active",
        valid_from=TODAY - timedelta(days=400),
        valid_until=TODAY + timedelta(days=1400),
        beneficiaries=people,
        payer="CNSS" if category is Category.INDEPENDENT_WORKER else "CNOPS",
        issued_at=datetime.now(UTC) - timedelta(days=400),
        sequence=sequence,
    )


async def new_member(bus, category: Category = Category.PUBLIC_EMPLOYEE) -> str:
    number = f"M{secrets.randbelow(10**12):012d}"
    issued = card(number, category)
    event = new_event(CARD_ISSUED, issued, source="cards", key=issued.application_id)
    await bus.wait_consumed(SERVICE, await bus.publish(event))
    return number


async def suspend_child(bus, number: str, on: date) -> None:
    state = card(number, Category.PUBLIC_EMPLOYEE, sequence=2).model_dump()
    state["beneficiaries"][1]["status"] = "suspended"
    change = CardSuspended(
        **state,
        change="suspended",
        beneficiary_rank=1,
        reason=ChangeReason(code="test", message_fr="-", message_ar="-"),
        effective_on=on,
        changed_at=datetime.now(UTC),
        operator="op-reviewer-1",
    )
    event = new_event(CARD_SUSPENDED, change, source="cards", key=number, subject=number)
    await bus.wait_consumed(SERVICE, await bus.publish(event))


def line(code: str, day: date, billed: str, **extra) -> dict:
    field = "medicine_code" if code.isdigit() else "act_code"
    return {field: code, "date": day.isoformat(), "billed": billed, "quantity": 1, **extra}


def claim_body(*lines: dict, rank: int = 0, facility_id: str | None = None) -> dict:
    return {
        "beneficiary_rank": rank,
        "prescriber_inpe": INPE,
        "facility_id": facility_id,
        "lines": list(lines),
    }


def paper(kind: str) -> dict:
    return {
        "sha256": hashlib.sha256(kind.encode()).hexdigest(),
        "size": 2048,
        "content_type": "application/pdf",
        "object_key": f"claims/{kind}.pdf",
    }


class Member:
    def __init__(self, client, number: str, wait):
        self.client, self.number, self.wait = client, number, wait
        self.headers = {"X-Member": number}

    async def draft(self, *lines: dict, **body) -> dict:
        answer = await self.client.post(
            "/claims", json=claim_body(*lines, **body), headers=self.headers
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    async def attach(self, claim_id: str, *kinds: str) -> dict:
        view: dict = {}
        for kind in kinds:
            answer = await self.client.put(
                f"/claims/{claim_id}/attachments/{kind}", json=paper(kind), headers=self.headers
            )
            assert answer.status_code == 200, answer.text
            view = answer.json()
        return view

    async def submit(self, claim_id: str) -> dict:
        answer = await self.client.post(f"/claims/{claim_id}/submit", headers=self.headers)
        assert answer.status_code == 202, answer.text
        return answer.json()

    async def decided(self, claim_id: str) -> dict:
        async def settled():
            view = (await self.client.get(f"/claims/{claim_id}", headers=self.headers)).json()
            return view if view["status"] in DECIDED else None

        return await self.wait(settled, f"claim {claim_id} decided")

    async def file(self, *lines: dict, **body) -> dict:
        """Draft, every paper asked for, submitted, decided."""
        draft = await self.draft(*lines, **body)
        await self.attach(draft["id"], *draft["missing"])
        await self.submit(draft["id"])
        return await self.decided(draft["id"])


async def events_of(bus, topic: str, key: str, claim_id: str, count: int = 1) -> list[dict]:
    """The claim's distinct events on `topic`, once at least `count` are there (the relay
    publishes after the write the API answered on); `count=0` reads what is there now."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        found: dict[str, dict] = {}
        for record in await bus.records(topic, key=key):
            value = json.loads(record.value)
            if value.get("claim_id") == claim_id:
                headers = {k: v.decode() for k, v in record.headers}
                found.setdefault(headers["ce_id"], value)
        if len(found) >= count or asyncio.get_running_loop().time() > deadline:
            return list(found.values())
        await asyncio.sleep(0.2)


@pytest.mark.parametrize(
    "category,scheme,tariff,reimbursed,patient",
    [
        (Category.PUBLIC_EMPLOYEE, "CNOPS", "150.00", "120.00", "180.00"),
        (Category.INDEPENDENT_WORKER, "CNSS", "250.00", "200.00", "100.00"),
    ],
)
async def test_a_specialist_billed_300_dh_is_filed_submitted_and_explained_on_the_scheme(
    category, scheme, tariff, reimbursed, patient, stack, bus, database, run_app, wait
):
    async with run_app(create_app(settings(stack, database))) as client:
        number = await new_member(bus, category)
        member = Member(client, number, wait)
        day = TODAY - timedelta(days=3)
        draft = await member.draft(line("CS", day, "300.00"))
        assert (draft["status"], draft["missing"], draft["filed_by"]) == (
            "draft",
            ["care_sheet"],
            "member",
        )
        assert draft["lines"][0]["billed"] == "300.00" and draft["totals"]["billed"] == "300.00"
        early = await client.post(f"/claims/{draft['id']}/submit", headers=member.headers)
        assert early.status_code == 202  # handed in without its paper: decided incomplete
        incomplete = await member.decided(draft["id"])
        assert (incomplete["status"], incomplete["missing"]) == ("incomplete", ["care_sheet"])

        attached = await member.attach(draft["id"], "care_sheet")
        assert attached["missing"] == []
        assert attached["attachments"] == [
            {
                "kind": "care_sheet",
                "sha256": paper("care_sheet")["sha256"],
                "size": 2048,
                "content_type": "application/pdf",
            }
        ]
        received = await member.submit(draft["id"])
        assert received["status"] == "received" and received["submitted_at"]
        view = await member.decided(draft["id"])

        assert (view["status"], view["payee"], view["scheme"]) == ("accepted", "member", scheme)
        (explained,) = view["lines"]
        assert (explained["tariff"], explained["base"], explained["reimbursed"]) == (
            tariff,
            tariff,
            reimbursed,
        )
        assert (explained["patient_share"], explained["reason"]) == (patient, "ACCEPTED")
        assert explained["message"].startswith("Remboursé à 80 % de la base")
        assert [n["reason"] for n in explained["notes"]] == ["CAPPED_AT_TARIFF"]
        assert view["totals"] == {
            "billed": "300.00",
            "reimbursed": reimbursed,
            "patient_share": patient,
        }
        assert view["decided_at"] and view["review"] is None and view["payment"] is None

        # Submitting again changes nothing: same view, no second submission.
        again = await member.submit(draft["id"])
        assert again["status"] == "accepted"
        (decided,) = await events_of(bus, CLAIM_ADJUDICATED, number, draft["id"])
        assert decided["outcome"] == "accepted" and decided["operator"] is None
        assert decided["reimbursed_centimes"] == int(reimbursed.replace(".", ""))
        submissions = await events_of(bus, CLAIM_SUBMITTED, number, draft["id"], count=2)
        assert sorted(s["submission"] for s in submissions) == [1, 2]
        listed = (await client.get("/claims", headers=member.headers)).json()
        assert listed["total"] == 1 and listed["items"][0]["id"] == draft["id"]
        accepted = await client.get("/claims?status=accepted", headers=member.headers)
        assert accepted.json()["total"] == 1
        assert (await client.get("/claims?status=draft", headers=member.headers)).json() == {
            "items": [],
            "total": 0,
            "page": 1,
        }


async def test_every_missing_paper_is_listed_at_once_and_the_file_is_private(
    stack, bus, database, run_app, wait
):
    async with run_app(create_app(settings(stack, database))) as client:
        member = Member(client, await new_member(bus), wait)
        other = Member(client, await new_member(bus), wait)
        day = TODAY - timedelta(days=2)
        draft = await member.draft(
            line("CS", day, "150"), line("GLY", day, "11"), line(AMOXICILLIN, day, "42")
        )
        assert draft["missing"] == ["care_sheet", "prescription", "invoice"]
        await member.submit(draft["id"])
        view = await member.decided(draft["id"])
        assert view["status"] == "incomplete"
        assert view["missing"] == ["care_sheet", "prescription", "invoice"]
        assert not await events_of(bus, CLAIM_ADJUDICATED, member.number, draft["id"], count=0)
        access = await client.get(f"/claims/{draft['id']}/access", headers=member.headers)
        assert access.json() == {"status": "incomplete", "uploads_open": True}

        # Someone else's claim does not exist for them, whatever they try.
        claim_url = f"/claims/{draft['id']}"
        for method, url, body in [
            ("GET", claim_url, None),
            ("GET", f"{claim_url}/access", None),
            ("PUT", f"{claim_url}/attachments/invoice", paper("invoice")),
            ("POST", f"{claim_url}/submit", None),
        ]:
            answer = await client.request(method, url, json=body, headers=other.headers)
            assert answer.status_code == 404, (method, url)
        assert (await client.get(claim_url)).status_code == 401

        view = await member.attach(draft["id"], "care_sheet", "prescription", "invoice")
        assert view["missing"] == []
        await member.submit(draft["id"])
        view = await member.decided(draft["id"])
        assert view["status"] == "accepted"
        assert [line["reimbursed"] for line in view["lines"]] == ["120.00", "8.80", "29.40"]
        late_paper = await client.put(
            f"{claim_url}/attachments/invoice", json=paper("invoice"), headers=member.headers
        )
        assert late_paper.status_code == 409
        access = await client.get(f"/claims/{draft['id']}/access", headers=member.headers)
        assert access.json() == {"status": "accepted", "uploads_open": False}


async def test_bad_filings_are_field_errors_and_unknown_members_404(
    stack, bus, database, run_app, wait
):
    async with run_app(create_app(settings(stack, database))) as client:
        member = Member(client, await new_member(bus), wait)
        day = (TODAY - timedelta(days=1)).isoformat()
        bad = claim_body({"act_code": "CS", "date": day, "billed": "12,5O"})
        answer = await client.post("/claims", json=bad, headers=member.headers)
        assert answer.status_code == 422
        assert [e["loc"] for e in answer.json()["detail"]] == [["body", "lines", 0, "billed"]]
        neither = claim_body({"date": day, "billed": "10"})
        answer = await client.post("/claims", json=neither, headers=member.headers)
        assert answer.status_code == 422 and answer.json()["detail"][0]["loc"][:3] == [
            "body",
            "lines",
            0,
        ]
        unlisted = claim_body(line("CS", TODAY, "300"), facility_id="FAC-999999")
        answer = await client.post("/claims", json=unlisted, headers=member.headers)
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"] == ["body", "facility_id"]
        stranger = {"X-Member": "M000000000000"}
        answer = await client.post(
            "/claims", json=claim_body(line("CS", TODAY, "300")), headers=stranger
        )
        assert answer.status_code == 404
        assert (
            await client.post("/claims", json=claim_body(line("CS", TODAY, "1")))
        ).status_code == 401
        # An act the tariff does not know is not a field error: adjudication refuses it.
        view = await member.file(line("XYZ", TODAY - timedelta(days=1), "100"))
        assert (view["status"], view["lines"][0]["reason"]) == ("rejected", "ACT_NOT_IN_TARIFF")


async def test_refusals_a_duplicate_a_suspended_child_and_a_late_claim(
    stack, bus, database, run_app, wait
):
    async with run_app(create_app(settings(stack, database))) as client:
        number = await new_member(bus)
        member = Member(client, number, wait)
        day = TODAY - timedelta(days=5)
        first = await member.file(line("C", day, "80"))
        assert first["status"] == "accepted"
        second = await member.file(line("C", day, "80"))
        assert (second["status"], second["lines"][0]["reason"]) == ("rejected", "DUPLICATE")
        assert second["lines"][0]["message"].startswith("Acte déjà présenté")
        (refused,) = await events_of(bus, CLAIM_ADJUDICATED, number, second["id"])
        assert (refused["outcome"], refused["reimbursed_centimes"]) == ("rejected", 0)

        # Two claims with the same act handed in at once: one pays.
        other_day = TODAY - timedelta(days=4)
        drafts = [await member.draft(line("CS", other_day, "150")) for _ in range(2)]
        for draft in drafts:
            await member.attach(draft["id"], "care_sheet")
        await asyncio.gather(*(member.submit(d["id"]) for d in drafts))
        views = [await member.decided(d["id"]) for d in drafts]
        assert sorted(v["status"] for v in views) == ["accepted", "rejected"]
        loser = next(v for v in views if v["status"] == "rejected")
        assert loser["lines"][0]["reason"] == "DUPLICATE"

        await suspend_child(bus, number, TODAY - timedelta(days=10))
        child = await member.file(line("C", TODAY - timedelta(days=2), "80"), rank=1)
        assert child["lines"][0]["reason"] == "NO_COVERAGE_ON_DATE"
        assert "droits suspendus" in child["lines"][0]["message"]
        adult = await member.file(line("C", TODAY - timedelta(days=2), "80"))
        assert adult["status"] == "accepted"  # the suspension is the child's alone

        late = await member.file(line("C", TODAY - timedelta(days=75), "80"))
        assert (late["status"], late["lines"][0]["reason"]) == ("rejected", "DEADLINE_PASSED")


async def test_the_paid_lines_register_gives_a_key_to_one_claim_of_many_racing(
    stack, database, run_app
):
    app = create_app(settings(stack, database))
    async with run_app(app):
        keys = app.state.line_keys
        key = LineKey("M000000000001", 0, INPE, "CS", TODAY)
        lost = await asyncio.gather(*(keys.take(f"claim-{n}", [key]) for n in range(6)))
        assert sorted(len(x) for x in lost) == [0, 1, 1, 1, 1, 1]
        winner = f"claim-{[len(x) for x in lost].index(0)}"
        assert await keys.take(winner, [key]) == set()  # its own again: a redelivery
        assert await keys.release_except(winner) == 1
        assert await keys.take("claim-late", [key]) == set()  # released: free for another
        doc = await keys.store.get(digest(key))
        assert doc["claim_id"] == "claim-late" and "M000000000001" not in json.dumps(doc)


async def test_medical_review_holds_the_claim_until_an_operator_decides(
    stack, bus, database, run_app, wait
):
    async with run_app(create_app(settings(stack, database))) as client:
        number = await new_member(bus)
        member = Member(client, number, wait)
        day = TODAY - timedelta(days=6)
        held = await member.file(line("C", day, "80", ald_code="ALD99"))
        assert (held["status"], held["review"]) == ("in_review", {"why": ["ALD_CODE_INVALID"]})
        assert not await events_of(bus, CLAIM_ADJUDICATED, number, held["id"], count=0)
        queue = (await client.get("/operator/claims?status=in_review", headers=OPERATOR)).json()
        assert held["id"] in [c["id"] for c in queue["items"]] and queue["total"] >= 1
        assert (await client.get("/operator/claims")).status_code == 401
        bad_status = await client.get("/operator/claims?status=nonsense", headers=OPERATOR)
        assert bad_status.status_code == 422

        url = f"/operator/claims/{held['id']}/decision"
        wrong = {"outcome": "accepted", "reason": "not_medically_justified"}
        assert (await client.post(url, json=wrong, headers=OPERATOR)).status_code == 422
        accept = {"outcome": "accepted", "reason": "medically_justified"}
        answer = await client.post(url, json=accept, headers=OPERATOR)
        assert answer.status_code == 200, answer.text
        assert (answer.json()["status"], answer.json()["payee"]) == ("accepted", "member")
        assert (await client.post(url, json=accept, headers=OPERATOR)).json() == answer.json()
        refuse = {"outcome": "rejected", "reason": "not_medically_justified"}
        assert (await client.post(url, json=refuse, headers=OPERATOR)).status_code == 409
        (decided,) = await events_of(bus, CLAIM_ADJUDICATED, number, held["id"])
        assert (decided["operator"], decided["reimbursed_centimes"]) == ("op-reviewer-1", 6400)

        # Refused after review: every paid line rejected with the operator's reason.
        other = await member.file(line("CS", day, "150", ald_code="ALD99"))
        answer = await client.post(
            f"/operator/claims/{other['id']}/decision", json=refuse, headers=OPERATOR
        )
        view = answer.json()
        assert (view["status"], view["totals"]["reimbursed"]) == ("rejected", "0.00")
        assert view["lines"][0]["reason"] == "MEDICAL_REVIEW_REFUSED"
        (refused,) = await events_of(bus, CLAIM_ADJUDICATED, number, other["id"])
        assert (refused["outcome"], refused["reimbursed_centimes"]) == ("rejected", 0)
        # The refused act was never paid: the same act on a new claim is not a duplicate.
        again = await member.file(line("CS", day, "150"))
        assert again["status"] == "accepted"

        # A claim in review and an identical one accepted meanwhile: accepting the first finds
        # its act paid already.
        later = TODAY - timedelta(days=1)
        waiting = await member.file(line("C", later, "80", ald_code="ALD99"))
        assert waiting["status"] == "in_review"
        meanwhile = await member.file(line("C", later, "80"))
        assert meanwhile["status"] == "accepted"
        answer = await client.post(
            f"/operator/claims/{waiting['id']}/decision", json=accept, headers=OPERATOR
        )
        assert (answer.json()["status"], answer.json()["lines"][0]["reason"]) == (
            "rejected",
            "DUPLICATE",
        )
        not_in_review = await client.post(
            f"/operator/claims/{meanwhile['id']}/decision", json=accept, headers=OPERATOR
        )
        assert not_in_review.status_code == 409


async def test_a_redelivered_submission_changes_nothing(stack, bus, database, run_app, wait):
    async with run_app(create_app(settings(stack, database))) as client:
        number = await new_member(bus)
        member = Member(client, number, wait)
        view = await member.file(line("C", TODAY - timedelta(days=8), "80"))
        assert view["status"] == "accepted"
        (record,) = [
            r
            for r in await bus.records(CLAIM_SUBMITTED, key=number)
            if json.loads(r.value)["claim_id"] == view["id"]
        ]
        headers = {k: v.decode() for k, v in record.headers}
        sent = await bus.publish_raw(CLAIM_SUBMITTED, record.value, number, headers)
        await bus.wait_consumed(SERVICE, sent)
        after = (await client.get(f"/claims/{view['id']}", headers=member.headers)).json()
        assert after == view
        assert len(await events_of(bus, CLAIM_ADJUDICATED, number, view["id"])) == 1


async def test_a_public_hospital_bills_directly_and_sees_only_its_own_claims(
    stack, bus, database, run_app, wait
):
    async with run_app(create_app(settings(stack, database))) as client:
        number = await new_member(bus)
        hospital = {"X-Facility": "FAC-000101"}
        body = {**claim_body(line("JH", TODAY - timedelta(days=3), "600", quantity=2)),
                "member_number": number}  # fmt: skip
        body.pop("facility_id")
        answer = await client.post("/facility/claims", json=body, headers=hospital)
        assert answer.status_code == 202, answer.text
        filed = answer.json()
        assert (filed["status"], filed["missing"], filed["filed_by"]) == (
            "received",
            [],
            "facility",
        )

        async def settled():
            got = await client.get(f"/facility/claims/{filed['id']}", headers=hospital)
            return got.json() if got.json()["status"] in DECIDED else None

        view = await wait(settled, "direct billing decided")
        assert (view["status"], view["payee"], view["totals"]["reimbursed"]) == (
            "accepted",
            "facility",
            "600.00",
        )
        other = {"X-Facility": "FAC-000102"}
        assert (
            await client.get(f"/facility/claims/{filed['id']}", headers=other)
        ).status_code == 404
        member = {"X-Member": number}
        assert (await client.get(f"/claims/{filed['id']}", headers=member)).status_code == 404
        unknown = {**body, "member_number": "M000000000000"}
        assert (
            await client.post("/facility/claims", json=unknown, headers=hospital)
        ).status_code == 404
        lapsed = {"X-Facility": "FAC-000203"}  # its approval ended on 2024-12-31
        assert (await client.post("/facility/claims", json=body, headers=lapsed)).status_code == 403
        stranger = {"X-Facility": "FAC-999999"}
        assert (
            await client.post("/facility/claims", json=body, headers=stranger)
        ).status_code == 403
        with_facility = {**body, "facility_id": "FAC-000101"}
        assert (
            await client.post("/facility/claims", json=with_facility, headers=hospital)
        ).status_code == 422
        (decided,) = await events_of(bus, CLAIM_ADJUDICATED, number, filed["id"])
        assert (decided["payee"], decided["facility_id"]) == ("facility", "FAC-000101")
