"""Money is exact: whole centimes, no float, reimbursements rounded down to the centime."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from amo_claims.domain import ClaimLine, Money


@pytest.mark.parametrize(
    ("text", "centimes"),
    [
        ("62.30", 6230),
        ("150", 15000),
        (150, 15000),
        (Decimal("0.01"), 1),
        ("0", 0),
        (" 7.5 ", 750),
    ],
)
def test_dirhams_become_centimes(text, centimes):
    assert Money.dh(text) == Money(centimes)


@pytest.mark.parametrize("bad", [1.10, "1.005", "-1", "abc", "NaN", "Infinity", True])
def test_inexact_or_negative_amounts_are_refused(bad):
    with pytest.raises(ValueError):
        Money.dh(bad)


def test_a_float_in_a_claim_line_is_refused():
    with pytest.raises(ValidationError, match="never as floats"):
        ClaimLine(act_code="C", date="2025-03-04", billed=80.5)


def test_money_cannot_go_negative():
    with pytest.raises(ValueError):
        Money(100) - Money(101)


def test_rounding_rule_reimbursed_is_rounded_down_to_the_centime():
    assert Money(101).at_rate(Decimal(70)) == Money(70)  # 70.7 centimes -> 70
    assert Money(1).at_rate(Decimal(80)) == Money(0)  # 0.8 centime -> 0
    assert Money(999).at_rate(Decimal(90)) == Money(899)  # 899.1 -> 899


def test_rounding_rule_in_an_adjudication(medicine, claim_of, judge):
    # 1.01 DH at 70 % is 0.707 DH: the fund pays 0.70, the patient the remaining 0.31.
    line = judge(claim_of(medicine("6118000000053", "2025-04-01", "1.01"))).lines[0]
    assert (line.reimbursed, line.patient_share) == (Money(70), Money(31))


def test_key_letter_pricing_rounds_down_too():
    assert Money.dh("1.10").scaled(Decimal("2.5")) == Money(275)
    assert Money.dh("1.15").scaled(Decimal("0.5")) == Money(57)


def test_display_in_dirhams():
    assert str(Money(123456)) == "1\u202f234,56 DH"
    assert Money(5).in_dh() == "0.05"
