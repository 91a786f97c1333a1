"""`python -m amo_eligibility`: serve the eligibility service."""

from __future__ import annotations

from amo_eligibility.app import create_app
from amo_eligibility.ruleset import RuleFileError
from amo_eligibility.settings import Settings
from amo_shared.runtime import serve


def main() -> None:
    settings = Settings()
    try:
        app = create_app(settings)
    except RuleFileError as exc:
        # A wrong rule file must stop the service, saying which file and field are at fault.
        raise SystemExit(f"eligibility rules refused:\n{exc}") from None
    serve(app, settings)


if __name__ == "__main__":
    main()
