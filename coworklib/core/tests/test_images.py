from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from coworklib.core.images import process_image

DATA = Path(__file__).parent / "data"


def test_a_photo_with_a_corrupt_exif_block_is_accepted_and_stored_without_it() -> None:
    # Found by fuzzing: Pillow's exif_transpose raises struct.error on this 725-byte JPEG.
    upload = SimpleUploadedFile("photo.jpg", (DATA / "corrupt-exif.jpg").read_bytes(), content_type="image/jpeg")

    processed = process_image(
        upload, size=upload.size, max_bytes=1024 * 1024, max_pixels=1_000_000, max_side=512, thumbnail_size=(64, 64)
    )

    with Image.open(processed.image) as stored:
        assert stored.getexif() == {}
        assert stored.width > 0
