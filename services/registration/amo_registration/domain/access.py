"""The applicant's bearer token (only its SHA-256 is kept) and the CNIE as the API may show it."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> tuple[str, str]:
    """A fresh token for the applicant and the digest to store; the token itself is shown once."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str | None, digest: str) -> bool:
    # Constant-time comparison, so response times do not reveal how much of a guess was right.
    candidate = token_digest(token or "")
    return hmac.compare_digest(candidate, digest) and bool(token)


def mask_cnie(cnie: str | None) -> str | None:
    """'AB123456' -> 'AB****56': enough for the applicant to recognise, useless to anyone else."""
    if not cnie:
        return None
    letters = len(cnie) - len(cnie.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return cnie[:letters] + "*" * max(len(cnie) - letters - 2, 0) + cnie[-2:]
