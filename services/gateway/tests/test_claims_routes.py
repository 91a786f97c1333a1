"""The public claims API relayed to fakes of registration, documents and claims (answering as
their internal APIs do): who the gateway says is calling (X-Member from registration, X-Facility
and X-Operator from its settings, never the client's own), what it refuses at the door, and the
attachment flow across the three services."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field

import httpx
import pytest
from amo_tokens import ISSUED
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from amo_gateway.app import create_app

from .conftest import gateway_settings

OPERATOR = ISSUED.token("op-1", ["supervisor"])
FACILITY = ISSUED.token(
    "service-account-hospital-chu", ["hospital"], azp="hospital-chu", facility_id="FAC-000201"
)
PAIN = b'<?xml version="1.0" encoding="UTF-8"?><Document>pain</Document>'


@dataclass
class Fakes:
    """Citizens' accounts (with or without a card), claims by id, and every upstream call."""

    accounts: dict[str, str | None] = field(default_factory=dict)
    claims: dict[str, dict] = field(default_factory=dict)
    calls: list[dict] = field(default_factory=list)
    documents_answer: tuple[int, dict] | None = None
    fail: set[str] = field(default_factory=set)

    def member(self, number: str | None = "M00000017") -> dict[str, str]:
        """A citizen's token whose account holds the card `number` (None: no card)."""
        username = f"citizen-{secrets.token_hex(6)}@example.ma"
        self.accounts[f"sub-{username}"] = number
        return ISSUED.bearer(username, ["citizen"])

    def claim(self, member: str = "M00000017", status: str = "draft") -> str:
        claim_id = uuid.uuid4().hex
        self.claims[claim_id] = {"member": member, "status": status, "attachments": {}}
        return claim_id

    def seen(self, host: str | None = None) -> list[tuple[str, str]]:
        return [(c["method"], c["path"]) for c in self.calls if host in (None, c["host"])]

    def asgi(self) -> FastAPI:
        api = FastAPI()

        @api.middleware("http")
        async def record(request: Request, call_next):
            body = b"" if "/documents/" in request.url.path else await request.body()
            self.calls.append(
                {
                    "host": request.url.hostname,
                    "method": request.method,
                    "path": request.url.path,
                    "query": str(request.url.query),
                    "body": body,
                    "who": {
                        h: request.headers[h]
                        for h in (
                            "x-member",
                            "x-facility",
                            "x-operator",
                            "x-citizen",
                            "authorization",
                        )
                        if h in request.headers
                    },
                }
            )
            if request.url.hostname in self.fail:
                return JSONResponse({"detail": "boom", "trace": "secret"}, status_code=500)
            return await call_next(request)

        def own(claim_id: str, request: Request) -> dict | JSONResponse:
            claim = self.claims.get(claim_id)
            if claim is None or claim["member"] != request.headers.get("x-member"):
                return JSONResponse({"detail": "claim not found"}, status_code=404)
            return claim

        def view(claim_id: str) -> dict:
            claim = self.claims[claim_id]
            return {"id": claim_id, "status": claim["status"], "attachments": claim["attachments"]}

        @api.get("/members/me")
        async def me(request: Request):
            number = self.accounts.get(request.headers.get("x-citizen", ""))
            if number is None:
                return JSONResponse({"detail": "no card for this account"}, status_code=404)
            return {"application_id": "app-1", "member_number": number}

        @api.post("/claims", status_code=201)
        async def file(request: Request):
            claim_id = self.claim(request.headers["x-member"])
            return view(claim_id)

        @api.get("/claims/{claim_id}/access")
        async def access(claim_id: str, request: Request):
            claim = own(claim_id, request)
            if isinstance(claim, JSONResponse):
                return claim
            open_ = claim["status"] in ("draft", "incomplete")
            return {"status": claim["status"], "uploads_open": open_}

        @api.put("/claims/{claim_id}/documents/{kind}")
        async def store(claim_id: str, kind: str, request: Request):
            digest, size = hashlib.sha256(), 0
            async for chunk in request.stream():
                digest.update(chunk)
                size += len(chunk)
            self.calls[-1]["body"] = size
            self.calls[-1]["content_type"] = request.headers.get("content-type")
            if self.documents_answer is not None:
                return JSONResponse(self.documents_answer[1], status_code=self.documents_answer[0])
            return JSONResponse(
                {
                    "kind": kind,
                    "sha256": digest.hexdigest(),
                    "size": size,
                    "content_type": "application/pdf",
                    "object_key": f"claims/{claim_id}/{kind}",
                },
                status_code=201,
            )

        @api.put("/claims/{claim_id}/attachments/{kind}")
        async def attach(claim_id: str, kind: str, request: Request):
            claim = own(claim_id, request)
            if isinstance(claim, JSONResponse):
                return claim
            claim["attachments"][kind] = await request.json()
            return view(claim_id)

        @api.post("/claims/{claim_id}/submit", status_code=202)
        async def submit(claim_id: str, request: Request):
            claim = own(claim_id, request)
            if isinstance(claim, JSONResponse):
                return claim
            claim["status"] = "received"
            return view(claim_id)

        @api.get("/claims/{claim_id}")
        async def read(claim_id: str, request: Request):
            claim = own(claim_id, request)
            return claim if isinstance(claim, JSONResponse) else view(claim_id)

        @api.get("/claims")
        async def listing(request: Request):
            mine = [i for i, c in self.claims.items() if c["member"] == request.headers["x-member"]]
            return {"items": [view(i) for i in mine], "total": len(mine)}

        @api.api_route("/facility/{rest:path}", methods=["GET", "POST"])
        async def facility(rest: str):
            return JSONResponse({"ok": rest}, status_code=202 if rest == "claims" else 200)

        @api.get("/operator/payment-runs/{run_id}/pain.001")
        async def pain(run_id: str):
            if run_id == "none":
                return JSONResponse({"detail": "no such run"}, status_code=404)
            return Response(PAIN, media_type="application/xml")

        @api.api_route("/operator/{rest:path}", methods=["GET", "POST"])
        async def operator(rest: str):
            return {"ok": rest}

        return api


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


@pytest.fixture
async def client(fakes):
    settings = gateway_settings(
        claims_url="http://claims",
    )
    app = create_app(
        settings, transport=httpx.ASGITransport(app=fakes.asgi()), tokens=ISSUED.verifier()
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as c,
    ):
        yield c


LINE = {"act_code": "CS", "date": "2026-11-20", "billed": "300.00", "quantity": 1}
CLAIM = {"beneficiary_rank": 0, "prescriber_inpe": "123456789", "lines": [LINE]}
FORGED = {"X-Member": "M99999999", "X-Facility": "FAC-000999", "X-Operator": "op-forged"}


async def test_a_member_is_named_by_registration_never_by_the_client(client, fakes):
    auth = fakes.member("M00000017")
    r = await client.post("/v1/claims", json=CLAIM, headers=auth | FORGED)
    assert r.status_code == 201, r.text
    lookup, filed = fakes.calls
    assert (lookup["host"], lookup["path"], lookup["who"]) == (
        "registration",
        "/members/me",
        {"x-citizen": next(a for a in fakes.accounts)},
    )
    assert (filed["host"], filed["path"], filed["who"]) == (
        "claims",
        "/claims",
        {"x-member": "M00000017"},
    )
    # Forwarded as the gateway read it: defaults made explicit, the amount still a string.
    assert httpx.Response(200, content=filed["body"]).json() == {
        **CLAIM,
        "facility_id": None,
        "lines": [LINE | {"medicine_code": None, "ald_code": None, "prior_approval_ref": None}],
    }


async def test_without_a_token_or_without_a_card_nothing_reaches_claims(client, fakes):
    no_token = await client.post("/v1/claims", json=CLAIM, headers={"X-Member": "M00000017"})
    assert no_token.status_code == 401 and fakes.calls == []
    no_card = await client.get("/v1/claims", headers=fakes.member(None))
    unknown = await client.get("/v1/claims", headers=ISSUED.bearer("nobody@x.ma", ["citizen"]))
    assert no_card.status_code == unknown.status_code == 404
    assert no_card.json() == unknown.json() == {"detail": "no card for this account"}
    garbage = await client.get("/v1/claims", headers={"Authorization": "Bearer " + "z" * 30})
    assert garbage.status_code == 401
    assert fakes.seen("claims") == []


async def test_another_members_claim_is_a_404(client, fakes):
    theirs = fakes.claim(member="M00000099")
    mine = fakes.member("M00000017")
    for r in (
        await client.get(f"/v1/claims/{theirs}", headers=mine),
        await client.post(f"/v1/claims/{theirs}/submit", headers=mine),
    ):
        assert r.status_code == 404
    assert (await client.get(f"/v1/claims/{theirs}", headers=fakes.member("M00000099"))).is_success


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"surprise": 1}, ["body", "surprise"]),
        ({"facility_id": "FAC 1; drop"}, ["body", "facility_id"]),
        ({"beneficiary_rank": -1}, ["body", "beneficiary_rank"]),
        ({"lines": []}, ["body", "lines"]),
        ({"lines": [LINE | {"billed": 300.5}]}, ["body", "lines", 0, "billed"]),
        ({"lines": [LINE | {"billed": "300.001"}]}, ["body", "lines", 0, "billed"]),
        ({"lines": [LINE | {"billed": "-3"}]}, ["body", "lines", 0, "billed"]),
        ({"lines": [LINE | {"quantity": 0}]}, ["body", "lines", 0, "quantity"]),
        ({"lines": [LINE | {"date": "20/11/2026"}]}, ["body", "lines", 0, "date"]),
        ({"lines": [LINE | {"medicine_code": "6118000011111"}]}, ["body", "lines", 0]),
        ({"lines": [{k: v for k, v in LINE.items() if k != "act_code"}]}, ["body", "lines", 0]),
    ],
)
async def test_a_malformed_claim_is_refused_naming_the_field(client, fakes, change, loc):
    r = await client.post("/v1/claims", json=CLAIM | change, headers=fakes.member())
    assert r.status_code == 422
    assert loc in [e["loc"] for e in r.json()["detail"]], r.json()
    assert fakes.seen("claims") == []


async def test_an_unknown_act_code_is_not_a_gateway_error(client, fakes):
    body = CLAIM | {"lines": [LINE | {"act_code": "NOSUCHACT"}]}
    assert (await client.post("/v1/claims", json=body, headers=fakes.member())).status_code == 201


async def test_an_attachment_is_checked_stored_and_recorded_in_that_order(client, fakes):
    auth, claim_id = fakes.member(), fakes.claim()
    data = b"%PDF-1.7 a care sheet"
    r = await client.put(
        f"/v1/claims/{claim_id}/documents/care_sheet",
        files={"file": ("sheet.pdf", data, "application/pdf")},
        headers=auth | FORGED,
    )
    assert r.status_code == 201, r.text
    assert fakes.seen() == [
        ("GET", "/members/me"),
        ("GET", f"/claims/{claim_id}/access"),
        ("PUT", f"/claims/{claim_id}/documents/care_sheet"),
        ("PUT", f"/claims/{claim_id}/attachments/care_sheet"),
    ]
    _, access, stored, recorded = fakes.calls
    assert access["who"] == recorded["who"] == {"x-member": "M00000017"}
    # Documents gets the multipart body as sent, and no identity at all.
    assert stored["host"] == "documents" and stored["who"] == {}
    assert stored["content_type"].startswith("multipart/form-data; boundary=")
    assert stored["body"] > len(data)
    record = fakes.claims[claim_id]["attachments"]["care_sheet"]
    assert set(record) == {"sha256", "size", "content_type", "object_key"}
    assert record["object_key"] == f"claims/{claim_id}/care_sheet"
    assert r.json() == {"id": claim_id, "status": "draft", "attachments": {"care_sheet": record}}


async def test_uploads_are_refused_once_submitted_or_for_another_member(client, fakes):
    auth = fakes.member()
    submitted = fakes.claim(status="received")
    theirs = fakes.claim(member="M00000099")
    files = {"file": ("a.pdf", b"%PDF-1.7", "application/pdf")}
    closed = await client.put(
        f"/v1/claims/{submitted}/documents/invoice", files=files, headers=auth
    )
    other = await client.put(f"/v1/claims/{theirs}/documents/invoice", files=files, headers=auth)
    kind = await client.put(f"/v1/claims/{submitted}/documents/cnie", files=files, headers=auth)
    assert (closed.status_code, other.status_code, kind.status_code) == (409, 404, 422)
    assert "received" in closed.json()["detail"]
    assert fakes.seen("documents") == []


async def test_a_refusal_from_documents_is_relayed_and_nothing_is_recorded(client, fakes):
    auth, claim_id = fakes.member(), fakes.claim()
    refusal = {"detail": [{"loc": ["body", "file"], "msg": "JavaScript", "type": "pdf.javascript"}]}
    fakes.documents_answer = (422, refusal)
    files = {"file": ("a.pdf", b"%PDF-1.7", "application/pdf")}
    r = await client.put(f"/v1/claims/{claim_id}/documents/invoice", files=files, headers=auth)
    assert (r.status_code, r.json()) == (422, refusal)
    assert fakes.claims[claim_id]["attachments"] == {}
    fakes.documents_answer = (201, {"kind": "invoice"})  # an answer without its digest
    r = await client.put(f"/v1/claims/{claim_id}/documents/invoice", files=files, headers=auth)
    assert r.status_code == 502 and fakes.claims[claim_id]["attachments"] == {}


async def test_member_reads_submit_and_list_are_relayed(client, fakes):
    auth, claim_id = fakes.member(), fakes.claim()
    submitted = await client.post(f"/v1/claims/{claim_id}/submit", headers=auth)
    assert (submitted.status_code, submitted.json()["status"]) == (202, "received")
    listed = await client.get(
        "/v1/claims", params={"status": "received", "page": 2, "size": 5}, headers=auth
    )
    assert listed.status_code == 200 and listed.json()["total"] == 1
    assert fakes.calls[-1]["query"] == "page=2&size=5&status=received"
    bad = await client.get("/v1/claims", params={"status": "lost"}, headers=auth)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "status"]


FACILITY_CLAIM = {k: v for k, v in CLAIM.items()} | {"member_number": "M00000017"}
APPROVAL = {
    "member_number": "M00000017",
    "beneficiary_rank": 0,
    "act_codes": ["APPEND"],
    "planned_on": "2026-12-10",
    "estimated": "6000.00",
}


async def test_facility_routes_need_a_facility_credential_and_name_it_themselves(client, fakes):
    assert (await client.post("/v1/facility/claims", json=FACILITY_CLAIM)).status_code == 401
    operator = {"Authorization": f"Bearer {OPERATOR}"}
    r = await client.post("/v1/facility/claims", json=FACILITY_CLAIM, headers=operator)
    assert r.status_code == 403 and fakes.calls == []
    auth = {"Authorization": f"Bearer {FACILITY}"} | FORGED
    assert (
        await client.post("/v1/facility/claims", json=FACILITY_CLAIM, headers=auth)
    ).status_code == 202
    assert (await client.get("/v1/facility/claims/abc123", headers=auth)).status_code == 200
    assert (
        await client.post("/v1/facility/prior-approvals", json=APPROVAL, headers=auth)
    ).status_code == 200
    assert (await client.get("/v1/facility/prior-approvals/PA-1f2e", headers=auth)).is_success
    assert [(c["path"], c["who"]) for c in fakes.calls] == [
        (path, {"x-facility": "FAC-000201"})
        for path in (
            "/facility/claims",
            "/facility/claims/abc123",
            "/facility/prior-approvals",
            "/facility/prior-approvals/PA-1f2e",
        )
    ]


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("/v1/facility/claims", FACILITY_CLAIM | {"facility_id": "FAC-000101"}, "facility_id"),
        ("/v1/facility/claims", {**CLAIM}, "member_number"),
        ("/v1/facility/prior-approvals", APPROVAL | {"estimated": 6000.0}, "estimated"),
        ("/v1/facility/prior-approvals", APPROVAL | {"act_codes": []}, "act_codes"),
        ("/v1/facility/prior-approvals", APPROVAL | {"planned_on": "soon"}, "planned_on"),
    ],
)
async def test_facility_bodies_are_checked_at_the_door(client, fakes, path, body, loc):
    r = await client.post(path, json=body, headers={"Authorization": f"Bearer {FACILITY}"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][1] == loc
    assert fakes.calls == []


async def test_operator_claim_routes_relay_with_the_credentials_operator(client, fakes):
    auth = {"Authorization": f"Bearer {OPERATOR}"} | FORGED
    decision = {"outcome": "approved", "reason": "MEDICALLY_JUSTIFIED", "valid_until": "2027-03-10"}
    answers = [
        await client.get(
            "/v1/operator/prior-approvals", params={"status": "pending"}, headers=auth
        ),
        await client.post(
            "/v1/operator/prior-approvals/PA-1/decision", json=decision, headers=auth
        ),
        await client.get("/v1/operator/claims", params={"status": "in_review"}, headers=auth),
        await client.post(
            "/v1/operator/claims/c1/decision",
            json={"outcome": "accepted", "reason": "OK"},
            headers=auth,
        ),
        await client.post("/v1/operator/payment-runs", headers=auth),
        await client.get("/v1/operator/payment-runs/run-1", headers=auth),
    ]
    assert [a.status_code for a in answers] == [200] * 6
    assert [(c["method"], c["path"], c["query"]) for c in fakes.calls] == [
        ("GET", "/operator/prior-approvals", "status=pending"),
        ("POST", "/operator/prior-approvals/PA-1/decision", ""),
        ("GET", "/operator/claims", "status=in_review"),
        ("POST", "/operator/claims/c1/decision", ""),
        ("POST", "/operator/payment-runs", ""),
        ("GET", "/operator/payment-runs/run-1", ""),
    ]
    assert {c["who"]["x-operator"] for c in fakes.calls} == {"op-1"}
    assert all("x-member" not in c["who"] and "x-facility" not in c["who"] for c in fakes.calls)


async def test_operator_routes_refuse_strangers_and_bad_decisions(client, fakes):
    facility = {"Authorization": f"Bearer {FACILITY}"}
    assert (await client.post("/v1/operator/payment-runs")).status_code == 401
    # A hospital's token is valid, and holds no operator role.
    assert (await client.post("/v1/operator/payment-runs", headers=facility)).status_code == 403
    # Only a supervisor starts payments; a reviewer may still decide claims.
    reviewer = ISSUED.bearer("op-2", ["reviewer"])
    assert (await client.post("/v1/operator/payment-runs", headers=reviewer)).status_code == 403
    auth = {"Authorization": f"Bearer {OPERATOR}"}
    for body in ({"outcome": "maybe", "reason": "X"}, {"outcome": "accepted"}):
        r = await client.post("/v1/operator/claims/c1/decision", json=body, headers=auth)
        assert r.status_code == 422
    assert fakes.calls == []


async def test_the_payment_file_is_relayed_as_xml(client, fakes):
    auth = {"Authorization": f"Bearer {OPERATOR}"}
    r = await client.get("/v1/operator/payment-runs/run-1/pain.001", headers=auth)
    assert r.status_code == 200 and r.content == PAIN
    assert r.headers["content-type"].startswith("application/xml")
    assert "attachment" in r.headers["content-disposition"]
    missing = await client.get("/v1/operator/payment-runs/none/pain.001", headers=auth)
    assert missing.status_code == 404 and missing.json() == {"detail": "no such run"}


async def test_a_failing_upstream_is_a_plain_502(client, fakes):
    fakes.fail.add("registration")
    r = await client.get("/v1/claims", headers=fakes.member())
    assert r.status_code == 502 and "secret" not in r.text
    fakes.fail = {"claims"}
    r = await client.get("/v1/claims", headers=fakes.member())
    assert r.status_code == 502 and "secret" not in r.text


async def test_only_a_hospital_client_naming_a_facility_bills(client, fakes):
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    no_facility = ISSUED.token("service-account-hospital-x", ["hospital"], azp="hospital-x")
    not_a_hospital = ISSUED.token("amina@example.ma", ["citizen"], facility_id="FAC-000201")
    for token in (no_facility, not_a_hospital):
        r = await client.post("/v1/facility/claims", json=FACILITY_CLAIM, headers=bearer(token))
        assert r.status_code == 403, r.text
    assert fakes.calls == []


def test_the_openapi_documents_every_claims_route():
    # The spec as built; it is served at /openapi.json in development only.
    spec = create_app(gateway_settings()).openapi()
    ours = {
        (path, method): op
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if path.startswith(
            (
                "/v1/claims",
                "/v1/facility",
                "/v1/operator/prior",
                "/v1/operator/claims",
                "/v1/operator/payment",
            )
        )
    }
    assert len(ours) == 16
    for op in ours.values():
        assert op.get("summary") and {"401"} <= set(op["responses"]), op
