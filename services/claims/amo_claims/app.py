"""Composition root of the claims service: settings, reference files, runtime, the member
register following card events, the reference registries and the internal API."""

from __future__ import annotations

from fastapi import FastAPI

from amo_claims import api, handlers, operator_api, reference_api
from amo_claims.adapters.reference_store import CATALOGUE, VERSIONS, ReferenceStore
from amo_claims.adapters.repository import COLLECTION, MemberRegister
from amo_claims.domain import ClaimRules, NoTariffInForce, Reference
from amo_claims.reference_files import load_versions, reference_from
from amo_claims.settings import Settings
from amo_shared.events import CardState
from amo_shared.runtime import Runtime, create_runtime, service_app

SERVICE = "claims"


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

    async def setup(rt: Runtime) -> None:
        await references.ensure_indexes()
        if settings.import_reference_on_start:
            await references.import_versions(shipped)
        rt.subscribe(handlers.routes(members))

    app = service_app(
        runtime, setup, title="AMO claims", aggregates=[COLLECTION, VERSIONS, CATALOGUE]
    )
    app.state.members = members
    app.state.reference_store = references
    app.include_router(api.router)
    app.include_router(operator_api.router)
    app.include_router(reference_api.router)
    return app


def rules_on_card(reference: Reference, card: CardState) -> ClaimRules:
    # The scheme a card falls under follows the rules in force when its coverage starts.
    try:
        return reference.rules(card.valid_from)
    except NoTariffInForce:
        return reference.rules_book.history[0]
