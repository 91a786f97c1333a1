"""`python -m amo_claims`: serve the claims service."""

from __future__ import annotations

from amo_claims.app import create_app
from amo_claims.settings import Settings
from amo_shared.runtime import serve


def main() -> None:
    settings = Settings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
