"""Uploaded images, for any app: refuse what is not a photo, re-encode what is.

Only JPEG, PNG, WebP and GIF are decoded at all, so an SVG, an HTML page or an
EPS (which Pillow would hand to Ghostscript) renamed ``.png`` is refused after
reading its header and nothing more. Sizes are checked before decoding: the
file's bytes first, then the pixel count announced by the header, so a
decompression bomb (a few kilobytes announcing gigapixels) is refused without
allocating its pixels. What is kept is a fresh image built from the decoded
pixels alone, so EXIF (GPS position, camera serial number), XMP, comments and
anything hidden after the image data are gone.

Errors are Django ``ValidationError``s with a message for the person and a
stable code (``empty``, ``too_large``, ``not_an_image``, ``too_many_pixels``),
usable by forms as they are and turned into API errors by services.
"""

from __future__ import annotations

import io
import secrets
import struct
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
ACCEPTED_CONTENT_TYPES = "image/jpeg,image/png,image/webp,image/gif"


@dataclass(frozen=True)
class ProcessedImage:
    image: ContentFile[bytes]
    thumbnail: ContentFile[bytes]
    width: int
    height: int


def _to_srgb(image: Image.Image) -> Image.Image:
    # The ICC profile is metadata we drop; convert the pixels to sRGB first so a
    # wide-gamut (Display P3) phone photo keeps its colours.
    icc_profile = image.info.get("icc_profile")
    if not icc_profile or image.mode not in {"RGB", "RGBA"}:
        return image
    try:
        converted = ImageCms.profileToProfile(
            image, io.BytesIO(icc_profile), ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: the raw pixels are the best we have
    return converted if converted is not None else image


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says; as stored when that metadata is unreadable.

    The EXIF block is dropped in any case (the pixels are re-encoded without it), so
    a corrupt one only costs the rotation, never the upload.
    """
    try:
        return ImageOps.exif_transpose(image)
    except (struct.error, ValueError, TypeError, IndexError, KeyError, OSError, SyntaxError):
        return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info)


def _encode(image: Image.Image, *, keep_alpha: bool) -> tuple[bytes, str]:
    # A fresh image built from the pixels alone: nothing of the upload's
    # metadata (info, EXIF, XMP, ICC) can follow it into the output.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    buffer = io.BytesIO()
    if keep_alpha:
        clean.save(buffer, format="WEBP", quality=85, method=4)
        return buffer.getvalue(), "webp"
    clean.save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    return buffer.getvalue(), "jpg"


def too_large_message(max_bytes: int) -> str:
    return _("Cette image est trop lourde : %(max)s au maximum.") % {"max": filesizeformat(max_bytes)}


def max_bytes_attrs(max_bytes: int) -> dict[str, str]:
    """Attributes of a file input for core/upload-limits.js: the browser refuses a heavier file before sending."""
    return {"data-max-bytes": str(max_bytes), "data-max-bytes-message": too_large_message(max_bytes)}


def random_file_name(extension: str) -> str:
    """Never the uploaded name: it may identify a person or a device, it is attacker-chosen,
    and media are served without a permission check, so names must not be guessable."""
    return f"{secrets.token_urlsafe(18)}.{extension}"


def process_image(
    upload: IO[bytes],
    *,
    size: int | None,
    max_bytes: int,
    max_pixels: int,
    max_side: int,
    thumbnail_size: tuple[int, int],
) -> ProcessedImage:
    """Decode `upload` and return it re-encoded (at most `max_side` px a side) with a cropped thumbnail.

    `size` is the upload's length in bytes when known (Django's UploadedFile.size).
    Images with transparency become WebP, the others JPEG. Raises ValidationError.
    """
    if size is not None and size > max_bytes:
        raise ValidationError(too_large_message(max_bytes), code="too_large")
    if size == 0:
        raise ValidationError(_("Ce fichier est vide."), code="empty")
    not_an_image = ValidationError(
        _("Ce fichier n'est pas une image JPEG, PNG, WebP ou GIF valide. Choisissez une autre photo."),
        code="not_an_image",
    )
    too_many_pixels = ValidationError(
        _("Cette image est trop grande : %(megapixels)s mégapixels au maximum.")
        % {"megapixels": max(1, round(max_pixels / 1_000_000))},
        code="too_many_pixels",
    )
    try:
        with Image.open(upload, formats=ACCEPTED_FORMATS) as source:
            # Checked on the header, before decoding. Pillow's own guard
            # (Image.MAX_IMAGE_PIXELS) only warns below twice its limit and is
            # process-wide; this one is per use, lower, and always an error.
            if source.width * source.height > max_pixels:
                raise too_many_pixels
            # JPEG can decode at 1/2, 1/4 or 1/8 scale: far less memory for a
            # large photo that is scaled down anyway.
            source.draft(None, (max_side, max_side))
            source.seek(0)  # the first frame of an animation
            source.load()
            image = _upright(source)
            keep_alpha = _has_alpha(image)
            image = image.convert("RGBA" if keep_alpha else "RGB")
    except Image.DecompressionBombError:
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error, TypeError, IndexError):
        # Truncated or corrupt data surfaces as any of these from Pillow's
        # decoders (struct.error and IndexError from malformed metadata blocks).
        raise not_an_image from None

    image = _to_srgb(image)
    if image.width > max_side or image.height > max_side:
        image = ImageOps.contain(image, (max_side, max_side), method=Image.Resampling.LANCZOS)
    thumbnail = ImageOps.fit(image, thumbnail_size, method=Image.Resampling.LANCZOS)

    image_bytes, extension = _encode(image, keep_alpha=keep_alpha)
    thumbnail_bytes, _thumbnail_extension = _encode(thumbnail, keep_alpha=keep_alpha)
    return ProcessedImage(
        image=ContentFile(image_bytes, name=random_file_name(extension)),
        thumbnail=ContentFile(thumbnail_bytes, name=random_file_name(extension)),
        width=image.width,
        height=image.height,
    )
