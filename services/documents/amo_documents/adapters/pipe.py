"""A pipe from the event loop to a worker thread: the loop sends chunks, the thread `read(n)`s them.

The queue is bounded, so a slow reader slows the sender down instead of filling memory.
"""

from __future__ import annotations

import asyncio
from collections import deque

PIPE_CHUNKS = 8  # chunks waiting for the worker thread
IDLE_SECONDS = 120.0  # a stalled sender must not pin a worker thread forever

END = object()
ABORT = object()


class UploadAborted(Exception):
    """The upload was abandoned (refused, client gone, or stalled); nothing is kept."""


class ChunkPipe:
    """A read-only file for the worker thread; `read(n)` blocks until the loop sends n bytes or the end.

    Chunks are kept as they came and joined once per read: a part costs one copy, not a
    growing buffer copied again on the way out.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.queue: asyncio.Queue[object] = asyncio.Queue(PIPE_CHUNKS)
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._eof = False

    def read(self, size: int = -1) -> bytes:
        while not self._eof and (size < 0 or self._buffered < size):
            self._receive()
        if size < 0 or self._buffered <= size:
            taken, self._buffered = list(self._chunks), 0
            self._chunks.clear()
            return b"".join(taken)
        taken, need = [], size
        while need:
            chunk = self._chunks.popleft()
            if len(chunk) > need:
                self._chunks.appendleft(chunk[need:])
                chunk = chunk[:need]
            taken.append(chunk)
            need -= len(chunk)
        self._buffered -= size
        return b"".join(taken)

    async def send(self, item: object, reader: asyncio.Future) -> None:
        """Queue `item` (bytes, END or ABORT); waits for room unless `reader` ends meanwhile."""
        if not self.queue.full():
            self.queue.put_nowait(item)
            return
        put = asyncio.ensure_future(self.queue.put(item))
        await asyncio.wait({put, reader}, return_when=asyncio.FIRST_COMPLETED)
        if put.done():
            return
        put.cancel()
        await reader  # raises the reader's error, if it failed
        raise UploadAborted("the reader stopped reading")

    def _receive(self) -> None:
        waiting = asyncio.run_coroutine_threadsafe(self.queue.get(), self.loop)
        try:
            item = waiting.result(timeout=IDLE_SECONDS)
        except TimeoutError:
            waiting.cancel()
            raise UploadAborted("no data from the client") from None
        if item is ABORT:
            raise UploadAborted("upload refused")
        if item is END:
            self._eof = True
        else:
            self._chunks.append(item)  # type: ignore[arg-type]
            self._buffered += len(item)  # type: ignore[arg-type]
