"""`python -m amo_cards`: serve; `prepare` (collections, indexes, a first signing key);
`revalidate --as-of YYYY-MM-DD [--url URL]` runs the daily job on a running service."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

import httpx

from amo_cards.app import create_app
from amo_cards.card_terms import CardTermsFileError
from amo_cards.settings import Settings
from amo_shared.runtime import serve


def revalidate(as_of: date, url: str) -> dict[str, object]:
    """The job as of `as_of` on the service at `url`; its summary."""
    response = httpx.post(
        url.rstrip("/") + "/operations/revalidate", params={"as_of": as_of.isoformat()}, timeout=300
    )
    response.raise_for_status()
    result: dict[str, object] = response.json()
    return result


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    settings = Settings()
    if argv[:1] == ["revalidate"]:
        parser = argparse.ArgumentParser(prog="python -m amo_cards revalidate")
        parser.add_argument("--as-of", required=True, type=date.fromisoformat)
        parser.add_argument("--url", default=settings.url)
        args = parser.parse_args(argv[1:])
        print(json.dumps(revalidate(args.as_of, args.url), indent=2, default=str))
        return
    try:
        app = create_app(settings)
    except CardTermsFileError as exc:
        # A wrong terms file must stop the service, saying which file and field are at fault.
        raise SystemExit(f"card terms refused:\n{exc}") from None
    serve(app, settings, argv)


if __name__ == "__main__":
    main()
