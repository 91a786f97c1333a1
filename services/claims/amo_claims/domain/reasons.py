"""Catalogue of reason codes and their French messages, shown to members and operators."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    # Lines paid
    ACCEPTED = "ACCEPTED"
    ALD_FULL_RATE = "ALD_FULL_RATE"
    # Observations on a paid line
    CAPPED_AT_TARIFF = "CAPPED_AT_TARIFF"
    GENERIC_REFERENCE = "GENERIC_REFERENCE"
    ALD_CODE_INVALID = "ALD_CODE_INVALID"
    # Lines rejected
    DEADLINE_PASSED = "DEADLINE_PASSED"
    BENEFICIARY_NOT_ON_CARD = "BENEFICIARY_NOT_ON_CARD"
    ACT_DATE_INVALID = "ACT_DATE_INVALID"
    NO_COVERAGE_ON_DATE = "NO_COVERAGE_ON_DATE"
    NO_TARIFF_ON_DATE = "NO_TARIFF_ON_DATE"
    DUPLICATE = "DUPLICATE"
    EXCLUDED_ITEM = "EXCLUDED_ITEM"
    ACT_NOT_IN_TARIFF = "ACT_NOT_IN_TARIFF"
    MEDICINE_NOT_LISTED = "MEDICINE_NOT_LISTED"
    PRIOR_APPROVAL_MISSING = "PRIOR_APPROVAL_MISSING"
    PRIOR_APPROVAL_INVALID = "PRIOR_APPROVAL_INVALID"
    DIRECT_BILLING_NOT_OPEN = "DIRECT_BILLING_NOT_OPEN"
    PRESCRIBER_INPE_INVALID = "PRESCRIBER_INPE_INVALID"
    FACILITY_NOT_APPROVED = "FACILITY_NOT_APPROVED"
    MEDICAL_REVIEW_REFUSED = "MEDICAL_REVIEW_REFUSED"


MESSAGES: dict[Reason, str] = {
    Reason.ACCEPTED: "Remboursé à {rate} % de la base de remboursement (tarif {version}).",
    Reason.ALD_FULL_RATE: "Affection de longue durée {ald_code} : prise en charge à {rate} % "
    "de la base.",
    Reason.CAPPED_AT_TARIFF: "Montant facturé supérieur à la base de référence "
    "({tariff}) : le dépassement reste à la charge de l'assuré.",
    Reason.GENERIC_REFERENCE: "Base calculée sur le prix du générique de référence {generic}.",
    Reason.ALD_CODE_INVALID: "Code ALD {ald_code} inconnu, non accordé à ce bénéficiaire ou "
    "exonération expirée : taux normal appliqué.",
    Reason.DEADLINE_PASSED: "Dossier déposé le {filed_on}, plus de {days} jours après la fin du "
    "traitement le {end}.",
    Reason.BENEFICIARY_NOT_ON_CARD: "Le bénéficiaire de rang {rank} ne figure pas sur la carte "
    "de l'assuré.",
    Reason.ACT_DATE_INVALID: "Date de soins ({date}) postérieure à la date de dépôt ou à la date "
    "du jour.",
    Reason.NO_COVERAGE_ON_DATE: "Aucune couverture AMO en vigueur à la date des soins ({date}) : "
    "{why}.",
    Reason.NO_TARIFF_ON_DATE: "Aucune nomenclature tarifaire en vigueur à la date des soins "
    "({date}).",
    Reason.DUPLICATE: "Acte déjà présenté : même bénéficiaire, même prestataire, même acte, "
    "même date.",
    Reason.EXCLUDED_ITEM: "Prestation exclue du remboursement : {label}.",
    Reason.ACT_NOT_IN_TARIFF: "Acte {code} absent de la nomenclature en vigueur ({version}).",
    Reason.MEDICINE_NOT_LISTED: "Médicament {code} absent de la liste des médicaments "
    "remboursables.",
    Reason.PRIOR_APPROVAL_MISSING: "Accord préalable (prise en charge) requis pour une "
    "hospitalisation ou une chirurgie en établissement privé.",
    Reason.PRIOR_APPROVAL_INVALID: "Accord préalable {ref} inconnu, non accordé, expiré ou "
    "délivré pour d'autres soins, un autre patient ou un autre établissement.",
    Reason.DIRECT_BILLING_NOT_OPEN: "Tiers payant non ouvert : un établissement privé ne "
    "facture directement la caisse que des soins sous accord préalable.",
    Reason.PRESCRIBER_INPE_INVALID: "Identifiant INPE du prescripteur invalide.",
    Reason.FACILITY_NOT_APPROVED: "Établissement non agréé à la date des soins ({date}).",
    Reason.MEDICAL_REVIEW_REFUSED: "Refusé après contrôle médical : {why}.",
}

PAYING = frozenset({Reason.ACCEPTED, Reason.ALD_FULL_RATE})


def message(reason: Reason, **facts: object) -> str:
    return MESSAGES[reason].format(**facts)
