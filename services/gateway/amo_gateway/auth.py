"""The applicant's bearer token: required on every call about an existing application.

The gateway only checks that one is present; registration, which keeps its digest, decides
whether it opens this application (another applicant's token gets a 404 there).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

_bearer = HTTPBearer(
    auto_error=False, description="The token returned when the application was created."
)


def bearer_header(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> dict[str, str]:
    """The Authorization header to forward; 401 when there is no bearer token at all."""
    if credentials is None or not credentials.credentials.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return {"Authorization": f"Bearer {credentials.credentials.strip()}"}


BearerHeader = Annotated[dict[str, str], Depends(bearer_header)]
