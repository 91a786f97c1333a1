"""Security headers on every gateway response (ASGI middleware).

The API answers JSON (and the card's PDF): nothing of it may be framed, sniffed as another type,
leak its address in a Referer, or stay in a shared cache. Only public reference data may be
cached. The development docs pages load Swagger UI and ReDoc from their CDN, so those two pages
alone get a looser Content-Security-Policy.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = (
    "default-src 'none'; frame-ancestors 'none'; connect-src 'self'; "
    "script-src 'unsafe-inline' https://cdn.jsdelivr.net; worker-src blob:; "
    "style-src 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; img-src data: https://fastapi.tiangolo.com "
    "https://cdn.redoc.ly"
)
DOCS_PAGES = ("/docs", "/docs/oauth2-redirect", "/redoc")
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
HSTS = "max-age=31536000; includeSubDomains"
# Public data, the same for everyone: a successful answer may be cached for a few minutes.
PUBLIC_PREFIXES = ("/v1/reference/", "/v1/checklist", "/.well-known/jwks.json")
PUBLIC_CACHE = "public, max-age=300"
# Everything else may carry personal data (applications, documents, cards, claims, members,
# operators' views), or is an error or an operations answer: never stored.
NO_STORE = "no-store"


def cache_control(path: str, status: int) -> str:
    if status == 200 and path.startswith(PUBLIC_PREFIXES):
        return PUBLIC_CACHE
    return NO_STORE


class SecurityHeaders:
    def __init__(
        self, app: ASGIApp, *, behind_tls: bool = False, docs_pages: tuple[str, ...] = ()
    ) -> None:
        self.app, self.behind_tls, self.docs_pages = app, behind_tls, docs_pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path: str = scope["path"]
        tls = self.behind_tls or scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = (
                    DOCS_CSP if path in self.docs_pages else API_CSP
                )
                for name, value in ALWAYS.items():
                    headers[name] = value
                if tls:
                    headers["Strict-Transport-Security"] = HSTS
                headers["Cache-Control"] = cache_control(path, message["status"])
            await send(message)

        await self.app(scope, receive, with_headers)
