"""End to end: one application is one trace from the applicant's submit to the card (on the
`card.issued` record's headers and in the trace viewer), every process answers `/readyz` and
`/metrics`, and no log file of the platform holds the applicant's personal data."""

from __future__ import annotations

import asyncio
import secrets
import stat
import string
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from amo_localstack import jaeger
from amo_localstack.citizens import Citizen
from amo_localstack.traces import show_trace
from amo_shared.topics import CARD_ISSUED
from amo_testkit import DOCUMENTS, Application, applicant, cnie, content_for, headers_of

SERVICES = ("registration", "documents", "eligibility", "cards", "claims", "gateway")
# Every service a card's way goes through; claims follows card.issued for its member register.
TRACED = {"gateway", "registration", "documents", "eligibility", "cards", "claims"}


def unique_person() -> dict[str, str]:
    """Personal data used nowhere else in the session, so finding it in a log means a leak."""
    letters = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    digits = "".join(secrets.choice(string.digits) for _ in range(8))
    return {
        "cnie": cnie(),
        "first_name": f"Zineb{letters}",
        "last_name": f"Bennani{letters}",
        "email": f"zineb.{letters}@example.ma",
        "phone": f"+2126{digits}",
    }


async def file_with_trace(
    client: httpx.AsyncClient, citizen: Citizen, person: dict, traceparent: str
) -> Application:
    category = "public_employee"
    created = await client.post(
        "/v1/applications", json=applicant(category, **person), headers=citizen.header()
    )
    assert created.status_code == 201, created.text
    app = Application(created.json()["id"], citizen, client)
    for kind in DOCUMENTS[category]:
        content, filename = content_for(kind)
        assert (await app.upload(kind, content, filename=filename)).status_code == 201
    submitted = await client.post(
        f"/v1/applications/{app.id}/submit", headers={**app.auth, "traceparent": traceparent}
    )
    assert submitted.status_code == 202, submitted.text
    view = await app.wait_for("card_issued", "ineligible", "incomplete")
    assert view["status"] == "card_issued", view
    return app


def new_trace() -> tuple[str, str, str]:
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    return trace_id, span_id, f"00-{trace_id}-{span_id}-01"


@pytest.fixture(scope="module")
async def traced(platform, bus, citizens):
    """One applicant filed through the gateway with a W3C traceparent on the submit."""
    trace_id, caller_span, traceparent = new_trace()
    person = unique_person()
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as client:
        app = await file_with_trace(client, citizens.new(), person, traceparent)
    records = await bus.wait_records(CARD_ISSUED, key=app.id)
    return {
        "trace_id": trace_id,
        "caller_span": caller_span,
        "person": person,
        "app": app,
        "records": records,
    }


async def test_the_submits_trace_id_is_on_the_card_issued_record(traced):
    (record,) = traced["records"]
    header = headers_of(record)["traceparent"]
    version, trace_id, span_id, _flags = header.split("-")
    assert version == "00" and trace_id == traced["trace_id"]
    # A span of the platform's (the cards relay's publish), not the caller's.
    assert span_id != traced["caller_span"]


async def _trace(viewer: str, trace_id: str) -> dict | None:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"{viewer}/api/traces/{trace_id}")
    if response.status_code != 200 or not response.json().get("data"):
        return None
    return response.json()["data"][0]


async def test_the_viewer_holds_one_connected_trace_through_every_service(platform, traced):
    cfg = platform.stack.cfg
    assert cfg.traces, "the test session always runs the trace viewer"
    viewer = jaeger.ui_url(cfg)
    deadline = time.monotonic() + 60  # spans leave each process in batches, every few seconds
    while True:
        found = await _trace(viewer, traced["trace_id"])
        services = {p["serviceName"] for p in (found or {}).get("processes", {}).values()}
        if services >= TRACED or time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    assert found is not None, f"trace {traced['trace_id']} never reached {viewer}"
    assert services >= TRACED, services

    spans = found["spans"]
    ids = {s["spanID"] for s in spans}
    parents = {
        s["spanID"]: [r["spanID"] for r in s["references"] if r["refType"] == "CHILD_OF"]
        for s in spans
    }
    # Connected: only the gateway's request span hangs off the caller's span, every other span
    # off a span of this same trace.
    roots = [s for s in spans if not set(parents[s["spanID"]]) & ids]
    assert [parents[s["spanID"]] for s in roots] == [[traced["caller_span"]]]
    root_service = found["processes"][roots[0]["processID"]]["serviceName"]
    assert root_service == "gateway" and roots[0]["operationName"].startswith("POST /v1/")
    by_service = {}
    for s in spans:
        by_service.setdefault(found["processes"][s["processID"]]["serviceName"], []).append(s)
    print(
        f"trace {traced['trace_id']}: {len(spans)} spans, "
        + ", ".join(f"{name} {len(v)}" for name, v in sorted(by_service.items()))
    )
    operations = {s["operationName"] for s in by_service["cards"]}
    assert "eligibility.decided process" in operations and "card.issued publish" in operations


async def test_every_process_is_ready_and_serves_prometheus_metrics(platform, traced):
    async with httpx.AsyncClient(timeout=10) as client:
        for name in SERVICES:
            ready = await client.get(platform.url(name) + "/readyz")
            assert ready.status_code == 200, (name, ready.text)
            assert (await client.get(platform.url(name) + "/livez")).status_code == 200
            scrape = await client.get(platform.url(name) + "/metrics")
            assert scrape.status_code == 200 and scrape.headers["content-type"].startswith(
                "text/plain"
            )
            families = {f.name for f in text_string_to_metric_families(scrape.text)}
            assert "amo_http_requests" in families, name
            if name != "gateway":
                assert "faststream_received_messages" in families, name
                assert "amo_dead_letters" in families, name
        cards = (await client.get(platform.url("cards") + "/metrics")).text
    consumed = [
        s
        for f in text_string_to_metric_families(cards)
        for s in f.samples
        if s.name == "faststream_received_processed_messages_total"
        and s.labels.get("handler") == "eligibility.decided"
    ]
    assert sum(s.value for s in consumed) >= 1


def test_no_log_file_holds_the_applicants_personal_data_or_is_readable_by_others(platform, traced):
    log_dir = platform.stack.cfg.log_dir
    files = [p for p in log_dir.rglob("*") if p.is_file()]
    assert len(files) >= len(SERVICES), files
    person = traced["person"]
    # The applicant's own data, and the defaults every other applicant of the session shares.
    citizen = traced["app"].citizen
    secrets_ = [*person.values(), citizen.token, citizen.password, "amina@example.ma", "Alaoui"]
    leaks = []
    for path in files:
        text = path.read_text(errors="replace")
        leaks += [(path.name, value) for value in secrets_ if value in text]
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            leaks.append((path.name, f"mode {stat.filemode(path.stat().st_mode)}"))
    assert leaks == []
    service_logs = "".join((log_dir / f"{name}.log").read_text() for name in SERVICES)
    assert traced["app"].id in service_logs  # the logs are written, and name the application


async def test_make_trace_shows_the_trace_as_one_tree_from_the_gateway_to_the_card(
    platform, traced
):
    from io import StringIO

    from rich.console import Console

    cfg = platform.stack.cfg
    out = StringIO()
    deadline = time.monotonic() + 60
    while True:  # the viewer may still be receiving the last batches
        spans = show_trace(cfg, traced["trace_id"], Console(file=out, width=200))
        if spans >= 15 or time.monotonic() > deadline:
            break
        out = StringIO()
        await asyncio.sleep(1)
    text = out.getvalue()
    assert spans >= 15, text
    lines = text.splitlines()
    assert lines[0] == f"trace {traced['trace_id']}"
    assert "gateway POST /v1/" in lines[1], "one root: the gateway's request"
    for service in ("registration", "documents", "eligibility", "cards"):
        assert service in text
