"""Drivers for the claims end to end: a member with a card filing claims through the gateway, a
facility billing directly, operators deciding and paying, and the claims Kafka topics read back.

Imported by tests/e2e/test_claims_end_to_end.py and bench/claims.py; fixtures stay in conftest."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import yaml

import amo_claims
from amo_localstack.citizens import Citizen
from amo_localstack.orchestrator import start_programs
from amo_localstack.programs import programs_for
from amo_localstack.supervision import Supervisor
from amo_shared.rib import iban_of
from amo_testkit import Applicants, Bus, applicant, headers_of, pdf_with_text


def today() -> date:
    """The care date when a test names none: read at each call, never at import, so a session
    running across midnight files care on the day the member's card covers (a card issued
    after midnight covers from its own day, not from the day the session began)."""
    return date.today()


# Where a claim stops moving by itself: a member must act (incomplete), an operator must
# (in_review), or the fund has decided (accepted, rejected; paid after a payment run).
SETTLED = ("incomplete", "in_review", "accepted", "rejected", "paid")
REFERENCE = Path(amo_claims.__file__).parent / "reference"
# One real PDF per attachment kind, text layer included (what a scanner app with OCR sends).
ATTACHMENT = {
    kind: pdf_with_text("ROYAUME DU MAROC", title)
    for kind, title in {
        "care_sheet": "FEUILLE DE SOINS",
        "invoice": "FACTURE",
        "prescription": "ORDONNANCE",
    }.items()
}

_inpe = iter(range(int(time.time() * 1000) % 10**8, 10**9))


def inpe() -> str:
    """A well-formed prescriber INPE (9 digits), new on every call: claims that must not be
    each other's duplicates name different prescribers."""
    return f"{next(_inpe) % 10**9:09d}"


def line(
    code: str, billed: str, *, on: date | None = None, medicine: bool = False, **extra
) -> dict:
    key = "medicine_code" if medicine else "act_code"
    return {key: code, "date": str(on or today()), "billed": billed, "quantity": 1, **extra}


def reference(relative: str) -> dict:
    """A shipped reference file, read as the test's own source of expected figures."""
    return yaml.safe_load((REFERENCE / relative).read_text(encoding="utf-8"))


def centimes(dh: str) -> int:
    whole, _, cents = dh.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


async def settled(client: httpx.AsyncClient, path: str, headers: dict, timeout=90.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        r = await client.get(path, headers=headers)
        assert r.status_code == 200, r.text
        view = r.json()
        if view["status"] in SETTLED:
            return view
        if time.monotonic() > deadline:
            raise AssertionError(f"claim stuck in {view['status']}: {view}")
        await asyncio.sleep(0.2)


@dataclass
class Member:
    """A member with a card, as the gateway knows them: the citizen's account that filed the
    application that produced the card, the card's number and the ranks of its beneficiaries."""

    number: str
    citizen: Citizen
    ranks: list[int]
    facts: dict  # what the applicant filed: the personal data no claim event may carry
    client: httpx.AsyncClient

    @property
    def auth(self) -> dict[str, str]:
        return self.citizen.header()

    async def create(
        self,
        lines: list[dict],
        *,
        rank: int = 0,
        prescriber: str | None = None,
        facility_id: str | None = None,
    ) -> httpx.Response:
        body = {
            "beneficiary_rank": rank,
            "prescriber_inpe": prescriber or inpe(),
            "facility_id": facility_id,
            "lines": lines,
        }
        return await self.client.post("/v1/claims", json=body, headers=self.auth)

    async def draft(self, lines: list[dict], **kw) -> dict:
        r = await self.create(lines, **kw)
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "draft", r.json()
        return r.json()

    async def upload(self, claim_id: str, kind: str) -> httpx.Response:
        return await self.client.put(
            f"/v1/claims/{claim_id}/documents/{kind}",
            files={"file": (f"{kind}.pdf", ATTACHMENT[kind], "application/pdf")},
            headers=self.auth,
        )

    async def submit(self, claim_id: str) -> httpx.Response:
        return await self.client.post(f"/v1/claims/{claim_id}/submit", headers=self.auth)

    async def get(self, claim_id: str) -> httpx.Response:
        return await self.client.get(f"/v1/claims/{claim_id}", headers=self.auth)

    async def settled(self, claim_id: str) -> dict:
        return await settled(self.client, f"/v1/claims/{claim_id}", self.auth)

    async def file(self, lines: list[dict], **kw) -> dict:
        """Draft, upload every attachment the draft says is missing, submit; the decision."""
        view = await self.draft(lines, **kw)
        for kind in view["missing"]:
            r = await self.upload(view["id"], kind)
            assert r.status_code == 201, (kind, r.text)
        assert (await self.get(view["id"])).json()["missing"] == []
        r = await self.submit(view["id"])
        assert r.status_code == 202, r.text
        return await self.settled(view["id"])

    def personal_data(self) -> list[bytes]:
        """Every personal fact of the applicant, as it could appear in a message's bytes."""
        f = self.facts
        people = [f, *(f.get("dependants") or [])]
        words = [
            p[k] for p in people for k in ("first_name", "last_name", "birth_date") if p.get(k)
        ]
        words += [f[k] for k in ("cnie", "email", "phone", "rib") if f.get(k)]
        if f.get("rib"):
            words.append(iban_of(f["rib"]))
            words.append(f["rib"][6:22])  # the account number inside the RIB
        return [w.encode() for w in words]


async def member_with_card(
    applicants: Applicants, claims_url: str, category: str = "public_employee", **overrides
) -> Member:
    """An applicant driven to a card, and known to the claims service's member register (the
    card reaches it over Kafka: a claim filed before would be a 404)."""
    body = applicant(category, **overrides)
    app = await applicants.file(body)
    view = await app.wait_for("card_issued", "ineligible", "incomplete", "in_review")
    assert view["status"] == "card_issued", view
    card = await app.card()
    number = card["member_number"]
    async with httpx.AsyncClient(base_url=claims_url, timeout=10) as claims:
        deadline = time.monotonic() + 60
        while (await claims.get(f"/members/{number}")).status_code != 200:
            assert time.monotonic() < deadline, f"{number} never reached the member register"
            await asyncio.sleep(0.2)
    ranks = [b["rank"] for b in card["beneficiaries"]]
    return Member(number, app.citizen, ranks, body, applicants.client)


@dataclass
class Facility:
    """A facility billing directly with its credential (the `facilities` fixture's headers)."""

    id: str
    auth: dict
    client: httpx.AsyncClient

    async def bill(
        self, member: str, lines: list[dict], *, rank: int = 0, prescriber: str | None = None
    ) -> httpx.Response:
        body = {
            "member_number": member,
            "beneficiary_rank": rank,
            "prescriber_inpe": prescriber or inpe(),
            "lines": lines,
        }
        return await self.client.post("/v1/facility/claims", json=body, headers=self.auth)

    async def file(self, member: str, lines: list[dict], **kw) -> dict:
        r = await self.bill(member, lines, **kw)
        assert r.status_code == 202, r.text
        assert r.json()["status"] in ("received", *SETTLED), r.json()
        return await self.settled(r.json()["id"])

    async def settled(self, claim_id: str) -> dict:
        return await settled(self.client, f"/v1/facility/claims/{claim_id}", self.auth)

    async def request_approval(
        self, member: str, acts: list[str], estimated: str, rank: int = 0
    ) -> httpx.Response:
        body = {
            "member_number": member,
            "beneficiary_rank": rank,
            "act_codes": acts,
            "planned_on": str(today()),
            "estimated": estimated,
        }
        return await self.client.post("/v1/facility/prior-approvals", json=body, headers=self.auth)


async def run_payments(client: httpx.AsyncClient, operator: dict) -> httpx.Response:
    return await client.post("/v1/operator/payment-runs", headers=operator, timeout=120)


# --------------------------------------------------------------------------- Kafka, read back
async def events_of(bus: Bus, topic: str, key: str, claim_id: str, count: int = 1) -> list[dict]:
    """The distinct events (by `ce_id`: a relay may publish one again after a crash) of
    `topic` under `key` about `claim_id`, once there are `count` (or after a while)."""
    deadline = time.monotonic() + 60
    while True:
        found: dict[str, dict] = {}
        for record in await bus.records(topic, key=key):
            value = json.loads(record.value)
            if value.get("claim_id") == claim_id:
                found.setdefault(headers_of(record)["ce_id"], value)
        if len(found) >= count or time.monotonic() > deadline:
            return list(found.values())
        await asyncio.sleep(0.5)


async def raw_records(bus: Bus, topic: str, keys: set[str]) -> list[bytes]:
    """Every byte a consumer of `topic` receives for `keys`: key, headers and value."""
    out = []
    for r in await bus.read(topic):
        key = (r.key or b"").decode()
        if key in keys:
            out.append(b"|".join([r.key or b"", *(k.encode() + v for k, v in r.headers), r.value]))
    return out


# --------------------------------------------------------------------------- the claims process
@contextmanager
def claims_environment(cfg: Any, **settings: str) -> Iterator[None]:
    """The stack's claims service restarted with extra `AMO_CLAIMS_*` settings for the block
    (the supervisor's program table is rendered from this process's environment), then
    restarted as it was."""
    names = {f"AMO_CLAIMS_{k.upper()}": v for k, v in settings.items()}
    before = {k: os.environ.get(k) for k in names}
    os.environ.update(names)
    try:
        _restart_claims(cfg)
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        _restart_claims(cfg)


def _restart_claims(cfg: Any) -> None:
    # A changed program is stopped, removed and declared again; then started behind /readyz.
    Supervisor(cfg).ensure_running(programs_for(cfg))
    start_programs(cfg, ["claims"])
