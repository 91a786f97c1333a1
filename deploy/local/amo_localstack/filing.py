"""Applications filed through the gateway's public API, as an applicant's browser would, retried
while the platform recovers from a fault (`make chaos`). Made-up people of approvable cases;
each one's documents come from the public checklist."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# The gateway's answers while an upstream or the broker is restarting.
RETRY = {502, 503, 504}


def applicant(i: int) -> tuple[dict, dict]:
    """The i-th applicant (made-up facts of an approvable case) and its checklist query."""
    today = date.today()
    body = {
        "cnie": f"CH{100000 + i}",
        "first_name": "Nadia",
        "last_name": "Tazi",
        "birth_date": "1984-06-02",
        "nationality": "MA",
        "email": f"chaos{i}@example.ma",
        "phone": "+212600000000",
    }
    kind = i % 3
    if kind == 0:
        body |= {
            "category": "public_employee",
            "employer": "Ministère de la Santé",
            "recruitment_date": str(today - timedelta(days=400)),
            "dependants": [
                {
                    "relationship": "child",
                    "first_name": "Rim",
                    "last_name": "Tazi",
                    "birth_date": "2015-01-20",
                }
            ],
        }
        return body, {"category": "public_employee", "dependants": "child"}
    if kind == 1:
        body |= {"category": "independent_worker"}
        return body, {"category": "independent_worker"}
    body |= {
        "category": "retiree",
        "pension_fund": "CMR",
        "pension_number": f"P{100000 + i}",
        "birth_date": "1955-02-01",
    }
    return body, {"category": "retiree"}


@dataclass
class Progress:
    submitted: int = 0
    retries: int = 0
    ids: dict[str, str] = field(default_factory=dict)  # application id -> token
    failures: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)


class Gateway:
    """The public API, retried while the platform recovers (connection refused, 502-504)."""

    def __init__(self, client: httpx.AsyncClient, progress: Progress):
        self.client, self.progress = client, progress

    async def call(self, method: str, url: str, expect: set[int], **kw) -> httpx.Response:
        deadline, delay = time.monotonic() + 300, 0.2
        while True:
            try:
                r = await self.client.request(method, url, **kw)
                if r.status_code in expect:
                    return r
                if r.status_code not in RETRY:
                    raise RuntimeError(f"{method} {url.split('?')[0]}: status {r.status_code}")
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{method} {url}: no answer for 300 s")
            self.progress.retries += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 3.0)


async def file_one(gw: Gateway, i: int, checklists: dict) -> None:
    body, query = applicant(i)
    created = (await gw.call("POST", "/v1/applications", {201}, json=body)).json()
    app_id, auth = created["id"], {"Authorization": f"Bearer {created['token']}"}
    gw.progress.ids[app_id] = created["token"]
    key = tuple(sorted(query.items()))
    if key not in checklists:
        checklists[key] = (await gw.call("GET", "/v1/checklist", {200}, params=query)).json()
    for doc in checklists[key]["documents"]:
        params = {"dependant": doc["dependant"]} if doc.get("dependant") is not None else None
        await gw.call(
            "PUT",
            f"/v1/applications/{app_id}/documents/{doc['kind']}",
            {201},
            headers=auth,
            params=params,
            files={"file": ("scan.pdf", PDF, "application/pdf")},
        )
    await gw.call("POST", f"/v1/applications/{app_id}/submit", {202, 409}, headers=auth)
    gw.progress.submitted += 1
