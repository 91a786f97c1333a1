"""Unit: the loop-to-thread pipe that feeds the S3 worker (a real thread, no network)."""

from __future__ import annotations

import asyncio

import pytest

from amo_documents.adapters.pipe import ABORT, END, PIPE_CHUNKS, ChunkPipe, UploadAborted


def read_all_in_parts(pipe: ChunkPipe, part: int) -> list[bytes]:
    parts = []
    while data := pipe.read(part):
        parts.append(data)
    return parts


async def test_reads_exact_sizes_across_chunk_boundaries_until_the_end():
    pipe = ChunkPipe(asyncio.get_running_loop())
    reader = asyncio.ensure_future(asyncio.to_thread(read_all_in_parts, pipe, 10))
    for chunk in (b"abc", b"defghijklmnop", b"q", b"rstuvwxyz0123"):
        await pipe.send(chunk, reader)
    await pipe.send(END, reader)
    parts = await reader
    assert parts == [b"abcdefghij", b"klmnopqrst", b"uvwxyz0123"]


async def test_abort_makes_the_blocked_reader_raise():
    pipe = ChunkPipe(asyncio.get_running_loop())
    reader = asyncio.ensure_future(asyncio.to_thread(pipe.read, 100))
    await pipe.send(b"partial", reader)
    await pipe.send(ABORT, reader)
    with pytest.raises(UploadAborted):
        await reader


async def test_a_full_pipe_holds_the_sender_back_and_reports_a_dead_reader():
    pipe = ChunkPipe(asyncio.get_running_loop())
    started = asyncio.Event()

    async def reader_that_fails():
        await started.wait()
        raise RuntimeError("storage down")

    reader = asyncio.ensure_future(reader_that_fails())
    for _ in range(PIPE_CHUNKS):
        await pipe.send(b"x", reader)  # room left: no wait
    assert pipe.queue.full()
    sending = asyncio.ensure_future(pipe.send(b"one too many", reader))
    await asyncio.sleep(0)
    assert not sending.done()  # held back by the full queue
    started.set()
    with pytest.raises(RuntimeError, match="storage down"):
        await sending
