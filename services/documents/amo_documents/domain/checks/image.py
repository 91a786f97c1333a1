"""Images fully decoded with Pillow, then re-encoded without metadata (EXIF, GPS, comments).

Dimensions are checked from the header before anything is decoded: a bomb (a few kilobytes
claiming a gigapixel) is refused unread. What is stored is the re-encoded image, never the
applicant's original bytes.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from amo_documents.domain.checks.refusal import ContentRefused
from amo_documents.domain.content import ContentType
from amo_documents.domain.rules import ImageLimits

FORMATS: dict[ContentType, str] = {ContentType.JPEG: "JPEG", ContentType.PNG: "PNG"}
JPEG_QUALITY = 90
# Modes each format writes as they are; anything else is converted first.
KEPT_MODES: dict[str, frozenset[str]] = {
    "JPEG": frozenset({"L", "RGB", "CMYK"}),
    "PNG": frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"}),
}


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    width: int
    height: int


def clean_image(data: bytes, content_type: ContentType, limits: ImageLimits) -> CleanImage:
    """`data` decoded in full and re-encoded in its own format with no metadata."""
    fmt = FORMATS[content_type]
    # Never accept a truncated image quietly, whatever another module set.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():
        # Our own limit decides below; Pillow's bomb warning must not become an error elsewhere.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[fmt])
        except Image.DecompressionBombError:
            raise ContentRefused("image.too_large") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise ContentRefused("image.unreadable") from None
        with image:
            width, height = image.size
            if (
                width * height > limits.max_pixels
                or max(width, height) > limits.max_side
                or min(width, height) <= 0
            ):
                raise ContentRefused("image.too_large")
            _decode(image)
            upright = ImageOps.exif_transpose(image)
            return CleanImage(_encode(upright, fmt), *upright.size)


def _decode(image: Image.Image) -> None:
    try:
        image.load()
    except Image.DecompressionBombError:
        raise ContentRefused("image.too_large") from None
    except (OSError, EOFError) as exc:
        truncated = isinstance(exc, EOFError) or "truncated" in str(exc).lower()
        raise ContentRefused("image.truncated" if truncated else "image.unreadable") from None
    except (ValueError, SyntaxError, IndexError, TypeError):
        raise ContentRefused("image.unreadable") from None


def _encode(image: Image.Image, fmt: str) -> bytes:
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")  # the transparency lives in `info`, which does not survive
    if image.mode not in KEPT_MODES[fmt]:
        image = image.convert("RGBA" if fmt == "PNG" and "A" in image.mode else "RGB")
    # A fresh image holds the pixels only: nothing of `info` (EXIF, XMP, comments) survives.
    bare = Image.new(image.mode, image.size)
    bare.paste(image)
    if image.mode == "P":
        bare.putpalette(image.getpalette() or [])
    out = io.BytesIO()
    if fmt == "JPEG":
        bare.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        bare.save(out, format="PNG", optimize=False)
    return out.getvalue()
