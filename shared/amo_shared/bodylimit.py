"""The request-body limit of every internal API (`amo_shared.limits.BODY_MAX_BYTES`), as ASGI
middleware, so no caller inside the network files what the gateway would refuse."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from amo_shared.limits import BODY_MAX_BYTES


class BodyLimit:
    """ASGI middleware: 413 for a request body over `max_bytes`, by its Content-Length or, for a
    chunked body, once the bytes read pass the limit. The body (small by definition) is read
    before the route runs, so the refusal is a clean 413. Paths under `exempt` stream their own."""

    def __init__(
        self, app: ASGIApp, max_bytes: int = BODY_MAX_BYTES, exempt: tuple[str, ...] = ()
    ) -> None:
        self.app, self.max_bytes, self.exempt = app, max_bytes, exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (self.exempt and scope["path"].startswith(self.exempt)):
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or ()).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            return await _too_large(send, self.max_bytes)
        messages: list[Message] = []
        seen = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                return await _too_large(send, self.max_bytes)
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


async def _too_large(send: Send, limit: int) -> None:
    body = b'{"detail":"request body too large: at most %d bytes"}' % limit
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
