"""The console's 居民在问, 知识库 and 运行情况 pages over HTTP, on the real console server (tests/console/conftest.py)
with a conversation store written by the Rasa server's store class and a copy of the knowledge base.
The browser test with the running bot is tests/console/test_insights_browser.py."""
import asyncio
import html
import re
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import settings
from bot.console import audit
from bot.console.try_question import PARSE_PATH
from bot.governance import ReportDraft
from bot.governance.clock import local, now
from bot.governance.consultations import ConsultationDesk
from bot.knowledge import texts as knowledge_texts
from bot.rasa.tracker_store import ConversationStore
from tests.conftest import PROJECT_ROOT, free_port

QUESTION = "社区有没有老年食堂我爸82岁"
STAFF_ANSWER = "有的。前悦社区的老年食堂中午开放，80岁以上老人免费。"


def text_of(page: str) -> str:
    """What a reader sees: tags dropped, entities decoded, spacing collapsed."""
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def asked(text, when, intent, confidence):
    parsed = {"name": intent, "confidence": confidence}
    return UserUttered(text, intent=parsed, parse_data={"intent": parsed, "entities": [], "text": text,
                                                        "intent_ranking": [parsed]}, timestamp=when)


def store_conversations(path, trackers) -> None:
    """Save `trackers` with the Rasa server's store class, on a thread of its own: the browser tests' Playwright
    keeps an event loop running on this one."""

    async def save() -> None:
        store = ConversationStore(Domain.empty(), dialect="sqlite", db=str(path))
        for tracker in trackers:
            await store.save(tracker)
        store.engine.dispose()

    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, save()).result()


@pytest.fixture
def insights(console, tmp_path, monkeypatch):
    """The console reading a conversation store with unanswered questions, and a knowledge base of its own."""
    path = tmp_path / "tracker.db"
    moment = now().timestamp() - 3600
    trackers = [
        DialogueStateTracker.from_events(f"rest-{number}", [
            asked(QUESTION, moment + number, "nlu_fallback", 0.3),
            BotUttered(knowledge_texts.OUTSIDE_WHAT_I_KNOW, timestamp=moment + number + 1),
        ])
        for number in range(3)
    ]
    trackers.append(DialogueStateTracker.from_events("rest-9", [
        asked("游泳馆几点开门 电话13812345678", moment, "out_of_scope", 0.9),
        BotUttered(knowledge_texts.SUGGEST, timestamp=moment + 1),
        ActiveLoop("report_form", timestamp=moment + 2),
        asked("前悦社区3幢门口", moment + 3, "nlu_fallback", 0.2),
        ActiveLoop(None, timestamp=moment + 4),
        asked("<img src=x onerror=alert(1)>门票", moment + 5, "nlu_fallback", 0.2),
    ]))
    store_conversations(path, trackers)
    # A copy of the project's knowledge and training data, where the console runs (paths are shown from there).
    project = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT / "knowledge", project / "knowledge", ignore=shutil.ignore_patterns("drafts"))
    shutil.copytree(PROJECT_ROOT / "data", project / "data")
    shutil.copy(PROJECT_ROOT / "domain.yml", project / "domain.yml")
    monkeypatch.setattr(settings, "PROJECT_ROOT", project)
    monkeypatch.chdir(project)
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("KNOWLEDGE_DIR", "knowledge")
    return console


def test_asks_lists_unanswered_questions_most_frequent_first_without_form_answers_or_phones(insights):
    page = text_of(insights.get(insights.signed_in(), "/asks").text)

    assert "居民在问" in page
    assert page.index(QUESTION) < page.index("游泳馆几点开门")
    assert f"3 {local(now()):%Y-%m-%d}" in page
    assert "电话138****5678" in page and "13812345678" not in page
    assert "3幢门口" not in page  # the answer to a report form's question
    assert "&lt;img src=x onerror=alert(1)&gt;门票" in insights.get(insights.signed_in("李静"), "/asks").text
    assert "还没有答复过的同类留言" in page and "生成知识草稿" not in page


def test_a_question_staff_answered_becomes_a_knowledge_draft_in_one_click(insights, tmp_path):
    desk = ConsultationDesk(insights.queue)
    number = desk.open("rest-0", "rest", QUESTION).number
    desk.answer(number, STAFF_ANSWER, "李明")
    session = insights.signed_in()
    page = insights.get(session, "/asks").text
    assert f'name="number" value="{number}"' in page and STAFF_ANSWER in page

    reply = insights.post(session, "/asks/draft", {"number": number, "csrf_token": insights.csrf(session, "/asks")})

    assert reply.status_code == 303 and reply.headers["Location"] == f"/asks?draft={number}"
    draft = tmp_path / "project" / "knowledge" / "drafts" / f"{number}.yml"
    assert f"staff_answer: {number}" in draft.read_text(encoding="utf-8")
    shown = text_of(insights.get(session, reply.headers["Location"]).text)
    assert f"草稿已写入 knowledge/drafts/{number}.yml，请审核修改；它不会自动上线。" in shown
    assert "上线前还要：" in shown and "facts 里写上答复的要点" in shown and "staff_answers.yml" in shown
    assert f"草稿已生成：knowledge/drafts/{number}.yml" in shown
    entries, _ = audit.entries(queue=insights.queue)
    assert [(entry.account, entry.action, entry.target) for entry in entries][0] == ("王芳", "draft_knowledge", number)

    again = insights.post(session, "/asks/draft", {"number": number, "csrf_token": insights.csrf(session, "/asks")})
    assert again.status_code == 409 and "已经存在（可能已经改过）" in text_of(again.text)


def test_an_unanswered_consultation_cannot_be_drafted(insights):
    number = ConsultationDesk(insights.queue).open("rest-0", "rest", QUESTION).number
    session = insights.signed_in()

    reply = insights.post(session, "/asks/draft", {"number": number, "csrf_token": insights.csrf(session, "/asks")})

    assert reply.status_code == 409 and "还没有答复，不能生成草稿" in text_of(reply.text)


def test_asks_without_any_conversation_yet_says_so(insights, monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'none.db'}")

    page = text_of(insights.get(insights.signed_in(), "/asks").text)

    assert "找不到对话记录数据库" in page and "最近没有机器人答不上来的问题。" in page


def test_knowledge_shows_each_entry_as_residents_read_it_and_where_to_edit_it(insights):
    page = insights.get(insights.signed_in(), "/knowledge").text
    shown = text_of(page)

    assert "知识库检查通过：" in shown
    assert "修改： knowledge/elderly.yml 中 id 为 elderly_lunch 的条目" in shown
    entry = page[page.index('id="entry-elderly_lunch"'):]
    entry = entry[:entry.index("</article>")]
    assert "（来源：" in entry and 'class="chip"' in entry


def test_knowledge_lists_every_problem_check_finds(insights, tmp_path):
    broken = tmp_path / "project" / "knowledge" / "elderly.yml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")

    shown = text_of(insights.get(insights.signed_in(), "/knowledge").text)

    assert "知识库有" in shown and "处问题" in shown and "knowledge/elderly.yml 第1条" in shown


def test_trying_a_question_with_the_bot_stopped_says_how_to_start_it(insights, monkeypatch):
    monkeypatch.setenv("RASA_HOST", "127.0.0.1")
    monkeypatch.setenv("RASA_PORT", str(free_port()))
    session = insights.signed_in()

    reply = insights.get(session, "/knowledge/try", params={"question": "老年食堂在哪"})

    assert reply.status_code == 200
    assert "连不上机器人" in text_of(reply.text) and "make run" in text_of(reply.text)
    assert PARSE_PATH in text_of(reply.text)


def test_trying_nothing_asks_for_a_question(insights):
    session = insights.signed_in()

    reply = insights.get(session, "/knowledge/try", params={"question": "  "})

    assert "请先输入一个问题。" in text_of(reply.text)


def test_dashboard_draws_the_last_thirty_days(insights):
    insights.queue.submit(ReportDraft("rest-1", "环境卫生", "前悦社区3幢", "垃圾没人收。", None, "rest", uuid.uuid4().hex))
    ticket = insights.queue.submit(
        ReportDraft("rest-2", "安全隐患", "前新社区", "楼道堆物。", None, "rest", uuid.uuid4().hex)).ticket_no
    insights.queue.clock = lambda: now() + timedelta(hours=5)
    insights.queue.set_status(ticket, "已办结", "已清理")
    insights.queue.rate("rest-2", "满意")

    page = insights.get(insights.signed_in(), "/dashboard").text
    shown = text_of(page)

    assert page.count("<svg") == 7 and page.count("<summary>查看数据表</summary>") == 7
    assert "过去 30 天共 5 条提问" in shown
    assert "共 5 条提问：直接回答 0，给出选项 1，没能理解 4。" in shown
    assert "过去 30 天共收到 2 件工单" in shown and "1 件已办结，1 件还在办理" in shown
    assert "从受理到办结的中位数是 5 小时" in shown
    assert "共 1 件工单得到评价，其中满意 1 件" in shown
    assert "<script" not in page and "style=" not in page
