"""Unit: every content check on real bytes built here (pikepdf, Pillow): PDFs that are active,
hidden, encrypted or broken, images truncated or bomb-sized, photos, and metadata stripped."""

from __future__ import annotations

import io
from datetime import date

import pytest
from documents_samples import (
    ELF_HEADER,
    embedded_file_pdf,
    encrypted_pdf,
    gps_exif,
    image,
    javascript_pdf,
    launch_pdf,
    open_action_pdf,
    pdf,
    pdf_with_text,
    png_header,
    td1,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from amo_documents.document_rules import shipped_rules
from amo_documents.domain.checks import ContentRefused, examine
from amo_documents.domain.content import ContentType
from amo_shared.events import DocumentKind

RULES = shipped_rules().in_force(date(2026, 1, 1))
CERTIFICATE = pdf_with_text("ROYAUME DU MAROC", "ATTESTATION DE TRAVAIL")
PDF, JPEG, PNG = ContentType.PDF, ContentType.JPEG, ContentType.PNG


def refusal(kind: DocumentKind, content_type: ContentType, data: bytes) -> str:
    with pytest.raises(ContentRefused) as caught:
        examine(kind, content_type, data, RULES)
    return caught.value.code


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-", "pdf.unreadable"),
        (CERTIFICATE[: len(CERTIFICATE) // 2], "pdf.unreadable"),
        (javascript_pdf(), "pdf.javascript"),
        (open_action_pdf(), "pdf.action"),
        (launch_pdf(), "pdf.action"),
        (embedded_file_pdf(), "pdf.embedded_file"),
        (encrypted_pdf(), "pdf.encrypted"),
        (encrypted_pdf(user="applicant"), "pdf.encrypted"),
        (CERTIFICATE + ELF_HEADER, "pdf.trailing_data"),
    ],
    ids=[
        "5-byte",
        "truncated",
        "javascript",
        "open-action",
        "launch",
        "embedded-file",
        "encrypted",
        "password",
        "polyglot-elf",
    ],
)
def test_hostile_pdfs_are_refused_with_their_code(data, code):
    assert refusal(DocumentKind.CNIE, PDF, data) == code


def test_a_plain_certificate_passes_byte_for_byte_with_its_text_layer():
    examined = examine(DocumentKind.WORK_CERTIFICATE, PDF, CERTIFICATE, RULES)
    assert examined.data == CERTIFICATE and examined.text_layer and examined.review is None


@pytest.mark.parametrize("tail", [b"", b"\n", b"\r\n", b"  \n\x00"])
def test_whitespace_after_the_end_is_no_trailing_data(tail):
    assert examine(DocumentKind.RIB, PDF, CERTIFICATE + tail, RULES).data == CERTIFICATE + tail


@settings(max_examples=30, deadline=None)
@given(
    st.binary(min_size=1, max_size=64).filter(
        lambda b: b.strip(b"\x00\t\n\x0c\r ") and b"%%EOF" not in b  # another end is another PDF
    )
)
def test_any_bytes_after_the_end_are_refused(tail):
    assert refusal(DocumentKind.RIB, PDF, CERTIFICATE + tail) == "pdf.trailing_data"


@settings(max_examples=30, deadline=None)
@given(st.integers(1, len(CERTIFICATE.rstrip()) - 1))  # the final newline is optional
def test_a_pdf_cut_anywhere_is_never_accepted(cut):
    try:
        examine(DocumentKind.RIB, PDF, CERTIFICATE[:cut], RULES)
    except ContentRefused as exc:
        assert exc.code in {"pdf.unreadable", "pdf.trailing_data"}
    else:
        raise AssertionError("a truncated PDF was accepted")


def test_a_certificate_without_a_text_layer_goes_to_review_as_pdf_or_image():
    scan = pdf()  # a blank page: what a scanner makes, no text
    assert examine(DocumentKind.WORK_CERTIFICATE, PDF, scan, RULES).review == (
        "document.no_text_layer"
    )
    photo_of_it = examine(DocumentKind.WORK_CERTIFICATE, JPEG, image("JPEG"), RULES)
    assert photo_of_it.review == "document.no_text_layer"
    # Kinds that need no text layer (a CNIE photo) are accepted as they are.
    assert examine(DocumentKind.CNIE, JPEG, image("JPEG"), RULES).review is None


def test_a_truncated_jpeg_or_png_is_refused():
    for fmt, content_type in (("JPEG", JPEG), ("PNG", PNG)):
        data = image(fmt, (600, 800))
        assert refusal(DocumentKind.CNIE, content_type, data[: len(data) // 2]) == (
            "image.truncated"
        )


def test_a_huge_dimension_png_header_is_refused_without_decoding():
    assert refusal(DocumentKind.CNIE, PNG, png_header(100_000, 100_000)) == "image.too_large"
    side = RULES.images.max_side + 1
    assert refusal(DocumentKind.CNIE, PNG, png_header(side, 10)) == "image.too_large"


def test_bytes_that_only_start_like_an_image_are_unreadable():
    assert refusal(DocumentKind.CNIE, JPEG, b"\xff\xd8\xff" + b"x" * 200) == "image.unreadable"
    assert refusal(DocumentKind.CNIE, PNG, b"\x89PNG\r\n\x1a\n" + b"\x00" * 40) in {
        "image.unreadable",
        "image.truncated",
    }


@pytest.mark.parametrize(("fmt", "content_type"), [("JPEG", JPEG), ("PNG", PNG)])
def test_accepted_images_are_re_encoded_without_exif_or_gps(fmt, content_type):
    original = image(fmt, exif=gps_exif())
    assert Image.open(io.BytesIO(original)).getexif()  # the phone's metadata is there
    cleaned = examine(DocumentKind.PHOTO, content_type, original, RULES).data
    assert cleaned != original
    with Image.open(io.BytesIO(cleaned)) as again:
        again.load()
        assert not again.getexif() and "exif" not in again.info
        assert again.size == (300, 400) and again.format == fmt


def test_the_photo_is_an_image_within_its_dimensions():
    limits = RULES.photo
    assert refusal(DocumentKind.PHOTO, PDF, CERTIFICATE) == "photo.type"
    small = image("PNG", (limits.min_width - 1, limits.min_height))
    assert refusal(DocumentKind.PHOTO, PNG, small) == "photo.dimensions"
    wide = image("PNG", (limits.max_width + 1, limits.min_height))
    assert refusal(DocumentKind.PHOTO, PNG, wide) == "photo.dimensions"
    edge = image("JPEG", (limits.min_width, limits.min_height))
    assert examine(DocumentKind.PHOTO, JPEG, edge, RULES).review is None


def test_the_rib_certificate_may_be_a_pdf_or_an_image():
    assert examine(DocumentKind.RIB, PDF, CERTIFICATE, RULES).review is None
    assert examine(DocumentKind.RIB, PNG, image("PNG"), RULES).review is None


def test_a_cnie_pdf_with_an_mrz_hands_the_zone_over():
    zone = td1("A12345678", "AB123456", "ALAOUI", "AMINA")
    examined = examine(DocumentKind.CNIE, PDF, pdf_with_text("ROYAUME DU MAROC", *zone), RULES)
    assert examined.mrz is not None and examined.mrz.valid
    assert examined.mrz.numbers() == {"A12345678", "AB123456"}
    assert examine(DocumentKind.CNIE, PDF, CERTIFICATE, RULES).mrz is None
