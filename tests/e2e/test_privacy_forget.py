"""`python -m bot privacy forget <ticket>` on the running bot: a resident files a report through REST with their
phone, staff forget them by ticket number, and neither the conversation store, the queue nor the bundled events
backend holds any trace of the phone or the resident's words."""
import random
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
import requests

from bot.benchmarks.stack import reply_text
from bot.governance import ReportQueue
from bot.reporting.ticket import find_ticket_no
from bot.settings import PROJECT_ROOT
from tests.conftest import new_sender
from tests.reporting.test_report_stack import report_until_summary, tap, wait_for_status

pytestmark = pytest.mark.stack

PLACE = "前悦社区南门口"


def rows_with(path, sql_like: str, *columns_of_tables) -> list:
    """Every row of the SQLite file at `path` where one of the named text columns contains `sql_like`."""
    found = []
    with closing(sqlite3.connect(path)) as connection:
        for table, column in columns_of_tables:
            found += connection.execute(f"SELECT * FROM {table} WHERE {column} LIKE ?", (f"%{sql_like}%",)).fetchall()
    return found


def test_forgetting_a_resident_by_ticket_leaves_no_trace_of_them(stack):
    sender = new_sender()
    phone = f"139{random.randrange(10 ** 8):08d}"
    summary = report_until_summary(stack, sender, phone=phone)
    ticket = find_ticket_no(reply_text(tap(stack, sender, summary, "确认提交")))
    stack.say(sender, f"我的手机号是 {phone}，{PLACE}晚上很黑")  # the phone said once more, outside the form
    queue = ReportQueue.from_url(f"sqlite:///{stack.data_dir / 'governance.db'}")
    try:
        assert wait_for_status(queue, ticket, "已转派").status_label == "已转派"
        request_id = queue.get(ticket).history[-1].note.split("事件编号 ")[1].rstrip("）")
    finally:
        queue.close()
    tracker, governance, backend = (stack.data_dir / name for name in ("tracker.db", "governance.db",
                                                                        "events_backend.db"))
    assert rows_with(tracker, sender, ("events", "sender_id"))
    assert rows_with(backend, phone, ("requests", "phone"))

    forgot = subprocess.run([sys.executable, "-m", "bot", "privacy", "forget", ticket.lower(), "--yes"],
                            cwd=PROJECT_ROOT, env=stack.env, capture_output=True, text=True, timeout=60)

    assert forgot.returncode == 0, forgot.stdout + forgot.stderr
    assert f"已删除对话 {sender} 的个人信息" in forgot.stdout
    assert f"工单 1 件：{ticket}" in forgot.stdout and f"本地事件平台的副本 1 件：{request_id}" in forgot.stdout
    assert rows_with(tracker, sender, ("events", "sender_id")) == []
    assert rows_with(governance, ticket, ("reports", "ticket_no")) == []
    assert rows_with(backend, ticket, ("requests", "ticket_no")) == []
    for trace in (phone, f"{phone[:3]}****{phone[-4:]}"):
        assert rows_with(tracker, trace, ("events", "data")) == []
        assert rows_with(governance, trace, ("reports", "phone"), ("reports", "description"), ("reports", "location"),
                         ("status_changes", "note"), ("delivery_attempts", "error"), ("outbox", "last_error")) == []
        assert rows_with(backend, trace, ("requests", "phone"), ("requests", "description")) == []
    shown = requests.get(f"{stack.events_backend_url}/requests/{request_id}.json",
                         params={"api_key": stack.env["EVENTS_BACKEND_API_KEY"]}, timeout=5)
    assert shown.status_code == 404


def test_the_outbox_worker_of_the_running_bot_applies_retention(stack):
    assert "retention: deleted 0 conversations" in stack.log()
