"""The pure cards domain: member numbers, card terms and the issued card (no I/O)."""

from amo_cards.domain.card import Card, issue_card, to_card_issued
from amo_cards.domain.member_number import (
    is_valid_member_number,
    luhn_check_digit,
    new_member_number,
)
from amo_cards.domain.terms import CardTerms, CardTermsBook

__all__ = [
    "Card",
    "CardTerms",
    "CardTermsBook",
    "is_valid_member_number",
    "issue_card",
    "luhn_check_digit",
    "new_member_number",
    "to_card_issued",
]
