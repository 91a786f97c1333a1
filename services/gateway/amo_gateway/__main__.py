"""`python -m amo_gateway`: serve the public applicant API."""

import uvicorn

from amo_gateway.app import create_app
from amo_gateway.settings import Settings


def main() -> None:
    settings = Settings()
    uvicorn.run(
        create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None
    )


if __name__ == "__main__":
    main()
