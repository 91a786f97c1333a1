"""The pure notifications domain: which notice each event calls for, and the ledger's rule."""

from amo_notifications.domain.delivery import (
    CHANNELS,
    Channel,
    Progress,
    Step,
    change_id,
    ledger_id,
    message_id,
    next_step,
)
from amo_notifications.domain.notices import Item, Notice, NoticeKind, notice_for

__all__ = [
    "CHANNELS",
    "Channel",
    "Item",
    "Notice",
    "NoticeKind",
    "Progress",
    "Step",
    "change_id",
    "ledger_id",
    "message_id",
    "next_step",
    "notice_for",
]
