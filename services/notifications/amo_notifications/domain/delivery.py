"""What to do with one notice on one channel, given what the ledger says (pure).

Each notice is recorded per channel before it is sent and marked sent after; a record still
`pending` means a send may or may not have left before a crash: it is sent again, the one
duplicate window, with the same deterministic Message-ID so a mail client can tell.
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class Progress(StrEnum):
    PENDING = "pending"
    SENT = "sent"


class Step(StrEnum):
    SEND = "send"
    SKIP = "skip"


CHANNELS: tuple[Channel, ...] = (Channel.EMAIL, Channel.SMS)


def next_step(recorded: Progress | None) -> Step:
    """SEND unless the ledger already says this notice left on this channel."""
    return Step.SKIP if recorded is Progress.SENT else Step.SEND


def ledger_id(event: str, channel: Channel) -> str:
    """The ledger record of one event's notice on one channel."""
    return f"{event}:{channel.value}"


def change_id(change: str, channel: Channel) -> str:
    """The same change on the same channel, whichever event carried it (a copy's new id)."""
    return f"{change}:{channel.value}"


def message_id(event: str, channel: Channel, domain: str) -> str:
    """A Message-ID that depends only on the event and channel: a resend carries the same."""
    local = event.replace(":", ".")
    if not _ATOM.fullmatch(local):  # not one of our "<source>:<uuid>" ids: its digest instead
        local = hashlib.sha256(event.encode()).hexdigest()[:40]
    return f"<{local}.{channel.value}@{domain}>"


# What a Message-ID's left-hand side may hold without quoting (RFC 5322 dot-atom, narrowed).
_ATOM = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")
