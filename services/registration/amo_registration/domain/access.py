"""Who may open an application (the account that filed it) and the CNIE as the API may show it."""

from __future__ import annotations

import hmac


def opens(owner: str, citizen: str | None) -> bool:
    """Whether the citizen's account (`sub`) opens a file owned by `owner`; a file without an
    owner (filed before accounts) opens for nobody."""
    # Constant time: the answer's timing says nothing of how close an identifier came.
    return bool(owner) and bool(citizen) and hmac.compare_digest(owner, citizen or "")


def mask_cnie(cnie: str | None) -> str | None:
    """'AB123456' -> 'AB****56': enough for the applicant to recognise, useless to anyone else."""
    if not cnie:
        return None
    letters = len(cnie) - len(cnie.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return cnie[:letters] + "*" * max(len(cnie) - letters - 2, 0) + cnie[-2:]
