"""Real image files made with Pillow for the photo tests, good and bad, as a resident's phone or a prankster might
send them."""
import io
import os
import struct
import zlib

from PIL import Image

# Where the photo was taken, as a phone writes it into EXIF (GPSInfo, tag 34853): 30°17'N 120°21'E.
GPS_INFO_TAG = 34853
GPS = {1: "N", 2: (30.0, 17.0, 0.0), 3: "E", 4: (120.0, 21.0, 0.0)}
CAMERA = "QianjinPhone X1"
ORIENTATION_TAG = 0x0112


def jpeg_with_gps(size=(640, 480), orientation: int = 1) -> bytes:
    """A JPEG as a phone makes it: EXIF with the camera, the GPS position and the orientation."""
    image = Image.new("RGB", size, (200, 60, 40))
    image.paste((40, 90, 200), (0, 0, size[0] // 2, size[1] // 4))  # a blue block in the top-left corner
    exif = Image.Exif()
    exif[0x010F] = "QianjinPhone"  # Make
    exif[0x0110] = CAMERA  # Model
    exif[ORIENTATION_TAG] = orientation
    exif[GPS_INFO_TAG] = GPS
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif, quality=90)
    return output.getvalue()


def png(size=(300, 200), mode="RGBA") -> bytes:
    image = Image.new(mode, size, (10, 120, 60, 200) if mode == "RGBA" else (10, 120, 60))
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def webp(size=(320, 240)) -> bytes:
    image = Image.new("RGB", size, (250, 200, 20))
    exif = Image.Exif()
    exif[GPS_INFO_TAG] = GPS
    output = io.BytesIO()
    image.save(output, "WEBP", exif=exif, quality=80)
    return output.getvalue()


def truncated_jpeg() -> bytes:
    """A photo whose upload stopped half way."""
    whole = noise("JPEG", (800, 600))
    return whole[: len(whole) // 2]


def noise(kind: str, size) -> bytes:
    """Random pixels: they do not compress, so the file is about as large as its pixels."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    output = io.BytesIO()
    image.save(output, kind, **({"compress_level": 0} if kind == "PNG" else {"quality": 95}))
    return output.getvalue()


def twelve_megabytes() -> bytes:
    """A real PNG of about 12 MB (2,048 × 2,048 random pixels)."""
    return noise("PNG", (2048, 2048))


def text_renamed_jpg() -> bytes:
    """What a file called 报告.jpg holds when it is really a note."""
    return "这不是照片，是一段文字。\n楼道灯坏了。\n".encode("utf-8")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def decompression_bomb(side: int = 30_000) -> bytes:
    """A tiny PNG declaring `side` × `side` pixels (900 million by default: gigabytes once decoded)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * (side + 1) * 4)  # a few rows; the rest never comes
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def jpeg_with_corrupt_exif() -> bytes:
    """A JPEG whose EXIF segment breaks off in its first entry, as some phones' editing apps leave it."""
    image = Image.new("RGB", (40, 30), (90, 90, 90))
    output = io.BytesIO()
    image.save(output, "JPEG")
    exif = b"Exif\x00\x00" + b"MM\x00\x2a\x00\x00\x00\x08" + b"\x00\x05" + b"\x01\x12\x00\x03"
    data = output.getvalue()
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif + data[2:]
