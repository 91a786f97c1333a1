"""SMS through a file sink: one JSON line per message appended to a file (mode 0600).

The stand-in for an SMS gateway, locally and in tests. Each line carries the message's
deterministic id, so a resend after a crash (the one duplicate window) is recognisable.
"""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime
from pathlib import Path


class SmsSink:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = asyncio.Lock()

    async def send(self, message_id: str, to: str, text: str, language: str) -> None:
        line = json.dumps(
            {
                "id": message_id,
                "to": to,
                "text": text,
                "language": language,
                "at": datetime.now(UTC).isoformat(),
            },
            ensure_ascii=False,
        )
        async with self._lock:
            await asyncio.to_thread(self._append, line + "\n")

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
