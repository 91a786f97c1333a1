"""End to end: every status change of an application reaches the applicant in Mailpit (and the
SMS sink), once, in their language, and no message carries the CNIE or the RIB."""

from __future__ import annotations

import json
import secrets
import string
from datetime import date, timedelta
from uuid import uuid4

import httpx

from amo_shared.topics import (
    APPLICATION_SUBMITTED,
    CARD_ISSUED,
    DOCUMENTS_VERIFIED,
    ELIGIBILITY_DECIDED,
)
from amo_testkit import DOCUMENTS, applicant, content_for

GROUP = "notifications"


async def messages(platform, address: str, at_least: int = 0) -> list[dict] | None:
    async with httpx.AsyncClient(base_url=platform.stack.mailpit_url, timeout=10) as client:
        r = await client.get("/api/v1/search", params={"query": f"to:{address}"})
        r.raise_for_status()
        found = r.json()["messages"]
    return found if len(found) >= at_least else None


async def raw(platform, message_id: str) -> str:
    """The message as sent (headers, encoded parts) and as read (subject, text, HTML decoded)."""
    async with httpx.AsyncClient(base_url=platform.stack.mailpit_url, timeout=10) as client:
        sent = await client.get(f"/api/v1/message/{message_id}/raw")
        read = await client.get(f"/api/v1/message/{message_id}")
        sent.raise_for_status()
        read.raise_for_status()
        m = read.json()
        return "\n".join((sent.text, m["Subject"], m["Text"], m["HTML"]))


def sms_for(platform, reference: str) -> list[dict]:
    """SMS lines naming `reference` (the application id, or the member number on a card's)."""
    path = platform.stack.sms_sink
    lines = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return [line for line in lines if reference in line["text"]]


# Every address this module sends to: none may ever appear in a log file.
USED: list[str] = []


def address() -> str:
    USED.append(f"e2e-{uuid4().hex[:10]}@example.ma")
    return USED[-1]


def someone(category: str, email: str, **overrides) -> dict:
    """An applicant no other test files: the same names and birth date under another CNIE
    would be a likely duplicate, which waits for an operator."""
    letters = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    born = date(1960, 1, 1) + timedelta(days=secrets.randbelow(12000))
    return applicant(
        category,
        email=email,
        first_name=f"Nour{letters}",
        last_name=f"Idrissi{letters}",
        birth_date=str(born),
        **overrides,
    )


async def test_a_filing_to_its_card_gets_one_message_per_status_change(
    platform, applicants, bus, wait
):
    email = address()
    body = someone("public_employee", email)
    app = await applicants.create(body)
    for kind in DOCUMENTS["public_employee"]:
        content, filename = content_for(kind)
        assert (await app.upload(kind, content, filename=filename)).status_code == 201
    assert (await app.submit()).status_code == 202
    view = await app.wait_for("card_issued", "ineligible", "incomplete", "in_review")
    assert view["status"] == "card_issued", view

    found = await wait(lambda: messages(platform, email, 3), "three messages in Mailpit")
    for topic in (APPLICATION_SUBMITTED, ELIGIBILITY_DECIDED, CARD_ISSUED):
        await bus.wait_caught_up(GROUP, topic)
    found = await messages(platform, email)
    subjects = sorted(m["Subject"] for m in found)
    assert len(found) == 3, subjects  # received, eligible, card issued: each once
    assert any("bien reçue" in s for s in subjects)
    assert any("éligible" in s for s in subjects)
    assert any("carte AMO est émise" in s for s in subjects)
    member_number = view["card"]["member_number"]
    for m in found:
        text = await raw(platform, m["ID"])
        assert body["cnie"] not in text and body["rib"] not in text
        assert 'lang="fr"' in text and 'dir="ltr"' in text
    card_mail = next(m for m in found if "émise" in m["Subject"])
    assert member_number in await raw(platform, card_mail["ID"])
    assert len(sms_for(platform, app.id) + sms_for(platform, member_number)) == 3


async def test_an_incomplete_filing_gets_one_notice_listing_everything_in_arabic(
    platform, applicants, bus, wait
):
    email = address()
    body = someone("public_employee", email, language="ar")
    app = await applicants.create(body)
    assert (await app.upload("cnie")).status_code == 201
    assert (await app.submit()).status_code == 202
    view = await app.wait_for("incomplete", "in_review", "card_issued", "eligible")
    assert view["status"] == "incomplete", view["status"]

    found = await wait(lambda: messages(platform, email, 2), "the acknowledgement and the notice")
    await bus.wait_caught_up(GROUP, DOCUMENTS_VERIFIED)
    await bus.wait_caught_up(GROUP, APPLICATION_SUBMITTED)
    found = await messages(platform, email)
    assert len(found) == 2, [m["Subject"] for m in found]
    notice = next(m for m in found if "مطلوبة" in m["Subject"])
    text = await raw(platform, notice["ID"])
    assert 'lang="ar"' in text and 'dir="rtl"' in text
    assert body["cnie"] not in text and body["rib"] not in text
    # one notice naming every document to fix: the work certificate, the photo and the RIB
    html = text.rsplit("<!DOCTYPE html>", 1)[1]  # the decoded HTML part, last in `raw`
    assert html.count("<li>") >= 3
    for label in ("شهادة العمل", "صورة شخصية", "شهادة الهوية البنكية"):
        assert label in html
    assert all(line["language"] == "ar" for line in sms_for(platform, app.id))


async def test_a_file_waiting_for_an_operator_is_told_it_is_under_review(
    platform, applicants, bus, wait
):
    first = someone("public_employee", address())
    # The same names and birth date under another CNIE: a likely duplicate, for an operator.
    twin = applicant(
        "public_employee",
        email=address(),
        **{k: first[k] for k in ("first_name", "last_name", "birth_date")},
    )
    for body in (first, twin):
        app = await applicants.create(body)
        for kind in DOCUMENTS["public_employee"]:
            content, filename = content_for(kind)
            assert (await app.upload(kind, content, filename=filename)).status_code == 201
        assert (await app.submit()).status_code == 202
        view = await app.wait_for("card_issued", "in_review", "incomplete", "ineligible")
    assert view["status"] == "in_review", view["status"]

    found = await wait(lambda: messages(platform, twin["email"], 2), "the review notice")
    await bus.wait_caught_up(GROUP, DOCUMENTS_VERIFIED)
    found = await messages(platform, twin["email"])
    assert len(found) == 2, [m["Subject"] for m in found]
    review = next(m for m in found if "en cours d'examen" in m["Subject"])
    assert twin["cnie"] not in await raw(platform, review["ID"])


async def test_no_log_file_names_an_address_a_message_went_to(platform):
    assert USED, "run with the tests above"
    leaks = [
        (path.name, address)
        for path in platform.stack.cfg.log_dir.rglob("*")
        if path.is_file()
        for address in USED
        if address in path.read_text(errors="replace")
    ]
    assert leaks == []
    assert (platform.stack.cfg.log_dir / "mailpit.log").exists()
    assert "notice sent" in (platform.stack.cfg.log_dir / "notifications.log").read_text()
