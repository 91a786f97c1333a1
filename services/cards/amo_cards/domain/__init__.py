"""The pure cards domain: member numbers, terms, the card, its life and revalidation (no I/O)."""

from amo_cards.domain.card import Card, Due, Hold, Milestone, card_state, issue_card, to_card_issued
from amo_cards.domain.life import (
    ImpossibleChange,
    UnknownBeneficiary,
    expire,
    reinstate,
    renew,
    revoke,
    suspend,
)
from amo_cards.domain.member_number import (
    is_valid_member_number,
    luhn_check_digit,
    new_member_number,
)
from amo_cards.domain.reasons import ReasonBook, ReasonCatalogue, UnknownReason
from amo_cards.domain.revalidation import Outcome, accept_proof, revalidate
from amo_cards.domain.statement import Statement, claims_of, read_claims
from amo_cards.domain.terms import CardTerms, CardTermsBook

__all__ = [
    "Card",
    "CardTerms",
    "CardTermsBook",
    "Due",
    "Hold",
    "ImpossibleChange",
    "Milestone",
    "Outcome",
    "ReasonBook",
    "ReasonCatalogue",
    "Statement",
    "UnknownBeneficiary",
    "UnknownReason",
    "accept_proof",
    "card_state",
    "claims_of",
    "expire",
    "is_valid_member_number",
    "issue_card",
    "luhn_check_digit",
    "new_member_number",
    "read_claims",
    "reinstate",
    "renew",
    "revalidate",
    "revoke",
    "suspend",
    "to_card_issued",
]
