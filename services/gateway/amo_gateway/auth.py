"""Who calls: the applicant's bearer token (required on every call about an existing
application), an operator's or a facility's credential, and the member an applicant token
stands for once its application has a card.

For applications the gateway only checks that a token is present; registration, which keeps its
digest, decides whether it opens this application (another applicant's token gets a 404 there).
The headers naming an operator, a facility or a member upstream are built here, never copied
from the client.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from amo_gateway.upstream import UpstreamDep, UpstreamFailed, answer

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
    operator = holder_of(request.app.state.settings.operator_credentials, credentials)
    if operator is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not an operator credential")
    return {OPERATOR_HEADER: operator}


OperatorHeader = Annotated[dict[str, str], Depends(operator_header)]


def holder_of(known: dict[str, str], credentials: HTTPAuthorizationCredentials) -> str | None:
    """Whose credential this is (`known`: token -> holder). Every known token is compared, in
    constant time each, so the answer time does not tell how close a guess came."""
    presented = credentials.credentials.strip().encode()
    found = None
    for token, holder in known.items():
        if hmac.compare_digest(token.encode(), presented):
            found = holder
    return found


_facility = HTTPBearer(
    auto_error=False,
    description="A facility's direct-billing credential (from the gateway's settings).",
)
# Set by the gateway for claims once the facility's credential is checked, like X-Operator.
FACILITY_HEADER = "X-Facility"


def facility_header(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_facility)],
) -> dict[str, str]:
    """`{"X-Facility": <facility id>}` for a known facility credential; 401 without one, 403
    for a credential that is not a facility's."""
    if credentials is None or not credentials.credentials.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a facility credential is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    facility = holder_of(request.app.state.settings.facility_credentials, credentials)
    if facility is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not a facility credential")
    return {FACILITY_HEADER: facility}


FacilityHeader = Annotated[dict[str, str], Depends(facility_header)]


# Set by the gateway for claims once registration named the member the applicant token opens.
MEMBER_HEADER = "X-Member"
NO_CARD = "no card for this token"


async def member_header(auth: BearerHeader, upstream: UpstreamDep) -> dict[str, str]:
    """`{"X-Member": <member number>}` of the applicant token's card, asked of registration;
    401 without a token, 404 when the token opens no application with a card (registration
    does not say which, and neither does this)."""
    response = await upstream.call("registration", "GET", "/members/me", headers=auth)
    if response.status_code == status.HTTP_404_NOT_FOUND:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_CARD)
    body = answer("registration", response)
    number = body.get("member_number") if isinstance(body, dict) else None
    if response.status_code != status.HTTP_200_OK or not isinstance(number, str) or not number:
        raise UpstreamFailed("registration")
    return {MEMBER_HEADER: number}


MemberHeader = Annotated[dict[str, str], Depends(member_header)]
