"""A WeChat conversation's retries and numbered options, read back from a real SQL tracker store."""
import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot.rasa.channels.wechat_history import ConversationHistory
from tests.conftest import PROJECT_ROOT

OPTIONS = [{"title": "90岁以上老人免费午餐", "payload": "/ask_elderly_lunch"}, {"title": "反映问题", "payload": "/report_problem"}]


@pytest.fixture
async def history(tmp_path):
    store = SQLTrackerStore(Domain.load(str(PROJECT_ROOT / "domain.yml")), dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = await store.get_or_create_tracker("wechat:o1")
    for event in [
        UserUttered("你能做什么", {"name": "ask_capabilities", "confidence": 1.0}, message_id="msg:o1:1"),
        ActionExecuted("utter_capabilities"),
        BotUttered("我可以帮您：……"),
        BotUttered("请选择：", {"buttons": OPTIONS}),
        ActionExecuted("action_listen"),
        UserUttered("谢谢", {"name": "thank", "confidence": 1.0}, message_id="msg:o1:2"),
        ActionExecuted("utter_thank"),
        BotUttered("不客气"),
        ActionExecuted("action_listen"),
    ]:
        tracker.update(event)
    await store.save(tracker)
    yield ConversationHistory(store), store
    store.engine.dispose()


async def test_a_retry_finds_the_answer_to_its_message(history):
    conversation, _ = history
    assert await conversation.answer_to("wechat:o1", "msg:o1:1") == [
        {"text": "我可以帮您：……"}, {"text": "请选择：", "buttons": OPTIONS},
    ]
    assert await conversation.answer_to("wechat:o1", "msg:o1:2") == [{"text": "不客气"}]


async def test_a_message_no_turn_has_had_is_new(history):
    conversation, _ = history
    assert await conversation.answer_to("wechat:o1", "msg:o1:3") is None
    assert await conversation.answer_to("o-stranger", "msg:o-stranger:1") is None


async def test_the_last_options_are_those_listed_since_the_latest_message(history):
    conversation, store = history
    assert await conversation.last_buttons("wechat:o1") == []  # the answer to 谢谢 listed none

    tracker = await store.retrieve("wechat:o1")
    tracker.update(UserUttered("你能做什么", {"name": "ask_capabilities", "confidence": 1.0}, message_id="msg:o1:3"))
    tracker.update(BotUttered("请选择：", {"buttons": OPTIONS}))
    await store.save(tracker)

    assert await conversation.last_buttons("wechat:o1") == OPTIONS
    assert await conversation.last_buttons("o-stranger") == []


async def test_a_conversation_that_cannot_be_read_is_handled_as_new(tmp_path, caplog):
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    store.engine.dispose()
    (tmp_path / "t.db").unlink()
    (tmp_path / "t.db").mkdir()  # the database file is gone and a directory stands in its place

    conversation = ConversationHistory(store)

    assert await conversation.answer_to("wechat:o1", "msg:o1:1") is None
    assert await conversation.last_buttons("wechat:o1") == []
    assert "could not read the conversation of a WeChat message: OperationalError" in caplog.text
