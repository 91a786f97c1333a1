"""`python -m amo_registration`: serve the registration service."""

import uvicorn

from amo_registration.app import create_app
from amo_registration.settings import Settings


def main() -> None:
    settings = Settings()
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None)


if __name__ == "__main__":
    main()
