"""`python -m amo_registration`: serve the registration service."""

from amo_registration.app import create_app
from amo_registration.settings import Settings
from amo_shared.runtime import serve


def main() -> None:
    settings = Settings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
