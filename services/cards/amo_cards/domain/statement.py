"""The signed statement a card's QR code holds: compact claims, so the code stays scannable.

Claims (JSON, short names): `v` format version, `mn` member number, `b` beneficiaries as
`[rank, first name, last name, birth date]`, `vf`/`vu` validity, `p` payer, `iat` issue date.
No CNIE, no address: what a desk needs to match the person in front of it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from amo_cards.domain.card import Card

FORMAT = 1


class StatementBeneficiary(BaseModel):
    model_config = ConfigDict(frozen=True)

    rank: int
    first_name: str
    last_name: str
    birth_date: date


class Statement(BaseModel):
    """The claims, read back in full words."""

    model_config = ConfigDict(frozen=True)

    member_number: str
    beneficiaries: list[StatementBeneficiary]
    valid_from: date
    valid_until: date
    payer: str
    issued_on: date


def claims_of(card: Card, issued_on: date) -> dict[str, Any]:
    """The compact claims of `card` as printed on `issued_on` (ended beneficiaries left out)."""
    people = [
        [b.rank, b.first_name, b.last_name, b.birth_date.isoformat()]
        for b in card.beneficiaries
        if b.status != "ended"
    ]
    return {
        "v": FORMAT,
        "mn": card.member_number,
        "b": people,
        "vf": card.valid_from.isoformat(),
        "vu": card.valid_until.isoformat(),
        "p": card.payer,
        "iat": issued_on.isoformat(),
    }


def read_claims(claims: dict[str, Any]) -> Statement:
    """Full-word claims; a claim set of another shape raises ValueError."""
    if claims.get("v") != FORMAT:
        raise ValueError("unknown statement format")
    try:
        return Statement(
            member_number=claims["mn"],
            beneficiaries=[
                StatementBeneficiary(rank=r, first_name=f, last_name=ln, birth_date=d)
                for r, f, ln, d in claims["b"]
            ],
            valid_from=claims["vf"],
            valid_until=claims["vu"],
            payer=claims["p"],
            issued_on=claims["iat"],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("the statement's claims are malformed") from exc
