"""Composition root of the cards service: settings, terms, runtime, subscriber and routes."""

from __future__ import annotations

from fastapi import FastAPI

from amo_shared.runtime import Runtime, create_runtime, service_app

from amo_cards import api, handlers
from amo_cards.adapters.repository import COLLECTION, CardRepository
from amo_cards.card_terms import load_card_terms
from amo_cards.domain import CardTermsBook
from amo_cards.settings import Settings

SERVICE = "cards"


def create_app(settings: Settings | None = None, *, terms: CardTermsBook | None = None) -> FastAPI:
    settings = settings or Settings()
    # Loaded before anything starts: a broken terms file stops the service here.
    terms = terms or load_card_terms(settings.terms_dir)
    runtime = create_runtime(SERVICE, settings)

    async def setup(rt: Runtime) -> None:
        cards = CardRepository(rt.store(COLLECTION))
        await cards.ensure_indexes()
        handlers.register(rt, cards, terms)

    app = service_app(runtime, setup, title="AMO cards", aggregates=[COLLECTION])
    app.include_router(api.router)
    return app
