"""PDFs parsed with pikepdf: anything active (JavaScript, automatic or launch actions), hidden
(embedded files, bytes after the end) or unreadable (truncated, encrypted) is refused.

The whole object graph is walked, not only the catalog: a /JS key hidden in an annotation's
action or a name tree is found as surely as an /OpenAction on the document.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pikepdf

from amo_documents.domain.checks.refusal import ContentRefused

EOF_MARKER = b"%%EOF"
# PDF whitespace (ISO 32000-1, 7.2.2): what may follow the last %%EOF.
PDF_WHITESPACE = b"\x00\t\n\x0c\r "
JAVASCRIPT_KEYS = frozenset({"/JS", "/JavaScript"})
ACTION_KEYS = frozenset({"/OpenAction", "/AA"})
ACTIVE_ACTIONS = frozenset({"/Launch", "/JavaScript", "/ImportData", "/SubmitForm"})
EMBEDDED_KEYS = frozenset({"/EmbeddedFiles", "/EF", "/EmbeddedFile"})
TEXT_OPERATORS = frozenset({"Tj", "TJ", "'", '"'})
# A walk deeper than this is a crafted file, not a certificate.
MAX_OBJECTS = 200_000


@dataclass(frozen=True)
class PdfContent:
    text: str  # what the text layer of the first pages says ("" for a scan)


def check_pdf(data: bytes, *, text_pages: int) -> PdfContent:
    """The PDF's text layer, or `ContentRefused` naming the first rule it breaks."""
    _check_end(data)
    try:
        pdf = pikepdf.open(io.BytesIO(data), attempt_recovery=False)
    except pikepdf.PasswordError:
        raise ContentRefused("pdf.encrypted") from None
    except (pikepdf.PdfError, ValueError, RecursionError):
        raise ContentRefused("pdf.unreadable") from None
    with pdf:
        if pdf.is_encrypted:
            raise ContentRefused("pdf.encrypted")
        try:
            _check_objects(pdf)
            return PdfContent(_text(pdf, text_pages))
        except ContentRefused:
            raise
        except (pikepdf.PdfError, ValueError, RecursionError, TypeError):
            raise ContentRefused("pdf.unreadable") from None


def _check_end(data: bytes) -> None:
    end = data.rfind(EOF_MARKER)
    if end < 0:
        raise ContentRefused("pdf.unreadable")  # truncated: a PDF ends with %%EOF
    if data[end + len(EOF_MARKER) :].strip(PDF_WHITESPACE):
        raise ContentRefused("pdf.trailing_data")  # a polyglot: something rides after the PDF


# When a file breaks several rules, the gravest is named.
PRIORITY = ("pdf.javascript", "pdf.action", "pdf.embedded_file")


def _check_objects(pdf: pikepdf.Pdf) -> None:
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [pdf.trailer, *pdf.objects]
    walked = 0
    while stack:
        obj = stack.pop()
        walked += 1
        if walked > MAX_OBJECTS:
            raise ContentRefused("pdf.unreadable")
        if isinstance(obj, pikepdf.Object) and obj.is_indirect:
            ref = obj.objgen
            if ref in seen:
                continue
            seen.add(ref)
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            found |= _findings(obj)
            stack.extend(obj.get(key) for key in obj.keys())  # noqa: SIM118 (pikepdf mapping)
        elif isinstance(obj, pikepdf.Array):
            stack.extend(obj)
    for code in PRIORITY:
        if code in found:
            raise ContentRefused(code)


def _findings(obj: pikepdf.Dictionary | pikepdf.Stream) -> set[str]:
    keys = set(obj.keys())
    action = str(obj.get("/S", ""))
    found = set()
    if keys & JAVASCRIPT_KEYS or action == "/JavaScript":
        found.add("pdf.javascript")
    if keys & ACTION_KEYS or action in ACTIVE_ACTIONS:
        found.add("pdf.action")
    if keys & EMBEDDED_KEYS or str(obj.get("/Type", "")) in ("/EmbeddedFile", "/Filespec"):
        found.add("pdf.embedded_file")
    return found


def _text(pdf: pikepdf.Pdf, pages: int) -> str:
    """The strings shown by Tj/TJ/'/\" on the first `pages` pages, one line per operator."""
    lines: list[str] = []
    for page in list(pdf.pages)[:pages]:
        for instruction in pikepdf.parse_content_stream(page):
            if not isinstance(instruction, pikepdf.ContentStreamInstruction):
                continue  # an inline image
            if str(instruction.operator) not in TEXT_OPERATORS:
                continue
            shown = [_string(o) for o in instruction.operands]
            lines.append("".join(s for s in shown if s))
    return "\n".join(line for line in lines if line.strip())


def _string(operand: object) -> str:
    if isinstance(operand, pikepdf.String):
        return bytes(operand).decode("latin-1")
    if isinstance(operand, pikepdf.Array):  # TJ: strings and kerning numbers
        return "".join(_string(o) for o in operand)
    return ""


def has_text(content: PdfContent) -> bool:
    return bool(re.search(r"\w", content.text))
