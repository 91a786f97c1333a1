"""A service's operations endpoints: `/readyz` 200 only when Mongo, Kafka and every registered
check answer (503 naming the rest), `/livez` regardless, `/metrics` in Prometheus text format."""

from __future__ import annotations

import asyncio
import socket
import uuid

import httpx
from prometheus_client.parser import text_string_to_metric_families

from amo_shared.operations import run_checks
from amo_shared.runtime import Runtime, create_runtime, service_app
from amo_shared.settings import ServiceSettings


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def no_setup(_runtime: Runtime) -> None:
    return None


def app_for(settings: ServiceSettings):
    runtime = create_runtime("opsprobe", settings)
    return runtime, service_app(runtime, no_setup, title="probe", aggregates=["things"])


async def test_a_service_whose_dependencies_do_not_answer_is_alive_but_not_ready():
    port = closed_port()
    _, app = app_for(
        ServiceSettings(
            kafka_bootstrap_servers=f"127.0.0.1:{port}",
            mongo_url=f"mongodb://127.0.0.1:{port}/?serverSelectionTimeoutMS=300",
            log_json=False,
        )
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        assert (await c.get("/livez")).status_code == 200
        ready = await c.get("/readyz")
        health = await c.get("/health")
    assert ready.status_code == 503 and ready.json()["status"] == "not ready"
    assert ready.json()["missing"] == ["started", "database", "kafka"]
    assert health.status_code == 503 and health.json()["status"] == "degraded"


async def test_readyz_is_200_with_everything_up_and_names_a_failing_dependency(stack, run_app):
    runtime, app = app_for(
        ServiceSettings(
            **stack.kafka_settings("admin"),
            mongo_url=stack.mongo_url,
            log_json=False,
            mongo_database=f"amo_ops_{uuid.uuid4().hex[:8]}",
        )
    )
    async with run_app(app) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"started": "ok", "database": "ok", "kafka": "ok"}
        assert (await client.get("/health")).json()["status"] == "ok"

        async def s3() -> None:
            raise ConnectionRefusedError("connection refused by 10.0.0.9:9000")

        runtime.readiness["s3"] = s3
        missing = await client.get("/readyz")
        assert missing.status_code == 503
        assert missing.json()["missing"] == ["s3"]
        assert missing.json()["checks"]["s3"] == "failed (ConnectionRefusedError)"
        assert "10.0.0.9" not in missing.text  # the type only, never a driver's message

        scrape = await client.get("/metrics")
        await runtime.mongo.drop_database(runtime.settings.mongo_database)
    assert scrape.status_code == 200
    families = {f.name for f in text_string_to_metric_families(scrape.text)}
    assert {"amo_http_requests", "amo_outbox_backlog", "amo_dead_letters"} <= families
    assert "faststream_received_messages" in families


async def test_a_hung_check_is_a_timeout_and_does_not_hold_the_others():
    async def hangs() -> None:
        await asyncio.sleep(30)

    async def answers() -> None:
        return None

    started = asyncio.get_running_loop().time()
    outcomes = await run_checks({"hangs": hangs, "answers": answers}, timeout=0.2)
    assert outcomes == {"hangs": "timeout", "answers": "ok"}
    assert asyncio.get_running_loop().time() - started < 2
