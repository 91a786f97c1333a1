"""A refusal of an upload's content: a stable reason code, worded by the rules file."""

from __future__ import annotations


class ContentRefused(ValueError):
    """The bytes are not a document we accept; `code` names the rule (never the content)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
