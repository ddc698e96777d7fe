"""Profile photos: an avatar-sized re-encoding of the upload, and a thumbnail.

The decoding rules (accepted formats, size and pixel limits checked before
decoding, metadata dropped by re-encoding, random names) are core.images',
shared with the workspace photos; this module only sets the avatar's sizes and
limits.
"""

from typing import IO

from django.conf import settings

from coworklib.core.images import ACCEPTED_CONTENT_TYPES, ProcessedImage, process_image

PHOTO_SIZE = 512
THUMBNAIL_SIZE = 96

__all__ = ["ACCEPTED_CONTENT_TYPES", "PHOTO_SIZE", "THUMBNAIL_SIZE", "process_profile_photo"]


def process_profile_photo(upload: IO[bytes], *, size: int | None = None) -> ProcessedImage:
    """The photo (at most 512 px a side, never enlarged) and a 96 px square thumbnail.

    Raises ``ValidationError`` with a message for the person when the upload is
    not an acceptable image.
    """
    return process_image(
        upload,
        size=size,
        max_bytes=settings.PROFILE_PHOTO_MAX_BYTES,
        max_pixels=settings.PROFILE_PHOTO_MAX_PIXELS,
        max_side=PHOTO_SIZE,
        thumbnail_size=(THUMBNAIL_SIZE, THUMBNAIL_SIZE),
    )
