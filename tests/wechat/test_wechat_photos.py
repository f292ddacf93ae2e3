"""Photos and locations over WeChat: signed, encrypted messages to the channel (served from this test process),
photos fetched from the fake WeChat API's temporary media by MediaId and stored without EXIF, and what reaches the
bot: `/attach_photo{…}` or `/share_location{…}`. The bot's own answer here is a fixed text."""
import asyncio
import json
import re
from typing import List

import pytest
from PIL import Image
from sqlalchemy import select

from bot import senders
from bot.governance.models import Photo
from bot.governance.queue import open_queue
from bot.photos import texts
from bot.photos.payloads import photo_refused
from bot.photos.store import photo_dir
from tests.photos import pictures
from tests.wechat.wechat_server import image_xml, location_xml, new_msg_id, new_openid

ATTACHED = re.compile(r'/attach_photo\{"photo_token": "([A-Za-z0-9_-]{32})"\}')


@pytest.fixture(autouse=True)
def own_storage(monkeypatch, tmp_path, wechat_api):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'governance.db'}")
    monkeypatch.setenv("PHOTO_DIR", str(tmp_path / "photos"))
    yield
    wechat_api.media_delay = 0


def stored_rows():
    with open_queue().reading() as session:
        return list(session.scalars(select(Photo)))


async def deliver(served, xml: str):
    return await asyncio.to_thread(served.wechat.post, xml)


async def received(served, count: int = 1) -> List[str]:
    """What reached the bot, once `count` messages have: a turn past the 0.5 s deadline goes on after the reply."""
    for _ in range(200):
        if len(served.texts) >= count:
            break
        await asyncio.sleep(0.1)
    return served.texts


async def test_a_photo_is_fetched_by_media_id_stored_without_exif_and_attached(channel_in_process, wechat_api):
    served, openid = channel_in_process, new_openid()
    media_id = wechat_api.add_media(pictures.jpeg_with_gps())
    pic_url_requests = wechat_api.pic_url_requests

    await deliver(served, image_xml(openid, media_id=media_id, pic_url=wechat_api.pic_url))

    [text] = await received(served)
    token = ATTACHED.fullmatch(text).group(1)
    assert wechat_api.media_requests[-1] == media_id
    assert wechat_api.pic_url_requests == pic_url_requests  # PicUrl is never followed
    [row] = stored_rows()
    assert (row.token, row.conversation, row.content_type) == (token, senders.wechat_conversation(openid),
                                                               "image/jpeg")
    kept = (photo_dir() / f"{token}.jpg").read_bytes()
    assert b"Exif" not in kept and pictures.CAMERA.encode() not in kept
    with Image.open(photo_dir() / f"{token}.jpg") as image:
        assert not image.getexif() and image.size == (640, 480)


@pytest.mark.parametrize("data, reason", [
    (pictures.truncated_jpeg(), texts.DAMAGED),
    (pictures.twelve_megabytes(), texts.TOO_LARGE),
    (pictures.text_renamed_jpg(), texts.NOT_AN_IMAGE),
], ids=["truncated", "12MB", "text-renamed-jpg"])
async def test_a_file_we_do_not_take_reaches_the_bot_as_its_refusal(channel_in_process, wechat_api, data, reason):
    served = channel_in_process
    media_id = wechat_api.add_media(data, "image/jpeg")
    await deliver(served, image_xml(new_openid(), media_id=media_id))
    assert await received(served) == [photo_refused(reason)]
    assert stored_rows() == []


async def test_an_unknown_media_id_is_a_photo_not_received(channel_in_process, wechat_api):
    served = channel_in_process
    await deliver(served, image_xml(new_openid(), media_id="expired-or-made-up"))
    assert await received(served) == [photo_refused(texts.NOT_RECEIVED)]  # the form says why, and goes on
    assert json.loads(served.texts[0].removeprefix("/attach_photo")) == {"photo_error": texts.NOT_RECEIVED}


async def test_a_rejected_access_token_is_renewed_and_the_photo_fetched(channel_in_process, wechat_api):
    served = channel_in_process
    media_id = wechat_api.add_media(pictures.png(), "image/png")
    await deliver(served, image_xml(new_openid(), media_id=media_id))  # the channel now holds a token
    await received(served)
    wechat_api.revoke_tokens()
    fetches = wechat_api.token_fetches
    await deliver(served, image_xml(new_openid(), media_id=media_id))
    assert [bool(ATTACHED.fullmatch(text)) for text in await received(served, 2)] == [True, True]
    assert wechat_api.token_fetches == fetches + 1


async def test_a_slow_photo_is_answered_late_once_however_often_wechat_retries(channel_in_process, wechat_api):
    served, openid = channel_in_process, new_openid()
    media_id = wechat_api.add_media(pictures.jpeg_with_gps())
    wechat_api.media_delay = 1.5  # past the channel's 0.5 s reply deadline
    xml = image_xml(openid, media_id=media_id, msg_id=new_msg_id())

    first = await deliver(served, xml)
    retry = await deliver(served, xml)

    assert served.wechat.reply(first) is None and served.wechat.reply(retry) is None  # "success": answer comes later
    late = await asyncio.to_thread(wechat_api.wait_for_messages, openid, 1)
    assert [message.content for message in late] == [served.answer]
    assert len(served.texts) == 1 and ATTACHED.fullmatch(served.texts[0])
    assert wechat_api.media_requests.count(media_id) == 1 and len(stored_rows()) == 1


async def test_a_location_reaches_the_bot_with_its_coordinates_and_label(channel_in_process):
    served = channel_in_process
    await deliver(served, location_xml(new_openid(), "30.280000", "120.350000", "前进街道前悦社区3幢"))
    assert await received(served) == ['/share_location{"latitude": 30.28, "longitude": 120.35, '
                            '"place_label": "前进街道前悦社区3幢"}']
