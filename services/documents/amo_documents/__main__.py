"""`python -m amo_documents`: serve the documents service."""

from __future__ import annotations

import uvicorn

from amo_documents.app import create_app
from amo_documents.settings import Settings


def main() -> None:
    settings = Settings()
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None)


if __name__ == "__main__":
    main()
