"""`python -m amo_cards`: serve the cards service."""

from __future__ import annotations

import uvicorn

from amo_cards.app import create_app
from amo_cards.card_terms import CardTermsFileError
from amo_cards.settings import Settings


def main() -> None:
    settings = Settings()
    try:
        app = create_app(settings)
    except CardTermsFileError as exc:
        # A wrong terms file must stop the service, saying which file and field are at fault.
        raise SystemExit(f"card terms refused:\n{exc}") from None
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_config=None)


if __name__ == "__main__":
    main()
