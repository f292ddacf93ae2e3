"""`report unanswered` over a tracker store written by Rasa's own SQLTrackerStore."""
import argparse
import sqlite3
from datetime import datetime

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation_store import default_db_url
from bot.staff_reports import cli
from bot.staff_reports.unanswered import UnansweredQuestion, find_unanswered, format_report

T0 = 1_700_000_000.0


def said(text, timestamp, intent, confidence, *guesses):
    """A resident's message as Rasa's NLU would have parsed it; `guesses` are (intent, confidence) ranked next."""
    ranking = [{"name": intent, "confidence": confidence}] + [{"name": n, "confidence": c} for n, c in guesses]
    return UserUttered(
        text,
        intent=ranking[0],
        parse_data={"intent": ranking[0], "entities": [], "text": text, "intent_ranking": ranking},
        timestamp=timestamp,
    )


def replied(timestamp):
    return [ActionExecuted("action_default_fallback", timestamp=timestamp), BotUttered("抱歉", timestamp=timestamp)]


@pytest.fixture
async def tracker_db(tmp_path):
    path = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    conversations = {
        "resident-1": [
            said("老人午餐在哪吃", T0, "nlu_fallback", 0.45, ("ask_elderly_lunch", 0.41)),
            *replied(T0 + 1),
            said("九十岁老人免费午餐", T0 + 10, "ask_elderly_lunch", 0.95),
            said("/ask_elderly_day_care", T0 + 20, "ask_elderly_day_care", 1.0),
            said("老人午餐   在哪吃 ", T0 + 100, "nlu_fallback", 0.45, ("ask_elderly_lunch", 0.38)),
            said("游泳馆开门吗", T0 + 200, "out_of_scope", 0.9, ("ask_hours", 0.05)),
            said("我家门口路灯坏了 电话13812345678", T0 + 300, "report_problem", 0.52, ("ask_contact", 0.3)),
            said("托幼班收费吗", T0 + 310, "ask_fee", 0.6),
        ],
        "resident-2": [
            said("老人午餐在哪吃", T0 + 400, "nlu_fallback", 0.45, ("ask_elderly_day_care", 0.40)),
            said("游泳馆开门吗", T0 + 50, "out_of_scope", 0.88),
            said("路灯坏了找谁 0571-86912345", T0 + 500, "ask_contact", 0.31, ("report_problem", 0.29)),
        ],
    }
    for sender_id, events in conversations.items():
        await store.save(DialogueStateTracker.from_events(sender_id, events))
    store.engine.dispose()
    return f"sqlite:///{path}"


def seen(offset):
    return datetime.fromtimestamp(T0 + offset)


def test_ranks_unanswered_questions_by_frequency_then_recency(tracker_db):
    assert find_unanswered(tracker_db) == [
        UnansweredQuestion("老人午餐在哪吃", 3, seen(400), "ask_elderly_day_care", 0.40),
        UnansweredQuestion("游泳馆开门吗", 2, seen(200), "ask_hours", 0.05),
        UnansweredQuestion("路灯坏了找谁 0571-****2345", 1, seen(500), "ask_contact", 0.31),
        UnansweredQuestion("我家门口路灯坏了电话138****5678", 1, seen(300), "report_problem", 0.52),
    ]


async def test_answers_to_a_form_are_not_unanswered_questions(tmp_path):
    path = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    await store.save(DialogueStateTracker.from_events("resident-4", [
        said("我要反映问题", T0, "report_problem", 0.9),
        ActiveLoop("report_form", timestamp=T0 + 1),
        said("3幢2单元门口", T0 + 10, "nlu_fallback", 0.3),
        said("电话13812345678", T0 + 20, "nlu_fallback", 0.2),
        ActiveLoop(None, timestamp=T0 + 30),
        said("游泳馆开门吗", T0 + 40, "out_of_scope", 0.9),
        ActiveLoop("consult_form", timestamp=T0 + 50),
        SessionStarted(timestamp=T0 + 60),
        said("化粪池满了怎么办", T0 + 70, "nlu_fallback", 0.4),
    ]))
    store.engine.dispose()

    asked = [question.text for question in find_unanswered(f"sqlite:///{path}")]

    assert asked == ["化粪池满了怎么办", "游泳馆开门吗"]


def test_threshold_and_limit(tracker_db):
    questions = find_unanswered(tracker_db, threshold=0.3, limit=3)

    assert [q.text for q in questions] == ["老人午餐在哪吃", "游泳馆开门吗"]
    assert [q.text for q in find_unanswered(tracker_db, limit=1)] == ["老人午餐在哪吃"]


def run(argv):
    parser = argparse.ArgumentParser(prog="python -m bot")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_cli_prints_the_report_with_phones_masked(tracker_db, capsys):
    assert run(["report", "unanswered", "--db", tracker_db, "--limit", "3"]) == 0

    out = capsys.readouterr().out
    assert out == format_report(find_unanswered(tracker_db, limit=3)) + "\n"
    lines = out.splitlines()
    assert lines[0] == "未答出的问题（3 种，按次数排序）："
    assert lines[2].split() == [
        "3", *f"{seen(400):%Y-%m-%d %H:%M}".split(), "ask_elderly_day_care", "(0.40)", "老人午餐在哪吃"
    ]
    assert lines[4].endswith("路灯坏了找谁 0571-****2345")
    assert "86912345" not in out and "13812345678" not in out


def test_cli_reads_tracker_store_url_from_the_environment(tracker_db, monkeypatch, capsys):
    monkeypatch.setenv("TRACKER_STORE_URL", tracker_db)

    assert default_db_url() == tracker_db
    assert run(["report", "unanswered"]) == 0
    assert "老人午餐在哪吃" in capsys.readouterr().out


def test_default_database_is_tracker_db_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_STORE_URL", "")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))

    assert default_db_url() == f"sqlite:///{tmp_path}/tracker.db"


def test_no_conversations_yet(tmp_path, capsys):
    assert run(["report", "unanswered", "--db", f"sqlite:///{tmp_path}/tracker.db"]) == 1
    assert capsys.readouterr().out == f"找不到对话记录数据库 {tmp_path}/tracker.db（还没有对话？可用 --db 指定）\n"
    assert not (tmp_path / "tracker.db").exists()


def test_database_without_events_table(tmp_path, capsys):
    sqlite3.connect(tmp_path / "other.db").execute("create table tickets (id integer)").connection.close()

    assert run(["report", "unanswered", "--db", f"sqlite:///{tmp_path}/other.db"]) == 1
    assert "里没有 events 表" in capsys.readouterr().out


def test_all_answered(tmp_path, capsys):
    connection = sqlite3.connect(tmp_path / "tracker.db")
    connection.execute(
        "create table events (id integer primary key, sender_id varchar(255) not null, type_name varchar(255) not null,"
        " timestamp float, intent_name varchar(255), action_name varchar(255), data text)"
    )
    connection.commit()
    connection.close()

    assert run(["report", "unanswered", "--db", f"sqlite:///{tmp_path}/tracker.db"]) == 0
    assert capsys.readouterr().out == "没有未答出的问题。\n"


def test_bad_database_url(capsys):
    assert run(["report", "unanswered", "--db", "not a url"]) == 1
    assert capsys.readouterr().out == "数据库地址格式不对：not a url\n"


async def test_cli_prints_no_control_characters_nor_id_or_phone_numbers(tmp_path, capsys):
    path = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    forged = "\x1b[2J\x1b[31m伪造\u202e游泳馆 身份证330102199001011234 电话1381 234 5678"
    await store.save(DialogueStateTracker.from_events("resident-3", [said(forged, T0, "nlu_fallback", 0.3)]))
    store.engine.dispose()

    assert run(["report", "unanswered", "--db", f"sqlite:///{path}"]) == 0

    out = capsys.readouterr().out
    assert "伪造游泳馆身份证[身份证号已隐藏] 电话138****5678" in out
    assert not any(char in out for char in "\x1b\u202e") and "330102199001011234" not in out
