"""Composition root of the claims service: settings, reference files, runtime, the member
register following card events, the reference registries and the internal API."""

from __future__ import annotations

from fastapi import FastAPI

from amo_claims import (
    api,
    claims_api,
    handlers,
    operator_api,
    payment_runs,
    payments_api,
    reference_api,
    review_api,
)
from amo_claims.adapters import approvals as approvals_store
from amo_claims.adapters import claim_files as claims_store
from amo_claims.adapters import line_keys as line_keys_store
from amo_claims.adapters import payees as payees_store
from amo_claims.adapters.approvals import ApprovalBook
from amo_claims.adapters.claim_files import ClaimFiles
from amo_claims.adapters.reference_store import CATALOGUE, VERSIONS, ReferenceStore
from amo_claims.adapters.repository import COLLECTION, MemberRegister
from amo_claims.adjudicating import Adjudicator
from amo_claims.domain import ClaimRules, NoTariffInForce, Reference
from amo_claims.reference_files import load_versions, reference_from
from amo_claims.settings import Settings
from amo_shared.events import CardState
from amo_shared.lease import Lease
from amo_shared.runtime import Runtime, create_runtime, service_app

SERVICE = "claims"
# Renewed at every claim paid: a run killed mid-way frees the lease this soon after.
PAYMENT_LEASE_SECONDS = 15


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    # Validated before anything starts: a broken reference file stops the service here.
    shipped = load_versions(settings.reference_dir)
    fallback = reference_from(shipped)
    runtime = create_runtime(SERVICE, settings)
    references = ReferenceStore(runtime.store(VERSIONS), runtime.store(CATALOGUE))

    async def rules_for(card: CardState) -> ClaimRules:
        reference = await references.current() or fallback
        return rules_on_card(reference, card)

    members = MemberRegister(runtime.store(COLLECTION), rules_for)
    claims = ClaimFiles(runtime.store(claims_store.COLLECTION))
    approvals = ApprovalBook(runtime.store(approvals_store.COLLECTION))
    line_keys = line_keys_store.LineKeys(runtime.store(line_keys_store.COLLECTION))
    adjudicator = Adjudicator(claims, members, references, approvals, line_keys, fallback)
    payees = payees_store.Payees(runtime.store(payees_store.COLLECTION))
    runs = payment_runs.PaymentRuns(
        runtime.store(payment_runs.COLLECTION),
        claims,
        payees,
        members,
        Lease(runtime.db, "payment-run", seconds=PAYMENT_LEASE_SECONDS),
        settings,
    )

    async def setup(rt: Runtime) -> None:
        await references.ensure_indexes()
        await claims.ensure_indexes()
        await line_keys.ensure_indexes()
        await approvals.ensure_indexes()
        await runs.ensure_indexes()
        if settings.import_reference_on_start:
            await references.import_versions(shipped)
        rt.subscribe(handlers.routes(members, adjudicator.decide, payees))

    aggregates = [
        COLLECTION,
        VERSIONS,
        CATALOGUE,
        claims_store.COLLECTION,
        line_keys_store.COLLECTION,
        approvals_store.COLLECTION,
        payees_store.COLLECTION,
        payment_runs.COLLECTION,
    ]
    app = service_app(runtime, setup, title="AMO claims", aggregates=aggregates)
    app.state.members = members
    app.state.claim_files = claims
    app.state.line_keys = line_keys
    app.state.approvals = approvals
    app.state.payment_runs = runs
    app.state.reference_store = references
    app.include_router(api.router)
    app.include_router(operator_api.router)
    app.include_router(reference_api.router)
    app.include_router(claims_api.router)
    app.include_router(review_api.router)
    app.include_router(payments_api.router)
    return app


def rules_on_card(reference: Reference, card: CardState) -> ClaimRules:
    # The scheme a card falls under follows the rules in force when its coverage starts.
    try:
        return reference.rules(card.valid_from)
    except NoTariffInForce:
        return reference.rules_book.history[0]
