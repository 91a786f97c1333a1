"""Kafka topic names, the key rule and the dead-letter naming: the bus's public map."""

from __future__ import annotations

APPLICATION_SUBMITTED = "application.submitted"
DOCUMENTS_VERIFIED = "documents.verified"
ELIGIBILITY_DECIDED = "eligibility.decided"
CARD_ISSUED = "card.issued"
# Card lifecycle and claims topics: created now so consumers can subscribe before producers exist.
CARD_SUSPENDED = "card.suspended"
CARD_REINSTATED = "card.reinstated"
CARD_REVOKED = "card.revoked"
CARD_RENEWED = "card.renewed"
CARD_EXPIRED = "card.expired"
# A proof falls due in 30 days (notifications remind the member).
CARD_REVALIDATION_DUE = "card.revalidation_due"
# A renewal proof accepted after the card (cards reinstates what it suspended).
DOCUMENTS_REVALIDATED = "documents.revalidated"
CLAIM_SUBMITTED = "claim.submitted"
CLAIM_ADJUDICATED = "claim.adjudicated"
CLAIM_PAID = "claim.paid"
# An operator's answer to a facility's prior-approval request (keyed by approval id).
PRIOR_APPROVAL_DECIDED = "prior_approval.decided"

MAIN_TOPICS: tuple[str, ...] = (
    APPLICATION_SUBMITTED,
    DOCUMENTS_VERIFIED,
    ELIGIBILITY_DECIDED,
    CARD_ISSUED,
    CARD_SUSPENDED,
    CARD_REINSTATED,
    CARD_REVOKED,
    CARD_RENEWED,
    CARD_EXPIRED,
    CARD_REVALIDATION_DUE,
    DOCUMENTS_REVALIDATED,
    CLAIM_SUBMITTED,
    CLAIM_ADJUDICATED,
    CLAIM_PAID,
    PRIOR_APPROVAL_DECIDED,
)
# The card's life, one topic per change (keyed by member number).
CARD_CHANGES: tuple[str, ...] = (
    CARD_SUSPENDED,
    CARD_REINSTATED,
    CARD_REVOKED,
    CARD_RENEWED,
    CARD_EXPIRED,
)

DLT_SUFFIX = ".dlt"


def dlt(topic: str) -> str:
    """The dead-letter topic of `topic`."""
    return topic + DLT_SUFFIX


ALL_TOPICS: tuple[str, ...] = MAIN_TOPICS + tuple(dlt(t) for t in MAIN_TOPICS)

# Fixed partition count; the key (application id, or member number for card lifecycle) keeps
# every event of one aggregate on one partition, in order.
DEFAULT_PARTITIONS = 3

# Who may write and read what: the broker's ACLs are made from these two maps (one principal per
# service, named after it), so a service can publish only the topics it owns and read only
# those it consumes. A service also writes and reads the dead-letter topic of each topic it
# consumes (its own failures, replayed by itself). `Runtime.subscribe` refuses a route that is
# not listed here, so the map and the code cannot drift apart.
PRODUCES: dict[str, tuple[str, ...]] = {
    "registration": (APPLICATION_SUBMITTED,),
    "documents": (DOCUMENTS_VERIFIED, DOCUMENTS_REVALIDATED),
    "eligibility": (ELIGIBILITY_DECIDED,),
    "cards": (CARD_ISSUED, *CARD_CHANGES, CARD_REVALIDATION_DUE),
    "claims": (CLAIM_SUBMITTED, CLAIM_ADJUDICATED, CLAIM_PAID, PRIOR_APPROVAL_DECIDED),
    "notifications": (),
}
CONSUMES: dict[str, tuple[str, ...]] = {
    "registration": (DOCUMENTS_VERIFIED, ELIGIBILITY_DECIDED, CARD_ISSUED, *CARD_CHANGES),
    "documents": (APPLICATION_SUBMITTED,),
    "eligibility": (DOCUMENTS_VERIFIED,),
    "cards": (ELIGIBILITY_DECIDED, DOCUMENTS_REVALIDATED),
    "claims": (CARD_ISSUED, CLAIM_SUBMITTED, ELIGIBILITY_DECIDED, *CARD_CHANGES),
    "notifications": (
        APPLICATION_SUBMITTED,
        DOCUMENTS_VERIFIED,
        ELIGIBILITY_DECIDED,
        CARD_ISSUED,
        *CARD_CHANGES,
        CARD_REVALIDATION_DUE,
    ),
}
BUS_SERVICES: tuple[str, ...] = tuple(PRODUCES)


def consumer_groups(service: str) -> tuple[str, ...]:
    """The consumer groups `service` may use: its own, and the one its DLT replay commits in."""
    return (service, f"{service}.dlt-replay")
