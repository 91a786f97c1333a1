"""Who calls, each from an access token of the identity provider the gateway verifies itself:
a citizen's (realm role `citizen`: their own applications, cards and claims), an operator's (its
realm roles gate the operator routes), a hospital client's (naming the facility it bills as).

The headers naming the citizen's account, an operator, a facility or a member upstream are built
here from the verified token, never copied from the client: registration opens an application
only for the account that filed it (another account's gets a 404 there).
"""

from __future__ import annotations

from typing import Annotated

import httpx
import structlog
from fastapi import Depends, HTTPException, Query, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from amo_gateway.rate_limits import Limiter
from amo_gateway.upstream import UpstreamDep, UpstreamFailed, answer
from amo_shared.identity import Caller, InvalidToken, TokenVerifier

log = structlog.get_logger(__name__)

_citizen = HTTPBearer(
    auto_error=False,
    description="A citizen's access token from the identity provider (realm role citizen): "
    "sign in with the portal (authorization code + PKCE).",
)
# The header the gateway sets for registration once it has checked the citizen's token.
CITIZEN_HEADER = "X-Citizen"
CITIZEN_ROLE = "citizen"


async def citizen_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_citizen)],
) -> Caller:
    """The citizen behind a valid token with role `citizen`; 401 without a valid token, 403
    for another kind of account (an operator's or a hospital's)."""
    if credentials is None or not credentials.credentials.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a citizen's access token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    caller = await verified(request, credentials.credentials.strip())
    if not caller.has(CITIZEN_ROLE):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this needs a citizen's account")
    return caller


CitizenCaller = Annotated[Caller, Depends(citizen_caller)]


async def citizen_header(caller: CitizenCaller) -> dict[str, str]:
    """`{"X-Citizen": <the account's subject>}` for registration."""
    return {CITIZEN_HEADER: caller.subject}


CitizenHeader = Annotated[dict[str, str], Depends(citizen_header)]


async def within_upload_limit(request: Request, caller: CitizenCaller) -> None:
    """One upload from the citizen's allowance (counted by account, whatever the token)."""
    limiter: Limiter = request.app.state.limiter
    await limiter.spend(limiter.limits.uploads_per_account, "upload", caller.subject)


UploadAllowance = Depends(within_upload_limit)


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
    """The token's caller once verified, with one request spent from their account's limit
    (by subject: a token drawn again is the same account)."""
    tokens: TokenVerifier = request.app.state.tokens
    try:
        caller = await tokens.verify(token)
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
    limiter: Limiter = request.app.state.limiter
    await limiter.spend(limiter.limits.per_account, "account", caller.subject)
    return caller


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


# Set by the gateway for claims once registration named the member the citizen stands for.
MEMBER_HEADER = "X-Member"
NO_CARD = "no card for this account"
MEMBER_NUMBER = r"^[A-Za-z0-9]{1,16}$"


async def member_header(
    citizen: CitizenHeader,
    upstream: UpstreamDep,
    member: Annotated[
        str | None,
        Query(
            pattern=MEMBER_NUMBER,
            description="Which of this account's memberships (only when it holds several, "
            "as a guardian filing for orphans does)",
        ),
    ] = None,
) -> dict[str, str]:
    """`{"X-Member": <member number>}` of the citizen's card, asked of registration; 401
    without a token, 404 when the account has no such card (registration does not say which,
    and neither does this), 409 when it holds several and names none."""
    params = {"member": member} if member else None
    response = await upstream.call(
        "registration", "GET", "/members/me", headers=citizen, params=params
    )
    if response.status_code in (status.HTTP_404_NOT_FOUND, status.HTTP_409_CONFLICT):
        detail = NO_CARD if response.status_code == 404 else answer("registration", response)
        if isinstance(detail, dict):
            detail = detail.get("detail", "")
        raise HTTPException(response.status_code, detail)
    body = answer("registration", response)
    number = body.get("member_number") if isinstance(body, dict) else None
    if response.status_code != status.HTTP_200_OK or not isinstance(number, str) or not number:
        raise UpstreamFailed("registration")
    return {MEMBER_HEADER: number}


MemberHeader = Annotated[dict[str, str], Depends(member_header)]
