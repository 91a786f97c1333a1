"""The gateway's operations endpoints: alive always, ready only when every upstream is ready,
and request metrics labelled by route template."""

from __future__ import annotations

import uuid

from prometheus_client.parser import text_string_to_metric_families


async def test_livez_answers_while_upstreams_are_not_ready(gateway, services):
    services.not_ready |= {"registration", "documents"}
    response = await gateway.get("/livez")
    assert response.status_code == 200 and response.json()["status"] == "alive"


async def test_readyz_is_200_only_when_every_upstream_is_ready(gateway, services):
    ready = await gateway.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {
        "registration": "ok",
        "documents": "ok",
        "cards": "ok",
        "claims": "ok",
    }

    services.not_ready.add("documents")
    missing = await gateway.get("/readyz")
    assert missing.status_code == 503
    assert missing.json()["missing"] == ["documents"]
    assert missing.json()["checks"]["registration"] == "ok"

    services.not_ready.clear()
    assert (await gateway.get("/readyz")).status_code == 200


def _requests(text: str) -> dict[tuple[str, str, str], float]:
    counts = {}
    for family in text_string_to_metric_families(text):
        if family.name == "amo_http_requests":
            for sample in family.samples:
                if sample.name.endswith("_total") and sample.labels["service"] == "gateway":
                    key = (sample.labels["method"], sample.labels["route"], sample.labels["status"])
                    counts[key] = sample.value
    return counts


async def test_metrics_count_requests_by_route_template_never_by_raw_path(gateway, services):
    unknown = str(uuid.uuid4())
    before = _requests((await gateway.get("/metrics")).text)
    _, token = services.add()
    for _ in range(3):
        response = await gateway.get(
            f"/v1/applications/{unknown}", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 404

    scrape = await gateway.get("/metrics")
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain; version=0.0.4")
    after = _requests(scrape.text)
    key = ("GET", "/v1/applications/{application_id}", "404")
    assert after[key] - before.get(key, 0) == 3
    assert unknown not in scrape.text
    assert "amo_http_request_duration_seconds_bucket" in scrape.text
