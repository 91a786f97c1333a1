"""Internal HTTP API, called only by the gateway: create, list, read, submit, the upload check
and the card, each for the citizen's account the gateway names in `X-Citizen` (the identity
provider's `sub`, taken from a token the gateway verified; never from the client).

An application belongs to the account that created it: another account's id and an unknown id
get the same 404, so ids cannot be probed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from amo_registration.adapters.persons import PersonRegister
from amo_registration.adapters.repository import ApplicationRepository
from amo_registration.domain import Application, Contact, InvalidApplication, create, submit
from amo_registration.domain.access import opens
from amo_registration.events import DUPLICATES_MAX, application_submitted
from amo_registration.views import application_summary, application_view, card_view
from amo_shared.events import ApplicantFacts, Dependant, Guardian
from amo_shared.limits import CNIE_MAX, DEPENDANTS_PER_APPLICATION, EMAIL_MAX, PHONE_MAX
from amo_shared.rib import InvalidRib, mask_rib, normalise_rib
from amo_shared.sealed import Keyring, seal
from amo_shared.text import BirthDate, FreeText, PersonName, plain

router = APIRouter(prefix="/applications", tags=["applications"])
# Which member a citizen's account stands for (the gateway asks, to file claims).
members = APIRouter(prefix="/members", tags=["members"])
NO_CARD = "no card for this account"
NOT_ONE_CARD = (
    "this account holds several memberships: name the member number (`member` query parameter)"
)
NO_SUCH_DEPENDANT = "this application declares no dependant with this index"
# The header the gateway sets once it has verified the citizen's token.
CITIZEN_HEADER = "X-Citizen"
NO_ACCOUNT = "no citizen account named (the gateway sets X-Citizen)"
# Says which rule, never whose file: the other application stays out of this answer.
ONE_MEMBERSHIP = (
    "this person already has an open application or a membership: "
    "follow the existing application instead"
)


Plain = AfterValidator(plain)
MemberNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9]{1,16}$")
]


class DeclaredDependant(Dependant):
    first_name: PersonName
    last_name: PersonName
    birth_date: BirthDate


class DeclaredGuardian(Guardian):
    cnie: Annotated[str, Field(max_length=CNIE_MAX), Plain]
    first_name: PersonName
    last_name: PersonName
    relationship: FreeText


class DeclaredFacts(ApplicantFacts):
    """The facts as an applicant declares them: the contract's fields under the public text
    rules (the event contract itself only bounds sizes, so older events stay readable)."""

    cnie: Annotated[str, Plain] | None = Field(None, max_length=CNIE_MAX)
    first_name: PersonName
    last_name: PersonName
    birth_date: BirthDate
    residence_permit: FreeText | None = None
    employer: FreeText | None = None
    previous_scheme: FreeText | None = None
    pension_fund: FreeText | None = None
    pension_number: FreeText | None = None
    deceased_member_number: MemberNumber | None = None
    guardian: DeclaredGuardian | None = None
    dependants: list[DeclaredDependant] = Field(
        default_factory=list, max_length=DEPENDANTS_PER_APPLICATION
    )


class NewApplication(BaseModel):
    applicant: DeclaredFacts
    email: Annotated[str, Field(min_length=3, max_length=EMAIL_MAX), Plain]
    phone: Annotated[str, Field(min_length=3, max_length=PHONE_MAX), Plain]
    language: Literal["fr", "ar"] = "fr"
    # The RIB in clear only on its way in: sealed before anything is stored.
    rib: Annotated[str, Field(min_length=1, max_length=64), Plain]


def repository(request: Request) -> ApplicationRepository:
    repo: ApplicationRepository = request.app.state.applications
    return repo


def persons(request: Request) -> PersonRegister:
    register: PersonRegister = request.app.state.persons
    return register


Repository = Annotated[ApplicationRepository, Depends(repository)]
Persons = Annotated[PersonRegister, Depends(persons)]


def citizen(x_citizen: Annotated[str | None, Header()] = None) -> str:
    """The account the gateway named; 401 without one (only a misrouted call lacks it)."""
    account = (x_citizen or "").strip()
    if not account:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, NO_ACCOUNT)
    return account


Citizen = Annotated[str, Depends(citizen)]


async def authorised(application_id: str, repo: Repository, account: Citizen) -> Application:
    app = await repo.get(application_id)
    if app is None or not opens(app.owner, account):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "application not found")
    return app


Authorised = Annotated[Application, Depends(authorised)]


def field_error(field: str, message: str) -> JSONResponse:
    # FastAPI's own error shape, so the gateway relays domain and schema errors alike.
    detail = [{"loc": ["body", field], "msg": message, "type": "value_error"}]
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def conflict() -> JSONResponse:
    return JSONResponse({"detail": ONE_MEMBERSHIP}, status_code=status.HTTP_409_CONFLICT)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_application(
    body: NewApplication, request: Request, repo: Repository, register: Persons, account: Citizen
) -> Any:
    now = datetime.now(UTC)
    try:
        rib = normalise_rib(body.rib)
    except InvalidRib as exc:
        return field_error("rib", str(exc))
    contact = Contact(email=body.email, phone=body.phone, language=body.language)
    try:
        app = create(body.applicant, contact, now, owner=account)
    except InvalidApplication as exc:
        return field_error(exc.field, exc.message)
    keyring: Keyring | None = request.app.state.keyring
    if keyring is None:
        raise RuntimeError("AMO_REGISTRATION_DATA_KEYS is not set: bank details cannot be sealed")
    # Whatever the caller sent as `bank_account` is replaced: only registration seals.
    app.applicant = app.applicant.model_copy(
        update={"bank_account": seal(rib, keyring, hint=mask_rib(rib))}
    )
    number = (body.applicant.deceased_member_number or "").strip()
    if number:
        deceased = await repo.by_member_number(number)
        if deceased is None:
            return field_error("deceased_member_number", "no membership with this number")
        app.deceased_application_id = deceased.id
    # The person first: of two racing creations for one person, only one gets here.
    if not await register.claim(app.person_key, app.id, now):
        return conflict()
    await repo.add(app)
    return {"id": app.id, "status": app.status.value}


@router.get("")
async def list_applications(repo: Repository, account: Citizen) -> list[dict[str, Any]]:
    """This account's applications, oldest first: each one's id, status, dates and card."""
    return [application_summary(app) for app in await repo.owned_by(account)]


@router.get("/{application_id}")
async def read_application(app: Authorised) -> dict[str, Any]:
    return application_view(app)


@router.post("/{application_id}/submit", status_code=status.HTTP_202_ACCEPTED)
async def submit_application(
    app: Authorised,
    repo: Repository,
    register: Persons,
    traceparent: Annotated[str | None, Header()] = None,
) -> Any:
    now = datetime.now(UTC)
    # Files created before the persons register claim it now; one held by another fails.
    if app.uploads_open and not await register.claim(app.person_key, app.id, now):
        return conflict()
    duplicates = await repo.lookalikes(app, DUPLICATES_MAX) if app.uploads_open else []

    def step(current: Application):
        if not submit(current, now):
            return None
        return [application_submitted(current, traceparent, duplicates)]

    try:
        after = await repo.apply(app.id, step)
    except InvalidApplication as exc:
        return field_error(exc.field, exc.message)
    return application_view(after or app)


@router.get("/{application_id}/access")
async def upload_access(
    app: Authorised, dependant: Annotated[int | None, Query(ge=0, le=99)] = None
) -> Any:
    """Whether uploads are open; with `dependant`, 422 unless the application declares that
    dependant (one file's documents stay bounded by what it declared)."""
    if dependant is not None and not app.has_dependant(dependant):
        detail = [{"loc": ["query", "dependant"], "msg": NO_SUCH_DEPENDANT, "type": "value_error"}]
        return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    return {
        "status": app.status.value,
        "uploads_open": app.uploads_open,
        "revalidation_open": app.revalidation_open,
    }


@router.get("/{application_id}/card")
async def read_card(app: Authorised) -> dict[str, Any]:
    if app.card is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no card for this application yet")
    return card_view(app)


@members.get("/me")
async def member_of_account(
    repo: Repository,
    account: Citizen,
    member: Annotated[MemberNumber | None, Query()] = None,
) -> dict[str, Any]:
    """`{"application_id", "member_number"}` of the card this account stands for: its only
    card, or the one `member` names among its own (a guardian files for several orphans). No
    card, or a number that is not this account's, is the same 404."""
    cards = [a for a in await repo.owned_by(account) if a.card is not None and a.member_number]
    if member is not None:
        cards = [a for a in cards if a.member_number == member]
    if not cards:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_CARD)
    if len(cards) > 1:
        raise HTTPException(status.HTTP_409_CONFLICT, NOT_ONE_CARD)
    return {"application_id": cards[0].id, "member_number": cards[0].member_number}
