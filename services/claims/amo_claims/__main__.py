"""`python -m amo_claims`: serve the claims service."""

from __future__ import annotations

import uvicorn

from amo_claims.app import create_app
from amo_claims.settings import Settings


def main() -> None:
    settings = Settings()
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port,
                log_config=None)


if __name__ == "__main__":
    main()
