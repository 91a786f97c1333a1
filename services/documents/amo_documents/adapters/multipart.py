"""A multipart/form-data body parsed while it streams: the `file` field's bytes go on as they arrive.

FastAPI's `UploadFile` would read the whole form first; here nothing of the file is kept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

from streaming_form_data import StreamingFormDataParser
from streaming_form_data.parser import ParseFailedException
from streaming_form_data.targets import BaseTarget

from amo_documents.domain.content import TooLarge

FILE_FIELD = "file"
# Room for the part headers and small fields around the file, on top of the file's own limit.
FORM_OVERHEAD = 64 * 1024

OnChunk = Callable[[bytes], Awaitable[None]]


class MalformedForm(ValueError):
    """The body is not a well-formed multipart form with exactly one `file` field."""


class _FileField(BaseTarget):
    """Hands each chunk of the `file` field to `on_chunk`; keeps only the client's file name."""

    def __init__(self, on_chunk: OnChunk):
        super().__init__()
        self._on_chunk = on_chunk
        self.parts = 0

    async def on_start_async(self) -> None:
        self.parts += 1
        if self.parts > 1:
            raise MalformedForm("un seul fichier par envoi")

    async def on_data_received_async(self, chunk: bytes) -> None:
        await self._on_chunk(chunk)

    @property
    def finished(self) -> bool:
        return self._finished


async def stream_file_field(
    headers: Mapping[str, str], body: AsyncIterator[bytes], on_chunk: OnChunk, *, limit: int
) -> str | None:
    """Feed the `file` field of `body` to `on_chunk`; returns the client's file name.

    The whole body is bounded too (`limit` + overhead), so other fields cannot be used to
    stream an unbounded body either.
    """
    try:
        parser = StreamingFormDataParser(headers)
    except ParseFailedException as exc:
        raise MalformedForm(str(exc)) from None
    field = _FileField(on_chunk)
    parser.register(FILE_FIELD, field)
    received = 0
    async for chunk in body:
        received += len(chunk)
        if received > limit + FORM_OVERHEAD:
            raise TooLarge(limit)
        try:
            await parser.adata_received(chunk)
        except ParseFailedException as exc:
            raise MalformedForm(str(exc)) from None
    if field.parts == 0:
        raise MalformedForm("champ « file » absent")
    if not field.finished:
        raise MalformedForm("formulaire incomplet")
    return field.multipart_filename
