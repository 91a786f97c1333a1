"""`python -m amo_notifications`: serve the notifications service (`prepare`: its collections)."""

from __future__ import annotations

from amo_notifications.app import create_app
from amo_notifications.settings import Settings
from amo_shared.runtime import serve


def main() -> None:
    settings = Settings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
