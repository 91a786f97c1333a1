"""Who calls: the applicant's bearer token (required on every call about an existing
application), an operator's access token from the identity provider (its realm roles gate the
operator routes), a hospital client's token naming the facility it bills as, and the member an applicant token stands for once
its application has a card.

For applications the gateway only checks that a token is present; registration, which keeps its
digest, decides whether it opens this application (another applicant's token gets a 404 there).
The headers naming an operator, a facility or a member upstream are built here, never copied
from the client.
"""

from __future__ import annotations

from typing import Annotated

import httpx
import structlog
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from amo_gateway.upstream import UpstreamDep, UpstreamFailed, answer
from amo_shared.identity import Caller, InvalidToken, TokenVerifier

log = structlog.get_logger(__name__)

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
    auto_error=False,
    description="An operator's access token from the identity provider (realm roles reviewer, "
    "supervisor or admin).",
)
# The header the gateway sets for internal services once it has checked the operator; a
# client's own value is never forwarded (the gateway builds the upstream headers itself).
OPERATOR_HEADER = "X-Operator"

# Who may do what under /v1/operator/: reviewers work the queues (documents, prior approvals,
# medical review); supervisors also act on cards, grant exemptions and start payment runs;
# admins may do everything. Four-eyes is two different people, which documents enforces.
REVIEWER_ROLES = frozenset({"reviewer", "supervisor", "admin"})
SUPERVISOR_ROLES = frozenset({"supervisor", "admin"})


async def operator_of(
    request: Request, credentials: HTTPAuthorizationCredentials | None, roles: frozenset[str]
) -> dict[str, str]:
    """`{"X-Operator": <operator's sign-in name>}` for a valid operator token holding one of
    `roles`; 401 without a valid token, 403 for a valid token without such a role."""
    if credentials is None or not credentials.credentials.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "an operator's access token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    caller = await verified(request, credentials.credentials.strip())
    if not roles & caller.roles:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"this needs one of the roles {', '.join(sorted(roles))}"
        )
    operator = caller.username or caller.subject
    # Past the check: the call is written to the audit log before anything is read.
    request.app.state.audit.record(operator=operator, subject=caller.subject, request=request)
    return {OPERATOR_HEADER: operator}


async def verified(request: Request, token: str) -> Caller:
    tokens: TokenVerifier = request.app.state.tokens
    try:
        return await tokens.verify(token)
    except InvalidToken as exc:
        log.info("token refused", reason=str(exc))
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "the access token is not valid (expired, or not issued for this API)",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from None
    except (httpx.HTTPError, ValueError):
        log.warning("identity provider unreachable for its keys")
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "the identity provider is unavailable"
        ) from None


async def reviewer_header(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_operator)],
) -> dict[str, str]:
    return await operator_of(request, credentials, REVIEWER_ROLES)


async def supervisor_header(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_operator)],
) -> dict[str, str]:
    return await operator_of(request, credentials, SUPERVISOR_ROLES)


# Any operator (the queues); a supervisor or an admin (cards, exemptions, payments).
OperatorHeader = Annotated[dict[str, str], Depends(reviewer_header)]
SupervisorHeader = Annotated[dict[str, str], Depends(supervisor_header)]


_facility = HTTPBearer(
    auto_error=False,
    description="A hospital client's access token (client credentials) whose `facility_id` "
    "claim names the approved facility it bills as.",
)
# Set by the gateway for claims once the facility's token is checked, like X-Operator.
FACILITY_HEADER = "X-Facility"
HOSPITAL_ROLE = "hospital"


async def facility_header(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_facility)],
) -> dict[str, str]:
    """`{"X-Facility": <facility id>}` for a hospital client's valid token naming a facility;
    401 without a valid token, 403 for one that is not a billing facility's."""
    if credentials is None or not credentials.credentials.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a facility's access token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    caller = await verified(request, credentials.credentials.strip())
    if not caller.has(HOSPITAL_ROLE) or not caller.facility_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not a billing facility's token")
    return {FACILITY_HEADER: caller.facility_id}


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
