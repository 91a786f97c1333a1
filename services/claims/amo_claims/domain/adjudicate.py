"""adjudicate: decide, line by line, what the fund pays on a claim and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from decimal import Decimal

from .adjudication import Adjudication, Finding, LineBenefit, LineStatus, Payee, claim_status
from .ald import ald_rate_applies
from .approvals import PriorApproval
from .claim import Claim, ClaimLine, FiledBy, LineKey
from .coverage import Coverage, NotCovered
from .deadline import allowed_days, is_late, treatment_ends
from .money import Money
from .reasons import Reason, message
from .reference import Reference
from .registries import AldList, ClaimRules
from .tariffs import CareKind, NoTariffInForce, Tariffs

Rejection = tuple[Reason, dict[str, object]]


def adjudicate(
    claim: Claim,
    reference: Reference,
    coverage: Coverage,
    history: Collection[LineKey],
    today: dt.date,
    approvals: Mapping[str, PriorApproval] | None = None,
) -> Adjudication:
    """Tariffs per (the member's scheme, each act's date); history holds the keys of lines
    already paid (see Adjudication.paid_keys); `approvals` the decided prior approvals the
    lines quote, by id (None: only their presence is checked, for the calculator alone)."""
    if coverage.member_number != claim.member_number:
        raise ValueError("the coverage given belongs to another member")
    procedure = _procedure_tariffs(claim, reference, coverage)
    claim_rejection = _claim_rejection(claim, reference, coverage)
    ends = _treatment_ends(claim, reference)
    seen = set(history)
    lines: list[LineBenefit] = []
    for line_no, line in enumerate(claim.lines, start=1):
        rejection = claim_rejection or _line_rejection(
            claim, line, reference, coverage, seen, today, ends.get(line.date)
        )
        if rejection is None and approvals is not None:
            rejection = _approval_rejection(claim, line, approvals)
        if rejection is None:
            lines.append(_priced(line_no, claim, line, reference, coverage))
            seen.add(LineKey.of(claim, line))  # the same act again in this claim is a duplicate
        else:
            lines.append(_rejected(line_no, line, *rejection))
    benefits = tuple(lines)
    return Adjudication(
        status=claim_status(benefits),
        scheme=coverage.scheme,
        tariff_version=procedure.version if procedure else None,
        payee=_payee(claim, procedure, benefits),
        lines=benefits,
    )


def _procedure_tariffs(claim: Claim, reference: Reference, coverage: Coverage) -> Tariffs | None:
    # The payee follows the version in force on the first act, so a later version never
    # reaches back to acts dated before it.
    for day in sorted({line.date for line in claim.lines}):
        try:
            return reference.tariffs(coverage.scheme, day)
        except NoTariffInForce:
            continue
    return None


def _rules(reference: Reference, on: dt.date) -> ClaimRules | None:
    try:
        return reference.rules(on)
    except NoTariffInForce:
        return None


def _claim_rejection(claim: Claim, reference: Reference, coverage: Coverage) -> Rejection | None:
    rules = _rules(reference, claim.filed_on)
    if rules is not None and not rules.inpe_valid(claim.provider_id):
        return Reason.PRESCRIBER_INPE_INVALID, {}
    if coverage.beneficiary(claim.beneficiary_rank) is None:
        return Reason.BENEFICIARY_NOT_ON_CARD, {"rank": claim.beneficiary_rank}
    return None


def _treatment_ends(claim: Claim, reference: Reference) -> dict[dt.date, dt.date]:
    rules = _rules(reference, claim.first_act_date)
    gap = rules.deadlines.continuous_treatment_gap_days if rules else 0
    return treatment_ends((line.date for line in claim.lines), gap)


def _line_rejection(
    claim: Claim,
    line: ClaimLine,
    reference: Reference,
    coverage: Coverage,
    seen: set[LineKey],
    today: dt.date,
    treatment_end: dt.date | None,
) -> Rejection | None:
    if line.date > claim.filed_on or line.date > today:
        return Reason.ACT_DATE_INVALID, {"date": line.date}
    end = treatment_end or line.date
    rules = _rules(reference, end)
    if rules is None:
        return Reason.NO_TARIFF_ON_DATE, {"date": line.date}
    if is_late(claim, end, rules.deadlines):
        days = allowed_days(claim, rules.deadlines)
        return Reason.DEADLINE_PASSED, {"filed_on": claim.filed_on, "days": days, "end": end}
    cover = coverage.covers(claim.beneficiary_rank, line.date)
    if not cover:
        return Reason.NO_COVERAGE_ON_DATE, {"date": line.date, "why": _why(cover.reason)}
    try:
        tariffs = reference.tariffs(coverage.scheme, line.date)
        medicines = reference.medicines(line.date)
    except NoTariffInForce:
        return Reason.NO_TARIFF_ON_DATE, {"date": line.date}
    if LineKey.of(claim, line) in seen:
        return Reason.DUPLICATE, {}
    code = line.item_code
    if line.medicine_code is not None:
        listed = code in medicines.medicines
        return None if listed else (Reason.MEDICINE_NOT_LISTED, {"code": code})
    if code in tariffs.excluded:
        return Reason.EXCLUDED_ITEM, {"label": tariffs.excluded[code]}
    act = tariffs.acts.get(code)
    if act is None:
        return Reason.ACT_NOT_IN_TARIFF, {"code": code, "version": tariffs.version}
    if not _facility_approved(claim, act.kind, line.date, reference):
        return Reason.FACILITY_NOT_APPROVED, {"date": line.date}
    if tariffs.needs_prior_approval(act, claim.facility_kind) and not line.prior_approval_ref:
        return Reason.PRIOR_APPROVAL_MISSING, {}
    if _direct_billing_closed(claim, line, tariffs):
        return Reason.DIRECT_BILLING_NOT_OPEN, {}
    return None


def _direct_billing_closed(claim: Claim, line: ClaimLine, tariffs: Tariffs) -> bool:
    # A facility bills the fund itself only where the tariff opens third-party payment: its
    # kind (public hospitals), or care under a prior approval (private facilities).
    direct = tariffs.direct_payment
    if claim.filed_by is not FiledBy.FACILITY or claim.facility_kind in direct.facilities:
        return False
    return claim.facility_kind not in direct.with_prior_approval or not line.prior_approval_ref


def _approval_rejection(
    claim: Claim, line: ClaimLine, approvals: Mapping[str, PriorApproval]
) -> Rejection | None:
    ref = line.prior_approval_ref
    if ref is None:
        return None
    approval = approvals.get(ref)
    if approval is None or not approval.authorises(
        member_number=claim.member_number,
        beneficiary_rank=claim.beneficiary_rank,
        facility_id=claim.facility_id,
        act_code=line.item_code,
        on=line.date,
    ):
        return Reason.PRIOR_APPROVAL_INVALID, {"ref": ref}
    return None


def _facility_approved(claim: Claim, kind: CareKind, on: dt.date, reference: Reference) -> bool:
    if claim.facility_id is None:
        # Care outside a facility (a doctor's office) needs none; a hospital stay does.
        return kind is not CareKind.HOSPITAL
    try:
        facility = reference.facilities(on).facilities.get(claim.facility_id)
    except NoTariffInForce:
        return False
    return (
        facility is not None and facility.kind is claim.facility_kind and facility.approved_on(on)
    )


WHY = {
    NotCovered.NOT_YET_VALID: "droits pas encore ouverts",
    NotCovered.EXPIRED: "carte expirée",
    NotCovered.SUSPENDED: "droits suspendus",
    NotCovered.REVOKED: "carte révoquée",
    NotCovered.ENDED: "droits du bénéficiaire terminés",
    NotCovered.NOT_ON_CARD: "bénéficiaire absent de la carte",
}


def _why(reason: str) -> str:
    return WHY[NotCovered(reason)]


def _priced(
    line_no: int, claim: Claim, line: ClaimLine, reference: Reference, coverage: Coverage
) -> LineBenefit:
    tariffs = reference.tariffs(coverage.scheme, line.date)
    notes: list[Finding] = []
    if line.act_code is not None:
        act = tariffs.acts[line.act_code]
        unit = act.unit_tariff(claim.facility_kind, tariffs.key_letters)
        rate = tariffs.rate_for(act, claim.facility_kind)
    else:
        code = line.item_code  # a medicine's: the line names exactly one code
        medicines = reference.medicines(line.date)
        unit = medicines.reference_price(code)
        rate = tariffs.rates.medicine
        if generic := medicines.medicines[code].reference_generic:
            notes.append(_finding(Reason.GENERIC_REFERENCE, generic=generic))
    tariff = unit.times(line.quantity)
    if line.billed > tariff:
        notes.append(_finding(Reason.CAPPED_AT_TARIFF, tariff=tariff))
    reason: Reason = Reason.ACCEPTED
    if line.ald_code is not None:
        ald = _ald_list(reference, line.date)
        rank = claim.beneficiary_rank
        if ald is not None and ald_rate_applies(line.ald_code, rank, line.date, coverage, ald):
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


def _ald_list(reference: Reference, on: dt.date) -> AldList | None:
    try:
        return reference.ald(on)
    except NoTariffInForce:
        return None


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


def _payee(claim: Claim, rules: Tariffs | None, lines: tuple[LineBenefit, ...]) -> Payee:
    if claim.filed_by is FiledBy.FACILITY:
        return Payee.FACILITY  # direct billing: the facility is paid, whatever the file
    if rules is None:
        return Payee.MEMBER
    direct = rules.direct_payment
    if claim.facility_kind in direct.with_prior_approval and any(
        line.status is LineStatus.ACCEPTED and source.prior_approval_ref
        for line, source in zip(lines, claim.lines, strict=True)
    ):
        # Third-party payment: the facility is paid, the member owes only their share.
        return Payee.FACILITY
    if claim.facility_kind not in direct.facilities:
        return Payee.MEMBER
    billed = sum((line.billed for line in claim.lines), Money.zero())
    return Payee.FACILITY if billed >= direct.threshold else Payee.MEMBER
