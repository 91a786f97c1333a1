"""Applications filed through the gateway's public API, as an applicant's browser would, retried
while the platform recovers from a fault (`make chaos`). Made-up people of approvable cases;
each one's documents come from the public checklist, as real files: PDFs with a text layer (what
an issued certificate looks like), the identity photo a JPEG.

Each applicant has their own CNIE, RIB and birth date: two files with the same names and
birth date under different CNIEs are likely duplicates, which wait for an operator."""

from __future__ import annotations

import asyncio
import io
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx
import pikepdf
from PIL import Image

from amo_shared.rib import rib_key

from .citizens import Citizen, CitizenAccounts


def pdf_with_text(*lines: str) -> bytes:
    """A real one-page PDF whose text layer says `lines`."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    ops = [f"BT /F1 12 Tf 72 {720 - 16 * i} Td ({line}) Tj ET" for i, line in enumerate(lines)]
    page = pikepdf.Page(pdf.add_blank_page(page_size=(595, 842)))
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.obj.Contents = pdf.make_stream("\n".join(ops).encode("latin-1"))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def jpeg(size: tuple[int, int] = (300, 400)) -> bytes:
    """A real, fully decodable JPEG (an identity photo)."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 190, 180)).save(out, format="JPEG")
    return out.getvalue()


PDF = pdf_with_text("ROYAUME DU MAROC", "ATTESTATION")
PHOTO = jpeg()


def content_for(kind: str) -> tuple[str, bytes, str]:
    """File name, bytes and content type uploaded for a document kind."""
    if kind == "photo":
        return "photo.jpg", PHOTO, "image/jpeg"
    return "scan.pdf", PDF, "application/pdf"


# Every member gives a photo and the RIB certificate, whatever the category.
EVERY_MEMBER = ("photo", "rib")


def member_documents(checklist: list[dict]) -> list[dict]:
    """The checklist's documents, with the photo and the RIB certificate if it left them out."""
    listed = {(d["kind"], d.get("dependant")) for d in checklist}
    extra = [{"kind": k, "dependant": None} for k in EVERY_MEMBER if (k, None) not in listed]
    return [*checklist, *extra]


def rib(n: int) -> str:
    """A valid Moroccan RIB (24 digits, its key checked), one per `n`."""
    first_22 = f"011780{n:016d}"
    return first_22 + rib_key(first_22)


# The gateway's answers while an upstream or the broker is restarting.
RETRY = {502, 503, 504}


def applicant(i: int) -> tuple[dict, dict]:
    """The i-th applicant (made-up facts of an approvable case) and its checklist query."""
    today = date.today()
    body = {
        "cnie": f"CH{100000 + i}",
        "cnie_expiry": str(today + timedelta(days=5 * 365)),
        "rib": rib(100000 + i),
        "first_name": "Nadia",
        "last_name": "Tazi",
        "birth_date": str(date(1970, 1, 1) + timedelta(days=7 * i)),
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
        "birth_date": str(date(1950, 1, 1) + timedelta(days=7 * i)),
    }
    return body, {"category": "retiree"}


@dataclass
class Progress:
    submitted: int = 0
    retries: int = 0
    ids: dict[str, Citizen] = field(default_factory=dict)  # application id -> its citizen
    failures: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)


class Gateway:
    """The public API, retried while the platform recovers (connection refused, 502-504)."""

    def __init__(
        self, client: httpx.AsyncClient, progress: Progress, accounts: CitizenAccounts
    ) -> None:
        self.client, self.progress, self.accounts = client, progress, accounts

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
    # Each application from a citizen's account of its own, signed in before filing.
    citizen = await asyncio.to_thread(gw.accounts.new)
    auth = await asyncio.to_thread(citizen.header)
    created = (await gw.call("POST", "/v1/applications", {201}, json=body, headers=auth)).json()
    app_id = created["id"]
    gw.progress.ids[app_id] = citizen
    key = tuple(sorted(query.items()))
    if key not in checklists:
        checklists[key] = (await gw.call("GET", "/v1/checklist", {200}, params=query)).json()
    for doc in member_documents(checklists[key]["documents"]):
        params = {"dependant": doc["dependant"]} if doc.get("dependant") is not None else None
        await gw.call(
            "PUT",
            f"/v1/applications/{app_id}/documents/{doc['kind']}",
            {201},
            headers=auth,
            params=params,
            files={"file": content_for(doc["kind"])},
        )
    await gw.call("POST", f"/v1/applications/{app_id}/submit", {202, 409}, headers=auth)
    gw.progress.submitted += 1
