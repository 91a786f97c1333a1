"""Every notice in French and Arabic: the right language and direction, dates in the member's
locale, everything to fix listed at once, and never a CNIE, a RIB or a bank hint."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from notification_samples import decided, facts, incomplete, issued, reminder, submitted, suspended

from amo_notifications.domain import NoticeKind, notice_for
from amo_notifications.messages import Composer, Recipient
from amo_shared.rib import rib_key

COMPOSER = Composer()


def every_notice(app_id, applicant, first):
    events = [
        submitted(app_id, applicant),
        incomplete(app_id, applicant),
        incomplete(app_id, applicant, outcome="in_review"),
        decided(app_id, applicant),
        decided(app_id, applicant, outcome="rejected"),
        issued(app_id, first=first),
        suspended(app_id, first=first),
        reminder(app_id),
    ]
    return [notice_for(f"test:{i}", e) for i, e in enumerate(events)]


def recipient(lang: str, first: str = "Amina") -> Recipient:
    return Recipient("amina@example.ma", "+212612345678", lang, (first, "Sara"))


def parts(wording) -> str:
    return "\n".join((wording.subject, wording.text, wording.html, wording.sms))


def test_each_kind_has_a_message_in_each_language():
    notices = every_notice("app-1", facts(), "Amina")
    assert {n.kind for n in notices} == set(NoticeKind) - set()  # every kind is exercised
    for notice in notices:
        for lang in ("fr", "ar"):
            w = COMPOSER.compose(notice, recipient(lang))
            assert w.subject and w.text.strip() and w.sms, (notice.kind, lang)
            assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in w.html
            assert "{{" not in parts(w) and "None" not in parts(w), (notice.kind, lang)


def test_the_incomplete_notice_lists_everything_to_fix_in_the_members_language():
    notice = notice_for("documents:e1", incomplete("app-1", facts()))
    fr = COMPOSER.compose(notice, recipient("fr"))
    assert "Attestation de travail : Document manquant" in fr.text
    assert "Extrait d'acte de naissance (Sara) : Le PDF contient du JavaScript" in fr.text
    assert fr.html.count("<li>") == 2
    ar = COMPOSER.compose(notice, recipient("ar"))
    assert "شهادة العمل: وثيقة ناقصة" in ar.text
    assert "يحتوي الملف على جافاسكريبت" in ar.text
    assert "Document manquant" not in ar.text


def test_dates_are_written_in_the_members_locale():
    notice = notice_for("cards:e1", issued("app-1"))
    assert "5 mars 2026" in COMPOSER.compose(notice, recipient("fr")).text
    assert "مارس 2026" in COMPOSER.compose(notice, recipient("ar")).text


def test_the_html_part_escapes_what_it_prints():
    notice = notice_for("r:e1", submitted("app-1", facts(first="<b>Amina</b>")))
    w = COMPOSER.compose(notice, recipient("fr"))
    assert "<b>Amina</b>" not in w.html and "&lt;b&gt;Amina&lt;/b&gt;" in w.html


cnies = st.from_regex(r"[A-Z]{1,2}[0-9]{5,6}", fullmatch=True)
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàâ", min_size=2, max_size=20).map(str.title)
ribs = st.integers(0, 10**16 - 1).map(lambda n: f"011780{n:016d}").map(lambda r: r + rib_key(r))


@given(cnie=cnies, first=names, rib=ribs, lang=st.sampled_from(["fr", "ar"]))
def test_no_message_ever_carries_a_cnie_a_rib_or_a_bank_hint(cnie, first, rib, lang):
    hint = f"RIB ****{rib[-4:]}"
    applicant = facts(cnie=cnie, first=first, hint=hint)
    for notice in every_notice("app-1", applicant, first):
        text = parts(COMPOSER.compose(notice, recipient(lang, first)))
        # As a whole token: a member number (M + 12 digits) may contain a short CNIE's digits.
        assert not re.search(rf"(?<![A-Z0-9]){cnie}(?![0-9])", text)
        assert rib not in text
        assert hint not in text and "****" not in text
        assert "c2VjcmV0" not in text  # the sealed value's ciphertext
        assert not re.search(r"\b\d{24}\b", text)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_reminder_names_the_dependant_and_the_document(lang):
    notice = notice_for("cards:r1", reminder("app-1"))
    w = COMPOSER.compose(notice, recipient(lang))
    assert "Sara" in w.text
    assert ("Certificat de scolarité" if lang == "fr" else "شهادة التمدرس") in w.text
