"""A report over WeChat with a shared location and a photo, on the running bot, to the bundled events backend: the
location message fills the place, the photo (a phone's JPEG carrying GPS in its EXIF) is fetched from WeChat's
temporary media, and the event arrives with lat/long and a media_url that serves the photo without EXIF."""
import random
import re
from typing import Optional

import pytest
import requests

from bot.governance import ReportQueue
from bot.reporting.ticket import find_ticket_no
from tests.photos import pictures
from tests.reporting.test_report_stack import wait_for_status
from tests.wechat.wechat_server import image_xml, location_xml, new_openid, text_xml

pytestmark = pytest.mark.stack


class Resident:
    """One WeChat user writing to the running bot; each message's answer, passive or (when slow) sent later."""

    def __init__(self, wechat, wechat_api):
        self.wechat, self.api, self.openid = wechat, wechat_api, new_openid()

    def sends(self, xml: str) -> str:
        before = len(self.api.messages_to(self.openid))
        text = self.wechat.reply_text(self.wechat.post(xml, timeout=30))
        if text is None:
            late = self.api.wait_for_messages(self.openid, before + 1)[before:]
            text = "\n".join(message.content for message in late)
        return text

    def says(self, words: str) -> str:
        return self.sends(text_xml(self.openid, words))

    def picks(self, answer: str, title: str) -> str:
        """The numbered option `title` of `answer`, by its number as a resident replies."""
        number: Optional[str] = next(iter(re.findall(rf"(\d+)\. {re.escape(title)}\n?", answer)), None)
        assert number, (title, answer)
        return self.says(number)


def test_a_wechat_report_with_a_location_and_a_photo_reaches_the_backend_with_both(stack, wechat, wechat_api):
    resident = Resident(wechat, wechat_api)
    # Somewhere of its own, so that no earlier report is offered as the same problem.
    latitude, longitude = round(30.2 + random.random() / 10, 6), round(120.3 + random.random() / 10, 6)
    label = f"前进街道前悦社区{random.randrange(1, 99)}幢东侧"

    assert "「公共设施」" in resident.says("小区门口路灯坏了好几天了，晚上很黑")
    asked_place = resident.says("是的")
    assert "问题在什么地方" in asked_place
    asked_photo = resident.sends(location_xml(resident.openid, str(latitude), str(longitude), label))
    assert "位置收到了" in asked_photo and label in asked_photo
    media_id = wechat_api.add_media(pictures.jpeg_with_gps())
    received = resident.sends(image_xml(resident.openid, media_id=media_id, pic_url=wechat_api.pic_url))
    assert "照片收到了（第1张）" in received
    asked_phone = resident.picks(received, "好了")
    summary = resident.says("不留") if "电话" in asked_phone else asked_phone
    assert "照片：1张" in summary
    ticket = find_ticket_no(resident.picks(summary, "确认提交"))
    assert ticket

    queue = ReportQueue.from_url(f"sqlite:///{stack.data_dir / 'governance.db'}")
    try:
        view = wait_for_status(queue, ticket, "已转派")
        assert view.status_label == "已转派", view
        assert (view.latitude, view.longitude) == (latitude, longitude)
        request_id = view.history[-1].note.split("事件编号 ")[1].rstrip("）")
    finally:
        queue.close()
    event = requests.get(f"{stack.events_backend_url}/requests/{request_id}.json",
                         params={"api_key": stack.env["EVENTS_BACKEND_API_KEY"]}, timeout=5).json()[0]
    assert (event["lat"], event["long"]) == (latitude, longitude)
    photo = requests.get(event["media_url"], timeout=10)
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/jpeg"
    assert b"Exif" not in photo.content and pictures.CAMERA.encode() not in photo.content
    assert wechat_api.pic_url_requests == 0
