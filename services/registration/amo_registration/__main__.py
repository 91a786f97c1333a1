"""`python -m amo_registration`: serve the registration service (`prepare`: its collections)."""

import sys

from amo_registration.app import create_app
from amo_registration.settings import Settings
from amo_shared.runtime import serve


def main() -> None:
    settings = Settings()
    if sys.argv[1:2] != ["prepare"] and settings.data_keys is None:
        # Bank details are stored only sealed: without a key there is nothing safe to do.
        raise SystemExit("AMO_REGISTRATION_DATA_KEYS is required to serve registration")
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
