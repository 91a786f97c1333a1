"""The printable card (fpdf2): French or Arabic (shaped right to left through uharfbuzz), the
QR code of the signed statement, and the statement itself in the PDF's metadata (`/Subject`)
so a program can read it without decoding the image."""

from __future__ import annotations

import io

import qrcode
from fpdf import FPDF

from amo_cards.domain import Card

LABELS = {
    "fr": {
        "title": "Carte d'assurance maladie obligatoire (AMO)",
        "member": "N° d'immatriculation",
        "payer": "Organisme gestionnaire",
        "validity": "Validité",
        "status": "Statut",
        "people": "Bénéficiaires",
        "to": "au",
        "verify": "Vérifiable : GET /v1/cards/verify?token=… (clés : /.well-known/jwks.json)",
        "statuses": {
            "active": "active",
            "suspended": "suspendue",
            "expired": "expirée",
            "revoked": "révoquée",
            "ended": "fin de droits",
        },
    },
    "ar": {
        "title": "بطاقة التأمين الإجباري الأساسي عن المرض",
        "member": "رقم التسجيل",
        "payer": "الهيئة المدبرة",
        "validity": "الصلاحية",
        "status": "الوضعية",
        "people": "المستفيدون",
        "to": "إلى",
        "verify": "للتحقق: /v1/cards/verify",
        "statuses": {
            "active": "سارية",
            "suspended": "موقوفة",
            "expired": "منتهية",
            "revoked": "ملغاة",
            "ended": "انتهت الحقوق",
        },
    },
}


def render(card: Card, token: str, lang: str, font_path: str) -> bytes:
    words = LABELS[lang]
    align = "R" if lang == "ar" else "L"
    pdf = FPDF(format=(148, 210), orientation="landscape")  # A5
    pdf.set_title(words["title"])
    pdf.set_subject(token)  # the statement, for programs; the QR holds the same
    pdf.set_creator("AMO cards")
    pdf.add_page()
    pdf.add_font("card", fname=font_path)
    pdf.set_font("card", size=14)
    pdf.set_text_shaping(True)
    pdf.cell(0, 10, words["title"], align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("card", size=10)
    lines = [
        f"{words['member']} : {card.member_number}",
        f"{words['payer']} : {card.payer}",
        f"{words['validity']} : {card.valid_from} {words['to']} {card.valid_until}",
        f"{words['status']} : {words['statuses'][card.status]}",
        f"{words['people']} :",
    ]
    for person in card.beneficiaries:
        status = words["statuses"][person.status]
        lines.append(
            f"{person.rank}. {person.first_name} {person.last_name} — {person.birth_date}"
            f" — {person.coverage_from or ''} → {person.coverage_until or ''} ({status})"
        )
    for line in lines:
        pdf.cell(120, 7, line, align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.image(qr_png(token), x=pdf.w - 75, y=25, w=65, h=65)
    pdf.set_y(-22)
    pdf.set_font("card", size=7)
    pdf.cell(0, 5, words["verify"], align=align)
    return bytes(pdf.output())


def qr_png(token: str) -> io.BytesIO:
    image = qrcode.make(token, error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    out.seek(0)
    return out
