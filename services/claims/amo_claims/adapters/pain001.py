"""The ISO 20022 customer credit-transfer initiation file (pain.001.001.03) of a payment run:
one payment information block debiting the fund, one transaction per transfer. Creditors are
named by member number or facility id (a name is personal data and not needed by the bank:
the IBAN routes the money)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from lxml import etree

from amo_claims.domain.money import Money
from amo_claims.domain.payments import Transfer, control_sum

NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"


def _amount(money: Money) -> str:
    return money.in_dh()


def pain001(
    run_id: str,
    created_at: datetime,
    items: tuple[Transfer, ...],
    accounts: Mapping[str, str],  # end-to-end id -> creditor IBAN
    *,
    payer_name: str,
    payer_iban: str,
    payer_bic: str,
) -> bytes:
    def el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str):  # type: ignore[no-untyped-def]
        node = etree.SubElement(parent, f"{{{NS}}}{tag}", **attrs)
        if text is not None:
            node.text = text
        return node

    root = etree.Element(f"{{{NS}}}Document", nsmap={None: NS})
    init = el(root, "CstmrCdtTrfInitn")
    header = el(init, "GrpHdr")
    el(header, "MsgId", run_id)
    el(header, "CreDtTm", created_at.strftime("%Y-%m-%dT%H:%M:%S"))
    el(header, "NbOfTxs", str(len(items)))
    el(header, "CtrlSum", _amount(control_sum(items)))
    el(el(header, "InitgPty"), "Nm", payer_name)
    info = el(init, "PmtInf")
    el(info, "PmtInfId", run_id)
    el(info, "PmtMtd", "TRF")
    el(info, "NbOfTxs", str(len(items)))
    el(info, "CtrlSum", _amount(control_sum(items)))
    el(info, "ReqdExctnDt", created_at.date().isoformat())
    el(el(info, "Dbtr"), "Nm", payer_name)
    el(el(el(info, "DbtrAcct"), "Id"), "IBAN", payer_iban)
    agent = el(el(info, "DbtrAgt"), "FinInstnId")
    if payer_bic != "NOTPROVIDED":
        el(agent, "BIC", payer_bic)
    else:
        el(el(agent, "Othr"), "Id", "NOTPROVIDED")
    el(info, "ChrgBr", "SLEV")
    for transfer in items:
        tx = el(info, "CdtTrfTxInf")
        el(el(tx, "PmtId"), "EndToEndId", transfer.end_to_end_id)
        el(el(tx, "Amt"), "InstdAmt", _amount(transfer.amount), Ccy="MAD")
        el(el(tx, "Cdtr"), "Nm", transfer.payee_id)
        el(el(el(tx, "CdtrAcct"), "Id"), "IBAN", accounts[transfer.end_to_end_id])
        el(el(tx, "RmtInf"), "Ustrd", ("AMO " + " ".join(transfer.claim_ids))[:140])
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
