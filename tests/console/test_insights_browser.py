"""A staff member at a tablet, in Debian's Chromium, on the console `python -m bot run` starts: signs in, tries a
question on the running bot (and no conversation is stored for it), reads the charts and their tables with the
keyboard, and sees what residents asked that the bot could not answer; and, on a console of its own with a copy of
the knowledge base, drafts a knowledge entry from a staff answer. Screenshots: tests/artifacts/console-*.png."""
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.conversation_store import connect, events
from bot.governance import ReportDraft
from bot.governance.clock import now
from bot.governance.consultations import ConsultationDesk
from tests.conftest import new_sender
from tests.console.conftest import PASSWORD, stack_console
from tests.console.test_insights_pages import QUESTION, STAFF_ANSWER, insights  # noqa: F401 (a fixture)
from tests.e2e.test_notes_stack import stack_queue

STAFF = "李静"
UNKNOWN = "火星基地的门票多少钱"
TITLE = "90周岁以上老人免费午餐"


@pytest.fixture(scope="module")
def console_url(stack) -> str:
    return stack_console(stack, STAFF)


def stored_events(stack) -> int:
    engine = connect(f"sqlite:///{stack.data_dir / 'tracker.db'}")
    try:
        with engine.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(events)).scalar_one()
    finally:
        engine.dispose()


def sign_in(page, console_url: str, path: str) -> None:
    page.goto(f"{console_url}{path}")
    page.get_by_label("用户名").fill(STAFF)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("密码").press("Enter")
    page.wait_for_url(f"{console_url}{path}")


@pytest.mark.stack
def test_try_a_question_on_the_running_bot_then_read_the_charts_and_what_residents_asked(
        stack, console_url, tablet, artifacts):
    for question in ("老年食堂在哪里", UNKNOWN, "你好"):
        stack.say(new_sender(), question)
    stack.say(new_sender(), UNKNOWN)
    queue = stack_queue(stack)
    try:
        resident = new_sender()
        ticket = queue.submit(ReportDraft(resident, "公共设施", "前进路18号", "路灯不亮了。", None, "rest",
                                          uuid.uuid4().hex)).ticket_no
        queue.clock = lambda: now() + timedelta(hours=26)
        queue.set_status(ticket, "已办结", "已更换灯泡")
        queue.rate(resident, "基本满意")
    finally:
        queue.close()

    sign_in(tablet, console_url, "/knowledge")
    assert tablet.get_by_role("heading", name="知识库", exact=True).is_visible()
    assert "知识库检查通过" in tablet.get_by_role("status").first.inner_text()
    tablet.screenshot(path=str(artifacts / "console-knowledge.png"))

    before = stored_events(stack)
    box = tablet.get_by_label("问题")
    box.fill("九十岁老人免费午餐是怎么回事")
    box.press("Enter")
    tablet.wait_for_url("**/knowledge/try?question=*")
    assert tablet.get_by_label("问题").input_value() == "九十岁老人免费午餐是怎么回事"
    tried = tablet.locator("#tried")
    assert tried.locator("#tried-topic").inner_text() == f"{TITLE}（ask_elderly_lunch）"
    assert 0 < float(tried.locator("#tried-confidence").inner_text()) <= 1
    assert "（来源：" in tried.locator(".bubble").inner_text()
    tablet.screenshot(path=str(artifacts / "console-try-a-question.png"))
    box = tablet.get_by_label("问题")
    box.fill("我家楼下路灯坏了，我要反映问题")
    box.press("Enter")
    tablet.wait_for_url("**/knowledge/try?question=*")
    assert tablet.locator("#tried-topic").inner_text() == "反映问题（report_problem）"
    assert "不是知识库问答：机器人会按对话流程处理" in tablet.locator("#tried").inner_text()
    tablet.get_by_label("问题").fill(UNKNOWN)
    tablet.get_by_label("问题").press("Enter")
    tablet.wait_for_url("**/knowledge/try?question=*")
    assert "（来源：" not in tablet.locator("#tried .bubble").inner_text()
    assert stored_events(stack) == before  # no conversation was started or added to

    tablet.get_by_role("link", name="运行情况").click()
    tablet.wait_for_url(f"{console_url}/dashboard")
    charts = tablet.locator("figure.chart svg[role=img]")
    assert charts.count() == 7
    assert "条提问" in tablet.locator("#per-day figcaption").inner_text()
    assert "从受理到办结的中位数是" in tablet.locator("#closing figcaption").inner_text()
    table = tablet.locator("#satisfaction table")
    assert not table.is_visible()
    tablet.locator("#satisfaction summary").focus()
    tablet.keyboard.press("Enter")
    assert table.is_visible() and "基本满意" in table.inner_text() and "公共设施" in table.inner_text()
    tablet.screenshot(path=str(artifacts / "console-dashboard.png"), full_page=True)

    tablet.get_by_role("link", name="居民在问").click()
    tablet.wait_for_url(f"{console_url}/asks")
    row = tablet.locator("tr", has_text=UNKNOWN)
    assert row.count() == 1 and row.locator("td").first.inner_text() == "2"
    tablet.screenshot(path=str(artifacts / "console-asks.png"), full_page=True)


def test_a_staff_answer_becomes_a_knowledge_draft_with_one_click(insights, tablet, artifacts, tmp_path):  # noqa: F811
    desk = ConsultationDesk(insights.queue)
    number = desk.open("rest-0", "rest", QUESTION).number
    desk.answer(number, STAFF_ANSWER, "李明")
    insights.add_account(STAFF)

    sign_in(tablet, insights.url, "/asks")
    row = tablet.locator("tr", has_text=QUESTION)
    assert row.locator("td").first.inner_text() == "3" and STAFF_ANSWER in row.inner_text()
    row.get_by_role("button", name=f"生成知识草稿：{number}").click()

    tablet.wait_for_url(f"{insights.url}/asks?draft={number}")
    written = tablet.locator("#draft-written")
    assert f"草稿已写入 knowledge/drafts/{number}.yml" in written.inner_text()
    assert "上线前还要" in written.inner_text() and "domain.yml 的 intents 里缺少" in written.inner_text()
    assert (tmp_path / "project" / "knowledge" / "drafts" / f"{number}.yml").is_file()
    assert f"草稿已生成：knowledge/drafts/{number}.yml" in tablet.locator("tr", has_text=QUESTION).inner_text()
    tablet.screenshot(path=str(artifacts / "console-asks-draft.png"), full_page=True)
