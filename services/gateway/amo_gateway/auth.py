"""The applicant's bearer token: required on every call about an existing application.

The gateway only checks that one is present; registration, which keeps its digest, decides
whether it opens this application (another applicant's token gets a 404 there).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
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


_operator = HTTPBearer(
    auto_error=False, description="An operator credential (from the gateway's settings)."
)
# The header the gateway sets for internal services once it has checked the operator; a
# client's own value is never forwarded (the gateway builds the upstream headers itself).
OPERATOR_HEADER = "X-Operator"


def operator_header(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_operator)],
) -> dict[str, str]:
    """`{"X-Operator": <operator id>}` for a known operator credential; 401 without one,
    403 for a credential that is not an operator's."""
    if credentials is None or not credentials.credentials.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "an operator credential is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    known: dict[str, str] = request.app.state.settings.operator_credentials
    presented = credentials.credentials.strip().encode()
    operator = next(
        (op for token, op in known.items() if hmac.compare_digest(token.encode(), presented)),
        None,
    )
    if operator is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not an operator credential")
    return {OPERATOR_HEADER: operator}


OperatorHeader = Annotated[dict[str, str], Depends(operator_header)]
