"""Where a FastAPI app serves its API documentation: `/docs`, `/redoc` and `/openapi.json` only
in development. In production they would hand anyone a map of every route and field."""

from __future__ import annotations

from typing import Literal, TypedDict

Environment = Literal["development", "production"]
DEVELOPMENT: Environment = "development"
PRODUCTION: Environment = "production"


class ApiDocs(TypedDict):
    docs_url: str | None
    redoc_url: str | None
    openapi_url: str | None


def api_docs(environment: str) -> ApiDocs:
    """FastAPI's `docs_url`, `redoc_url` and `openapi_url` for `environment`: the defaults in
    development, none otherwise (an unknown environment counts as production)."""
    if environment == DEVELOPMENT:
        return {"docs_url": "/docs", "redoc_url": "/redoc", "openapi_url": "/openapi.json"}
    return {"docs_url": None, "redoc_url": None, "openapi_url": None}
