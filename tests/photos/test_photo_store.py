"""Accepting a photo: real files made with Pillow go through the checks, and what is stored (file and row) is the
picture alone, upright, without EXIF, GPS or colour profile; everything else is refused with a Chinese reason."""
import io
from datetime import timedelta

import pytest
from PIL import Image, ImageCms
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from bot.governance import erasure
from bot.governance.models import Photo
from bot.personal_data.limits import RetentionLimits
from bot.photos import texts
from bot.photos.images import MAX_PHOTO_BYTES, PhotoRejected
from bot.photos.store import NAME_PATTERN, PENDING_FOR, served_file
from tests.governance.conftest import draft
from tests.photos import pictures

CONVERSATION = "wechat:o6_resident_photo_test"


def rows(queue):
    with queue.reading() as session:
        return list(session.scalars(select(Photo).order_by(Photo.id)))


def test_a_jpeg_with_gps_is_stored_without_exif_and_upright(photos, queue):
    original = pictures.jpeg_with_gps(size=(640, 480), orientation=6)  # taken with the phone turned
    assert b"Exif" in original and pictures.CAMERA.encode() in original
    stored = photos.accept(CONVERSATION, original)

    path = photos.path(stored.token, stored.content_type)
    kept = path.read_bytes()
    assert b"Exif" not in kept and pictures.CAMERA.encode() not in kept
    with Image.open(path) as image:
        assert image.format == "JPEG"
        assert not image.getexif() and image.getexif().get_ifd(pictures.GPS_INFO_TAG) == {}
        assert not {"exif", "icc_profile", "xmp"} & set(image.info)
        assert image.size == (480, 640)  # turned upright: orientation 6 is a quarter turn
        image.load()
    assert stored.content_type == "image/jpeg" and (stored.width, stored.height) == (480, 640)
    [row] = rows(queue)
    assert (row.token, row.conversation, row.report_id, row.content_type) == (
        stored.token, CONVERSATION, None, "image/jpeg")
    assert (row.size, row.width, row.height) == (len(kept), 480, 640)
    assert NAME_PATTERN.fullmatch(path.name)
    assert list(photos.directory.iterdir()) == [path]  # no temporary file left behind


def test_a_png_stays_a_png_and_a_webp_a_webp_without_metadata(photos):
    png = photos.accept(CONVERSATION, pictures.png())
    webp = photos.accept(CONVERSATION, pictures.webp())
    assert (png.content_type, webp.content_type) == ("image/png", "image/webp")
    with Image.open(photos.path(png.token, png.content_type)) as image:
        assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (300, 200))
    webp_bytes = photos.path(webp.token, webp.content_type).read_bytes()
    assert b"EXIF" not in webp_bytes and b"Exif" not in webp_bytes
    with Image.open(io.BytesIO(webp_bytes)) as image:
        assert image.format == "WEBP" and not image.getexif() and image.size == (320, 240)


def test_a_colour_profile_is_applied_and_left_out(photos):
    image = Image.new("RGB", (64, 48), (120, 40, 200))
    output = io.BytesIO()
    image.save(output, "JPEG", icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    assert b"ICC_PROFILE" in output.getvalue()
    stored = photos.accept(CONVERSATION, output.getvalue())
    kept = photos.path(stored.token, stored.content_type).read_bytes()
    assert b"ICC_PROFILE" not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert "icc_profile" not in image.info and image.size == (64, 48)


def test_a_photo_with_corrupt_exif_is_taken_with_its_exif_left_out(photos):
    stored = photos.accept(CONVERSATION, pictures.jpeg_with_corrupt_exif())
    assert b"Exif" not in photos.path(stored.token, stored.content_type).read_bytes()
    assert (stored.width, stored.height) == (40, 30)


def test_each_photo_gets_its_own_unguessable_token(photos):
    tokens = {photos.accept(CONVERSATION, pictures.png()).token for _ in range(3)}
    assert len(tokens) == 3 and all(len(token) == 32 for token in tokens)


@pytest.mark.parametrize("data, reason", [
    (pictures.truncated_jpeg(), texts.DAMAGED),
    (pictures.twelve_megabytes(), texts.TOO_LARGE),
    (pictures.text_renamed_jpg(), texts.NOT_AN_IMAGE),
    (pictures.decompression_bomb(30_000), texts.TOO_MANY_PIXELS),  # past Pillow's own limit
    (pictures.decompression_bomb(8_000), texts.TOO_MANY_PIXELS),  # 64 megapixels: past ours
    (b"", texts.NOT_AN_IMAGE),
    (b"GIF89a" + bytes(100), texts.NOT_AN_IMAGE),
], ids=["truncated", "12MB", "text-renamed-jpg", "bomb", "64-megapixels", "empty", "gif"])
def test_what_is_not_a_photo_we_take_is_refused_in_chinese_and_nothing_is_kept(photos, queue, data, reason):
    with pytest.raises(PhotoRejected) as refused:
        photos.accept(CONVERSATION, data)
    assert refused.value.message == reason
    assert rows(queue) == [] and list(photos.directory.iterdir()) == []


def test_the_size_limit_is_ten_megabytes_exactly(photos):
    assert len(pictures.twelve_megabytes()) > MAX_PHOTO_BYTES == 10 * 1024 * 1024
    with pytest.raises(PhotoRejected):
        photos.accept(CONVERSATION, pictures.jpeg_with_gps() + bytes(MAX_PHOTO_BYTES))


def test_a_photo_whose_row_cannot_be_written_leaves_no_file(photos, queue):
    with queue.writing() as session:
        session.execute(text("DROP TABLE photos"))
    with pytest.raises(DBAPIError):
        photos.accept(CONVERSATION, pictures.png())
    assert list(photos.directory.iterdir()) == []


def test_served_file_names_only_our_files(photos):
    stored = photos.accept(CONVERSATION, pictures.png())
    name = f"{stored.token}.png"
    assert served_file(photos.directory, name) == (photos.directory / name, "image/png")
    for bad in (f"{stored.token}.jpg", f"{stored.token}.PNG", f"../{name}", f"{stored.token[:-1]}.png",
                f"{stored.token}x.png", f"{stored.token}.png/", "..", f"{stored.token}.png.bak", ""):
        assert served_file(photos.directory, bad) is None, bad


def test_deleting_by_conversation_removes_files_then_rows(photos, queue):
    mine = [photos.accept(CONVERSATION, pictures.png()) for _ in range(2)]
    other = photos.accept("widget:someone-else", pictures.png())
    assert photos.delete_of_conversation(CONVERSATION) == 2
    assert [row.token for row in rows(queue)] == [other.token]
    assert [path.name for path in photos.directory.iterdir()] == [f"{other.token}.png"]
    assert not any(photos.path(photo.token, photo.content_type).exists() for photo in mine)


def _age(queue, token: str, age: timedelta) -> None:
    with queue.writing() as session:
        session.execute(Photo.__table__.update().where(Photo.token == token).values(created_at=queue.clock() - age))


def test_pending_photos_go_after_a_day_and_filed_ones_stay(photos, queue):
    old, new, filed = (photos.accept(CONVERSATION, pictures.png()) for _ in range(3))
    queue.submit(draft(sender_id=CONVERSATION, photos=(filed.token,)))
    for photo in (old, filed):
        _age(queue, photo.token, PENDING_FOR + timedelta(minutes=1))
    assert photos.delete_pending(queue.clock()) == 1
    assert [row.token for row in rows(queue)] == [new.token, filed.token]
    assert not photos.path(old.token, old.content_type).exists()
    assert photos.path(filed.token, filed.content_type).exists()


def test_a_reports_photos_go_when_retention_erases_its_words(photos, queue):
    kept, erased = (photos.accept(CONVERSATION, pictures.png()) for _ in range(2))
    open_report = queue.submit(draft(sender_id=CONVERSATION, photos=(kept.token,)))
    closed_report = queue.submit(draft(sender_id=CONVERSATION, photos=(erased.token,)))
    queue.set_status(closed_report.ticket_no, "closed")
    later = queue.clock() + timedelta(days=400)
    limits = RetentionLimits(conversation_days=30, closed_report_days=180, open_report_days=365)
    assert erasure.erase_expired(queue, limits, later) == (1, 1)
    assert photos.delete_of_erased_reports() == 1
    assert [row.token for row in rows(queue)] == [kept.token]
    assert queue.get(open_report.ticket_no).photos == (kept.token,)
    assert queue.get(closed_report.ticket_no).photos == ()
    assert [path.name for path in photos.directory.iterdir()] == [f"{kept.token}.png"]
