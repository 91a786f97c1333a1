"""Composition root of the cards service: settings, terms, reasons, keys, runtime, routes, API."""

from __future__ import annotations

from fastapi import FastAPI

from amo_cards import api, handlers
from amo_cards.adapters.repository import COLLECTION, CardRepository
from amo_cards.adapters.signing import Keyring
from amo_cards.card_terms import load_card_terms, load_reasons
from amo_cards.domain import CardTermsBook
from amo_cards.settings import Settings
from amo_shared.runtime import Runtime, create_runtime, service_app

SERVICE = "cards"


def create_app(settings: Settings | None = None, *, terms: CardTermsBook | None = None) -> FastAPI:
    settings = settings or Settings()
    # Loaded before anything starts: a broken terms or reasons file stops the service here.
    terms = terms or load_card_terms(settings.terms_dir)
    reasons = load_reasons()
    runtime = create_runtime(SERVICE, settings)
    cards = CardRepository(runtime.store(COLLECTION))
    keys = Keyring(settings.signing_keys_dir)

    async def setup(rt: Runtime) -> None:
        await cards.ensure_indexes()
        # `prepare` makes the first key; a running service loads what is there.
        keys.ensure()
        rt.subscribe(handlers.routes(cards, terms, reasons))

    app = service_app(runtime, setup, title="AMO cards", aggregates=[COLLECTION])
    app.state.cards = cards
    app.state.terms = terms
    app.state.reasons = reasons
    app.state.keyring = keys
    app.state.font_path = settings.font_path
    app.include_router(api.router)
    return app
