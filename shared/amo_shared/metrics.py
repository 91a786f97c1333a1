"""Delivery metrics (prometheus-client, default registry), served by every service's `/metrics`.

FastStream's Prometheus middleware counts messages consumed, published and failed and times the
handlers; these add what only the delivery policy and the outbox know.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

DEAD_LETTERED = Counter(
    "amo_dead_letters",
    "Records sent to a dead-letter topic (or parked when it refused them).",
    ["topic", "group", "trimmed"],
)
DELIVERY_RETRIES = Counter(
    "amo_delivery_retries",
    "Retries of a record under the delivery policy, by failure class.",
    ["topic", "group", "failure"],
)
OUTBOX_BACKLOG = Gauge(
    "amo_outbox_backlog",
    "Events waiting in aggregates' outboxes at the relay's last pass.",
    ["collection"],
)
OUTBOX_PUBLISHED = Counter("amo_outbox_published", "Events the outbox relay published.", ["topic"])
OUTBOX_PARKED = Counter(
    "amo_outbox_parked", "Outbox records the relay could not publish and parked.", ["topic"]
)
OUTBOX_PARKED_NOW = Gauge(
    "amo_outbox_parked_waiting", "Parked outbox records waiting for an operator."
)
DEAD_LETTERS_PARKED = Counter(
    "amo_dead_letters_parked",
    "Dead letters kept in the service's database instead of Kafka "
    "(the dead-letter topic refused them, or a replayed entry was malformed).",
    ["topic", "why"],
)
