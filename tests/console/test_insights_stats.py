"""The 运行情况 figures (bot/console/stats.py) over real databases (SQLite and PostgreSQL) written by the project's
own code: the conversation store by the Rasa server's store class, the reports by the queue's submit, set_status
and rate; and the SVG charts drawn from them (bot/console/charts.py): well-formed, self-contained, with their
tables."""
import time
import uuid
import xml.etree.ElementTree as ElementTree
from datetime import date, datetime, timedelta, timezone
from typing import List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.console import charts, stats
from bot.conversation_store import connect
from bot.governance import ReportDraft, ReportQueue
from bot.governance.clock import SHANGHAI
from bot.knowledge import texts as knowledge_texts
from bot.rasa.tracker_store import ConversationStore

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
DAYS = stats.last_days(NOW)
ANSWER = "前进街道的老年食堂在……\n（来源：……）"


def at(days_ago: float, hour: int = 9) -> float:
    """A Unix time `days_ago` local days before NOW's day, at `hour`."""
    return (datetime.combine(NOW.date(), datetime.min.time(), SHANGHAI).replace(hour=hour)
            - timedelta(days=days_ago)).timestamp()


def asked(text: str, when: float, intent: str, confidence: float = 0.9) -> UserUttered:
    parsed = {"name": intent, "confidence": confidence}
    return UserUttered(text, intent=parsed, parse_data={"intent": parsed, "entities": [], "text": text,
                                                        "intent_ranking": [parsed]}, timestamp=when)


def said(text: str, when: float, *payloads: str) -> BotUttered:
    return BotUttered(text, data={"buttons": [{"title": p, "payload": p} for p in payloads]}, timestamp=when)


@pytest.fixture(params=["sqlite", "postgresql"])
async def conversations(request, tmp_path):
    """Four conversations, as the Rasa server's store (bot/rasa/tracker_store.py) writes them."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tracker.db'}"
        store = ConversationStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    else:
        url = request.getfixturevalue("postgres").create_database(f"insights_{time.monotonic_ns()}")
        store = ConversationStore(Domain.empty(), host=url)
    histories = {
        "rest-1": [
            asked("老年食堂在哪", at(0), "ask_elderly_lunch"), said(ANSWER, at(0) + 1),
            asked("/ask_elderly_day_care", at(0) + 5, "ask_elderly_day_care", 1.0), said(ANSWER, at(0) + 6),
            asked("游泳馆开门吗", at(0) + 10, "out_of_scope"),
            said(knowledge_texts.OUTSIDE_WHAT_I_KNOW, at(0) + 11, "/report_problem", "/ask_capabilities"),
        ],
        "rest-2": [
            asked("老人吃饭", at(1), "nlu_fallback", 0.3),
            said(knowledge_texts.SUGGEST, at(1) + 1, "/ask_elderly_lunch", "/deny"),
            asked("老年食堂几点开", at(1) + 20, "ask_elderly_lunch"), said(ANSWER, at(1) + 21),
            asked("我要反映问题", at(1) + 30, "report_problem"), said("请描述一下问题", at(1) + 31),
            ActiveLoop("report_form", timestamp=at(1) + 31),
            asked("3幢门口路灯坏了", at(1) + 40, "nlu_fallback", 0.2), said("在哪里？", at(1) + 41),
            asked("电话13812345678", at(1) + 50, "nlu_fallback", 0.2), said("确认提交吗？", at(1) + 51),
            ActiveLoop(None, timestamp=at(1) + 60),
            asked("你好", at(1) + 70, "greet"),  # no reply stored: not understood
        ],
        "rest-3": [
            ActiveLoop("consult_form", timestamp=at(2)),
            SessionStarted(timestamp=at(2) + 1),
            asked("化粪池满了怎么办", at(2) + 5, "nlu_fallback", 0.4),
            said(knowledge_texts.OUTSIDE_WHAT_I_KNOW, at(2) + 6),
        ],
        "rest-old": [asked("老年食堂在哪", at(30), "ask_elderly_lunch"), said(ANSWER, at(30) + 1)],
    }
    for sender_id, events in histories.items():
        await store.save(DialogueStateTracker.from_events(sender_id, events))
    store.engine.dispose()
    engine = connect(url)
    yield engine
    engine.dispose()


def test_questions_per_day_how_they_went_and_the_topics(conversations):
    asked = stats.questions(conversations, DAYS)

    assert len(asked.per_day) == 30 and asked.per_day[0][0] == date(2026, 11, 1)
    assert asked.per_day[-3:] == [(date(2026, 11, 28), 1), (date(2026, 11, 29), 4), (date(2026, 11, 30), 2)]
    assert asked.total == 7  # no button tap, no answer to a form, nothing before the 30 days
    assert asked.outcomes == {stats.ANSWERED: 3, stats.OFFERED: 1, stats.NOT_UNDERSTOOD: 3}
    assert asked.topics[:2] == [("ask_elderly_lunch", 2), ("nlu_fallback", 2)]
    assert dict(asked.topics)["out_of_scope"] == 1 and "ask_elderly_day_care" not in dict(asked.topics)


def test_no_conversations_yet(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'tracker.db'}")

    asked = stats.questions(engine, DAYS)

    assert asked.total == 0 and asked.topics == [] and set(asked.outcomes.values()) == {0}
    assert not (tmp_path / "tracker.db").exists()


@pytest.mark.parametrize("reply, outcome", [
    (knowledge_texts.SUGGEST, stats.OFFERED),
    (knowledge_texts.OUTSIDE_WHAT_I_KNOW + "\n这个问题我还是答不上来。", stats.NOT_UNDERSTOOD),
    (knowledge_texts.FALLBACK, stats.NOT_UNDERSTOOD),
    ("抱歉，我没能理解您的问题。您可以换个说法再问一次，或者咨询您所在的村（社区）或前进街道办事处。", stats.NOT_UNDERSTOOD),
    ("", stats.NOT_UNDERSTOOD),
    (ANSWER, stats.ANSWERED),
])
def test_how_a_question_went_is_read_from_the_first_reply(reply, outcome):
    assert stats.outcome_of(reply) == outcome


@pytest.fixture
def queue(database_url):
    """A fresh governance database, SQLite and PostgreSQL (tests/governance/conftest.py)."""
    queue = ReportQueue.from_url(database_url)
    yield queue
    queue.close()


def file_report(queue: ReportQueue, when: datetime, category: str, sender: str = "rest-1") -> str:
    queue.clock = lambda: when
    return queue.submit(ReportDraft(sender, category, "前悦社区3幢", "楼道里堆满了纸箱。", None, "rest",
                                    uuid.uuid4().hex)).ticket_no


def close(queue: ReportQueue, ticket_no: str, when: datetime) -> None:
    queue.clock = lambda: when
    queue.set_status(ticket_no, "已办结", "已清理")


def test_reports_by_category_and_status_closing_times_and_ratings(queue):
    start = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)
    safety = [file_report(queue, start, "安全隐患", f"rest-{n}") for n in range(3)]
    dirty = file_report(queue, start, "环境卫生", "rest-9")
    old = file_report(queue, datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI), "交通停车", "rest-8")
    close(queue, safety[0], start + timedelta(hours=2))
    close(queue, safety[1], start + timedelta(hours=10))
    close(queue, safety[2], start + timedelta(hours=30))
    queue.clock = lambda: start + timedelta(hours=31)
    queue.set_status(safety[2], "处理中", "居民说还没好")  # reopened: the first closing counts
    close(queue, safety[2], start + timedelta(hours=50))
    close(queue, old, datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI))  # filed before, closed within the 30 days
    queue.clock = lambda: start + timedelta(days=2)
    queue.rate("rest-0", "满意")
    queue.rate("rest-1", "不满意")
    queue.rate("rest-8", "基本满意")

    figures = stats.reports(queue, DAYS)

    assert dict(figures.by_category) == {"安全隐患": 3, "矛盾纠纷": 0, "环境卫生": 1, "交通停车": 0, "公共设施": 0,
                                         "其他": 0}
    assert figures.by_status == [("received", 1), ("dispatched", 0), ("in_progress", 0), ("closed", 3)]
    assert queue.get(dirty).status == "received"
    assert figures.closing == stats.Closing(4, timedelta(hours=20))  # 2, 10, 30 hours and 32 days
    assert figures.closing_by_category == [("安全隐患", stats.Closing(3, timedelta(hours=10))),
                                           ("交通停车", stats.Closing(1, timedelta(days=32)))]
    assert [(group.category, dict(group.ratings)) for group in figures.ratings] == [
        ("安全隐患", {"满意": 1, "不满意": 1}), ("交通停车", {"基本满意": 1})]


def test_the_thirty_days_end_today_in_shanghai():
    late_evening_utc = datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)  # already 1 December in Shanghai

    days = stats.last_days(late_evening_utc)

    assert (days[0], days[-1], len(days)) == (date(2026, 11, 2), date(2026, 12, 1), 30)


# --- the charts ---------------------------------------------------------------------------------------------


def svg_of(figure: str) -> ElementTree.Element:
    start, end = figure.index("<svg"), figure.index("</svg>") + len("</svg>")
    return ElementTree.fromstring(figure[start:end])


def drawn_charts() -> List[str]:
    rows = [("安全隐患", 3.0), ("一个很长很长很长很长很长很长很长很长的类别名字", 12.0), ("<b>&", 0.0)]
    return [
        charts.bars("a", "新工单", rows, ("类别", "件数"), "共 15 件"),
        charts.columns("b", "每天", [(f"11-{day:02d}", float(day % 4)) for day in range(1, 31)], ("日期", "提问数"),
                       "共 45 条"),
        charts.shares("c", "满意度", [("安全隐患", [("满意", 2), ("基本满意", 1), ("不满意", 1)]),
                                     ("环境卫生", [("满意", 0), ("基本满意", 0), ("不满意", 3)])], "共 7 件", "类别"),
    ]


@pytest.mark.parametrize("index", range(3))
def test_a_chart_is_well_formed_svg_named_for_screen_readers_and_refers_to_nothing_outside(index):
    figure = drawn_charts()[index]
    svg = svg_of(figure)
    ns = "{http://www.w3.org/2000/svg}"

    assert svg.tag == f"{ns}svg" and svg.get("role") == "img"
    title = svg.find(f"{ns}title")
    assert title is not None and title.get("id") == svg.get("aria-labelledby") and title.text.startswith("共")
    for element in svg.iter():
        for name, value in element.attrib.items():
            assert "href" not in name and "url(" not in value and "http" not in value.replace(
                "http://www.w3.org/2000/svg", "")
        assert not element.tag.endswith(("image", "script", "foreignObject", "use", "style"))
    assert "style=" not in figure and "<script" not in figure


def test_every_figure_is_in_its_table_and_text_is_escaped():
    bars, columns, shares = drawn_charts()

    assert "<summary>查看数据表</summary>" in bars
    assert '<th scope="row">一个很长很长很长很长很长很长很长很长的类别名字</th><td>12</td>' in bars
    assert ">一个很长很长很长很长很长很长很长很…</text>" in bars  # shortened in the drawing, whole in the table
    assert "&lt;b&gt;&amp;" in bars and "<b>" not in bars
    assert columns.count("<tr><th scope=\"row\">11-") == 30
    assert '<th scope="row">安全隐患</th><td>2（50%）</td><td>1（25%）</td><td>1（25%）</td><td>4</td>' in shares
    assert '<th scope="row">环境卫生</th><td>0（0%）</td><td>0（0%）</td><td>3（100%）</td><td>3</td>' in shares


def test_a_chart_without_figures_says_so_instead():
    assert charts.bars("x", "新工单", [], ("类别", "件数"), "", empty="过去 30 天还没有数据。") == (
        '<section class="chart card"><h2>新工单</h2><p class="muted">过去 30 天还没有数据。</p></section>')
    assert "<svg" not in charts.shares("y", "满意度", [("安全隐患", [("满意", 0)])], "", "类别", empty="无")
