"""Composition root of the cards service: settings, terms, runtime, its route and the API."""

from __future__ import annotations

from fastapi import FastAPI

from amo_cards import api, handlers
from amo_cards.adapters.repository import COLLECTION, CardRepository
from amo_cards.card_terms import load_card_terms
from amo_cards.domain import CardTermsBook
from amo_cards.settings import Settings
from amo_shared.runtime import Runtime, create_runtime, service_app

SERVICE = "cards"


def create_app(settings: Settings | None = None, *, terms: CardTermsBook | None = None) -> FastAPI:
    settings = settings or Settings()
    # Loaded before anything starts: a broken terms file stops the service here.
    terms = terms or load_card_terms(settings.terms_dir)
    runtime = create_runtime(SERVICE, settings)
    cards = CardRepository(runtime.store(COLLECTION))

    async def setup(rt: Runtime) -> None:
        await cards.ensure_indexes()
        rt.subscribe(handlers.routes(cards, terms))

    app = service_app(runtime, setup, title="AMO cards", aggregates=[COLLECTION])
    app.state.cards = cards
    app.include_router(api.router)
    return app
