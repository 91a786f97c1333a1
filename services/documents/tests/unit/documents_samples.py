"""Real files for the content checks, built in the test with pikepdf and Pillow."""

from __future__ import annotations

import io
import struct
import zlib

import pikepdf
from PIL import Image

from amo_documents.domain.checks.mrz import check_digit


def pdf(build=None, **save) -> bytes:
    doc = pikepdf.new()
    doc.add_blank_page()
    if build is not None:
        build(doc)
    out = io.BytesIO()
    doc.save(out, **save)
    return out.getvalue()


def pdf_with_text(*lines: str) -> bytes:
    def build(doc: pikepdf.Pdf) -> None:
        font = doc.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
            )
        )
        page = doc.pages[0]
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        ops = [f"BT /F1 12 Tf 72 {720 - 16 * i} Td ({line}) Tj ET" for i, line in enumerate(lines)]
        page.obj.Contents = doc.make_stream("\n".join(ops).encode("latin-1"))

    return pdf(build)


def javascript_pdf() -> bytes:
    def build(doc: pikepdf.Pdf) -> None:
        doc.Root.OpenAction = doc.make_indirect(
            pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        )

    return pdf(build)


def open_action_pdf() -> bytes:
    def build(doc: pikepdf.Pdf) -> None:
        doc.Root.OpenAction = pikepdf.Array([doc.pages[0].obj, pikepdf.Name.Fit])

    return pdf(build)


def launch_pdf() -> bytes:
    def build(doc: pikepdf.Pdf) -> None:
        action = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
        annot = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 10, 10], A=action
        )
        doc.pages[0].obj.Annots = pikepdf.Array([doc.make_indirect(annot)])

    return pdf(build)


def embedded_file_pdf() -> bytes:
    def build(doc: pikepdf.Pdf) -> None:
        doc.attachments["invoice.exe"] = pikepdf.AttachedFileSpec(doc, b"MZ\x90\x00")

    return pdf(build)


def encrypted_pdf(user: str = "") -> bytes:
    return pdf(encryption=pikepdf.Encryption(owner="owner-secret", user=user))


ELF_HEADER = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 44


def image(fmt: str, size=(300, 400), exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    params = {"exif": exif.tobytes()} if exif is not None else {}
    Image.new("RGB", size, (120, 130, 140)).save(out, format=fmt, **params)
    return out.getvalue()


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "Camera 1.0"  # Software
    exif[0x8825] = {1: "N", 2: (33.0, 35.0, 0.0), 3: "W", 4: (7.0, 36.0, 0.0)}  # GPS
    return exif


def png_header(width: int, height: int) -> bytes:
    """A tiny PNG claiming `width` x `height`: a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def td1(number: str, cnie: str, surname: str, given: str) -> list[str]:
    """A sound TD1 zone (check digits right) for a Moroccan CNIE."""
    doc = number.ljust(9, "<")[:9]
    one = f"IDMAR{doc}{check_digit(doc)}{cnie.ljust(15, '<')}"
    birth, expiry = "850412", "300101"
    two = f"{birth}{check_digit(birth)}F{expiry}{check_digit(expiry)}MAR" + "<" * 11
    composite = one[5:30] + two[0:7] + two[8:15] + two[18:29]
    two += check_digit(composite)
    three = f"{surname}<<{given.replace(' ', '<')}".ljust(30, "<")[:30]
    return [one, two, three]
