"""`python -m amo_cards`: serve the cards service."""

from __future__ import annotations

from amo_cards.app import create_app
from amo_cards.card_terms import CardTermsFileError
from amo_cards.settings import Settings
from amo_shared.runtime import serve


def main() -> None:
    settings = Settings()
    try:
        app = create_app(settings)
    except CardTermsFileError as exc:
        # A wrong terms file must stop the service, saying which file and field are at fault.
        raise SystemExit(f"card terms refused:\n{exc}") from None
    serve(app, settings)


if __name__ == "__main__":
    main()
