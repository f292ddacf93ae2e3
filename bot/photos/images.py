"""Whether some bytes are a photo we take, and the photo as we keep it.

A photo is taken when it is a JPEG, PNG or WebP by its content (its first bytes, then Pillow decoding all of
it), at most MAX_PHOTO_BYTES, and at most MAX_PIXELS: a small file can declare a huge picture that would take
gigabytes to decode (a "decompression bomb"). What is kept is the picture alone, re-encoded in its own format:
turned upright as the camera's EXIF orientation says, then without EXIF (GPS position, camera, time), ICC
profile (colours converted to sRGB first), XMP or text chunks, so nothing about the resident or their phone
leaves with it.
"""
import io
import struct
import threading
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from bot.photos import texts

MAX_PHOTO_BYTES = 10 * 1024 * 1024
# A 50-megapixel phone camera (8160 × 6120) fits; decoding one takes about 150 MB of memory.
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 85
# Photos decoded at once by one process: each may take 150 MB and a CPU for a moment; more wait their turn.
MAX_DECODING_AT_ONCE = 2
_decoding = threading.BoundedSemaphore(MAX_DECODING_AT_ONCE)


@dataclass(frozen=True)
class Format:
    pillow_name: str
    content_type: str  # its file's extension: bot/photos/urls.py


JPEG = Format("JPEG", "image/jpeg")
PNG = Format("PNG", "image/png")
WEBP = Format("WEBP", "image/webp")
FORMATS = (JPEG, PNG, WEBP)


class PhotoRejected(Exception):
    """A photo we do not take; `message` tells the resident why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes  # the re-encoded file
    format: Format
    width: int
    height: int


def format_of(data: bytes) -> Format:
    """The format the file's first bytes (its "magic number") say it is; PhotoRejected for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    raise PhotoRejected(texts.NOT_AN_IMAGE)


def cleaned(data: bytes) -> CleanPhoto:
    """The photo in `data`, upright and re-encoded without metadata; PhotoRejected with the reason otherwise."""
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRejected(texts.TOO_LARGE)
    expected = format_of(data)
    with _decoding:
        return _cleaned(data, expected)


def _cleaned(data: bytes, expected: Format) -> CleanPhoto:
    with warnings.catch_warnings():
        # Pillow warns of, and past twice its limit refuses, a picture declaring more pixels than it allows.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[expected.pillow_name]) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise PhotoRejected(texts.TOO_MANY_PIXELS)
                image.load()
                upright = ImageOps.exif_transpose(image)
                picture = _pixels_only(upright, expected)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRejected(texts.TOO_MANY_PIXELS) from None
        except UnidentifiedImageError:
            raise PhotoRejected(texts.NOT_AN_IMAGE) from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error):
            # Pillow's ways of saying a file is truncated or damaged.
            raise PhotoRejected(texts.DAMAGED) from None
    output = io.BytesIO()
    options = {"quality": JPEG_QUALITY, "optimize": True} if expected is JPEG else {}
    picture.save(output, format=expected.pillow_name, **options)
    return CleanPhoto(output.getvalue(), expected, picture.width, picture.height)


def _pixels_only(image: Image.Image, kept_as: Format) -> Image.Image:
    """A new image holding only `image`'s pixels (in sRGB), in a mode `kept_as` can store."""
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            image = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: keep the numbers as they are
    if image.mode in ("P", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
    if kept_as is JPEG and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    if kept_as is WEBP and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if image.mode.endswith("A") else "RGB")
    if kept_as is PNG and image.mode not in ("1", "L", "LA", "I", "I;16", "RGB", "RGBA"):
        image = image.convert("RGBA" if image.mode.endswith("A") else "RGB")
    fresh = Image.new(image.mode, image.size)
    fresh.paste(image)
    return fresh
