"""Composition root of the eligibility service: settings, rules, runtime, its route and the API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from amo_eligibility import api, handlers
from amo_eligibility.adapters.repository import COLLECTION, DecisionRepository
from amo_eligibility.ruleset import RuleBook, load_rulesets
from amo_eligibility.settings import Settings
from amo_shared.runtime import Runtime, create_runtime, service_app

SERVICE = "eligibility"


def create_app(settings: Settings | None = None, *, rules: RuleBook | None = None) -> FastAPI:
    settings = settings or Settings()
    # Loaded before anything starts: a broken rule file stops the service here, naming the
    # file and the field at fault (RuleFileError).
    if rules is None:
        rules = load_rulesets(Path(settings.rules_dir) if settings.rules_dir else None)
    runtime = create_runtime(SERVICE, settings)
    decisions = DecisionRepository(runtime.store(COLLECTION))

    async def setup(rt: Runtime) -> None:
        await decisions.ensure_indexes()
        rt.subscribe(handlers.routes(decisions, rules))

    app = service_app(runtime, setup, title="AMO eligibility", aggregates=[COLLECTION])
    app.state.decisions = decisions
    app.include_router(api.router)
    return app
