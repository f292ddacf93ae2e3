"""Two residents report the same broken lamp at the same place, through the running bot.

The first writes from the web widget: a real photo uploaded the way the chat page does it, and the lamp's place
shared from the phone; the second writes over REST, typing the place. The second is offered the first ticket,
follows it and files nothing; a status change staff make reaches both conversations, once each.
"""
import io
import subprocess
import sys

import pytest
import requests
from PIL import Image

from bot.benchmarks.stack import WIDGET_PATH, reply_text
from bot.governance import ReportQueue
from bot.photos.payloads import location_shared
from bot.reporting import texts
from bot.reporting.ticket import find_ticket_no
from bot.settings import PROJECT_ROOT
from tests.conftest import new_sender
from tests.reporting.test_report_stack import wait_for_status

pytestmark = pytest.mark.stack

LABEL = "前进村十八组路口"
TYPED = "前进村18组路口附近"
STAFF_NOTE = "电工已安排明天上午维修"


@pytest.fixture
def queue(stack):
    opened = ReportQueue.from_url(f"sqlite:///{stack.data_dir / 'governance.db'}")
    yield opened
    opened.close()


def a_photo() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 180, 40))
    data = io.BytesIO()
    image.save(data, "JPEG")
    return data.getvalue()


def upload(stack, sender: str) -> str:
    """What the chat page does with a photo: upload it, then send the message the server answers with."""
    reply = requests.post(f"{stack.rasa_url}/webhooks/widget/photo", data=a_photo(),
                          headers={"X-Widget-Sender": sender, "Content-Type": "image/jpeg"}, timeout=30)
    reply.raise_for_status()
    return reply.json()["message"]


def on_widget(stack, sender: str, text: str) -> str:
    return reply_text(stack.say(sender, text, path=WIDGET_PATH))


def reports(queue: ReportQueue) -> int:
    return len(queue.list(limit=10_000))


def test_the_second_resident_follows_the_first_ticket_and_both_hear_of_progress_once(stack, queue):
    first = stack.widget_sender()
    assert "「公共设施」" in on_widget(stack, first, "路灯杆上的灯罩掉了，灯也不亮")
    assert texts.ASK_LOCATION in on_widget(stack, first, "对")
    asked = on_widget(stack, first, location_shared(30.2951, 120.3702, LABEL))
    assert f"地点记为「{LABEL}」" in asked and "照片" in asked
    photo_message = upload(stack, first)
    assert photo_message.startswith('/attach_photo{"photo_token": ')
    assert "照片收到了（第1张）" in on_widget(stack, first, photo_message)
    assert texts.PRIVACY_NOTICE in on_widget(stack, first, "好了")
    summary = on_widget(stack, first, "不留")
    assert f"地点：{LABEL}" in summary and "照片：1张" in summary
    filed = on_widget(stack, first, "确认")
    ticket_no = find_ticket_no(filed)
    assert ticket_no and "照片：1张" in filed
    view = wait_for_status(queue, ticket_no, "已转派")
    assert len(view.photos) == 1 and (view.latitude, view.longitude) == (30.2951, 120.3702)
    before = reports(queue)

    second = new_sender()
    stack.say(second, "晚上路灯不亮，黑漆漆的")
    assert texts.ASK_LOCATION in stack.say_text(second, "对")
    offered = stack.say_text(second, TYPED)
    assert ticket_no in offered and "已转派" in offered and "关注这个工单" in offered
    following = stack.say_text(second, "关注这个工单")
    assert f"您已关注工单 {ticket_no}" in following and "提交成功" not in following
    assert reports(queue) == before and queue.list_for_sender(second) == []
    assert queue.get(ticket_no).followers == 1

    changed = subprocess.run([sys.executable, "-m", "bot", "queue", "set-status", ticket_no, "处理中", "--note",
                              STAFF_NOTE], cwd=PROJECT_ROOT, env=stack.env, capture_output=True, text=True, timeout=60)
    assert changed.returncode == 0, changed.stdout + changed.stderr

    progress = f"{ticket_no} 有新进展：处理中"
    heard_first = on_widget(stack, first, "你好") + on_widget(stack, first, "谢谢")
    heard_second = stack.say_text(second, "你好") + stack.say_text(second, "谢谢")
    assert heard_first.count(progress) == 1 and heard_first.count(STAFF_NOTE) == 1
    assert heard_second.count(progress) == 1 and heard_second.count(STAFF_NOTE) == 1
    assert "您关注的报事工单" in heard_second and "您关注的报事工单" not in heard_first
    assert reports(queue) == before
