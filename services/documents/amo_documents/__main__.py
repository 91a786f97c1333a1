"""`python -m amo_documents`: serve the documents service."""

from __future__ import annotations

from amo_documents.app import create_app
from amo_documents.settings import Settings
from amo_shared.runtime import serve


def main() -> None:
    settings = Settings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
