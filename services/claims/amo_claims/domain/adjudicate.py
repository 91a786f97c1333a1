"""adjudicate: decide, line by line, what the fund pays on a claim and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from decimal import Decimal

from .adjudication import Adjudication, Finding, LineBenefit, LineStatus, Payee, claim_status
from .ald import ald_exemption_in_force
from .claim import Claim, ClaimLine, Coverage, LineKey
from .money import Money
from .reasons import Reason, message
from .tariffs import NoTariffInForce, Tariffs

TariffsFor = Callable[[dt.date], Tariffs]
Rejection = tuple[Reason, dict[str, object]]


def adjudicate(
    claim: Claim,
    tariffs_for: TariffsFor,
    coverage: Coverage,
    history: Collection[LineKey],
    today: dt.date,
) -> Adjudication:
    """history holds the keys of lines already paid (see Adjudication.paid_keys)."""
    if coverage.member_number != claim.member_number:
        raise ValueError("the coverage given belongs to another member")
    rules = _procedure_rules(claim, tariffs_for)
    claim_rejection = _claim_rejection(claim, rules, coverage)
    seen = set(history)
    lines: list[LineBenefit] = []
    for line_no, line in enumerate(claim.lines, start=1):
        rejection = claim_rejection or _line_rejection(
            claim, line, tariffs_for, coverage, seen, today
        )
        if rejection is None:
            lines.append(_priced(line_no, claim, line, tariffs_for(line.date), coverage))
            seen.add(LineKey.of(claim, line))  # the same act again in this claim is a duplicate
        else:
            lines.append(_rejected(line_no, line, *rejection))
    benefits = tuple(lines)
    return Adjudication(
        status=claim_status(benefits),
        tariff_version=rules.version if rules else None,
        payee=_payee(claim, rules),
        lines=benefits,
    )


def _procedure_rules(claim: Claim, tariffs_for: TariffsFor) -> Tariffs | None:
    # Deadline and payee follow the version in force on the first act, so a later version
    # never reaches back to acts dated before it.
    for day in sorted({line.date for line in claim.lines}):
        try:
            return tariffs_for(day)
        except NoTariffInForce:
            continue
    return None


def _claim_rejection(claim: Claim, rules: Tariffs | None, coverage: Coverage) -> Rejection | None:
    first = claim.first_act_date
    if rules is not None and (claim.filed_on - first).days > rules.filing_deadline_days:
        facts = {"filed_on": claim.filed_on, "days": rules.filing_deadline_days, "first_act": first}
        return Reason.DEADLINE_PASSED, facts
    if claim.beneficiary_rank not in coverage.beneficiary_ranks:
        return Reason.BENEFICIARY_NOT_ON_CARD, {"rank": claim.beneficiary_rank}
    return None


def _line_rejection(
    claim: Claim,
    line: ClaimLine,
    tariffs_for: TariffsFor,
    coverage: Coverage,
    seen: set[LineKey],
    today: dt.date,
) -> Rejection | None:
    if line.date > claim.filed_on or line.date > today:
        return Reason.ACT_DATE_INVALID, {"date": line.date}
    if not coverage.covers(line.date):
        return Reason.NO_COVERAGE_ON_DATE, {"date": line.date}
    try:
        tariffs = tariffs_for(line.date)
    except NoTariffInForce:
        return Reason.NO_TARIFF_ON_DATE, {"date": line.date}
    if LineKey.of(claim, line) in seen:
        return Reason.DUPLICATE, {}
    code = line.item_code
    if line.medicine_code is not None:
        return None if code in tariffs.medicines else (Reason.MEDICINE_NOT_LISTED, {"code": code})
    if code in tariffs.excluded:
        return Reason.EXCLUDED_ITEM, {"label": tariffs.excluded[code]}
    act = tariffs.acts.get(code)
    if act is None:
        return Reason.ACT_NOT_IN_TARIFF, {"code": code, "version": tariffs.version}
    if tariffs.needs_prior_approval(act, claim.facility_kind) and not line.prior_approval_ref:
        return Reason.PRIOR_APPROVAL_MISSING, {}
    return None


def _priced(
    line_no: int, claim: Claim, line: ClaimLine, tariffs: Tariffs, coverage: Coverage
) -> LineBenefit:
    notes: list[Finding] = []
    if line.act_code is not None:
        act = tariffs.acts[line.act_code]
        unit = act.unit_tariff(claim.facility_kind, tariffs.key_letters)
        rate = tariffs.rate_for(act, claim.facility_kind)
    else:
        code = line.item_code  # a medicine's: the line names exactly one code
        unit = tariffs.reference_price(code)
        rate = tariffs.rates.medicine
        if generic := tariffs.medicines[code].reference_generic:
            notes.append(_finding(Reason.GENERIC_REFERENCE, generic=generic))
    tariff = unit.times(line.quantity)
    if line.billed > tariff:
        notes.append(_finding(Reason.CAPPED_AT_TARIFF, tariff=tariff))
    reason: Reason = Reason.ACCEPTED
    if line.ald_code is not None:
        rank = claim.beneficiary_rank
        if ald_exemption_in_force(line.ald_code, rank, line.date, coverage, tariffs):
            reason, rate = Reason.ALD_FULL_RATE, tariffs.rates.ald
        else:
            notes.append(_finding(Reason.ALD_CODE_INVALID, ald_code=line.ald_code))
    base = min(line.billed, tariff)
    reimbursed = base.at_rate(rate)
    text = message(reason, rate=rate, version=tariffs.version, ald_code=line.ald_code)
    return LineBenefit(
        line_no=line_no,
        item_code=line.item_code,
        date=line.date,
        quantity=line.quantity,
        billed=line.billed,
        tariff=tariff,
        base=base,
        rate=rate,
        reimbursed=reimbursed,
        patient_share=line.billed - reimbursed,
        status=LineStatus.ACCEPTED,
        reason=reason,
        message=text,
        notes=tuple(notes),
    )


def _rejected(
    line_no: int, line: ClaimLine, reason: Reason, facts: dict[str, object]
) -> LineBenefit:
    return LineBenefit(
        line_no=line_no,
        item_code=line.item_code,
        date=line.date,
        quantity=line.quantity,
        billed=line.billed,
        tariff=None,
        base=Money.zero(),
        rate=Decimal(0),
        reimbursed=Money.zero(),
        patient_share=line.billed,
        status=LineStatus.REJECTED,
        reason=reason,
        message=message(reason, **facts),
    )


def _finding(reason: Reason, **facts: object) -> Finding:
    return Finding(reason=reason, message=message(reason, **facts))


def _payee(claim: Claim, rules: Tariffs | None) -> Payee:
    if rules is None or claim.facility_kind not in rules.direct_payment.facilities:
        return Payee.MEMBER
    billed = sum((line.billed for line in claim.lines), Money.zero())
    return Payee.FACILITY if billed >= rules.direct_payment.threshold else Payee.MEMBER
