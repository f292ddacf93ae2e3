"""Reports filed on WeChat before conversations were named `wechat:<openid>` still belong to their resident."""
from alembic import command
from sqlalchemy import text

from bot.governance import ReportQueue, db

BEFORE = "0002"
OPENID = "oQJ9Xk2mT7cLw4pZr8sVb1nYd0aE"
REPORTS = [  # ticket, sender, channel
    ("QJ20240501-0001", OPENID, "wechat"),
    ("QJ20240501-0002", "crm-7", "rest"),
    ("QJ20240501-0003", OPENID, "rest"),  # an integration that happened to use such an id is not WeChat's
    ("QJ20240501-0004", f"wechat:{OPENID}", "wechat"),  # already named the new way: left alone
]


def _senders(engine) -> dict:
    with engine.connect() as connection:
        return dict(connection.execute(text("SELECT ticket_no, sender_id FROM reports")).all())


def _at(engine, revision: str, down: bool = False) -> None:
    with db.writer(engine).begin() as connection:
        config = db.alembic_config()
        config.attributes["connection"] = connection
        if down:
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)


def test_wechat_reports_move_to_the_wechat_conversation_and_back(database_url):
    engine = db.create_engine(database_url)
    try:
        _at(engine, BEFORE)
        with db.writer(engine).begin() as connection:
            for n, (ticket, sender, channel) in enumerate(REPORTS):
                connection.execute(text(
                    "INSERT INTO reports (ticket_no, idempotency_key, sender_id, channel, category, location,"
                    " description, status, created_at, updated_at) VALUES (:ticket, :key, :sender, :channel, '其他',"
                    " '村口', '路灯坏了', 'received', '2024-05-01 02:00:00', '2024-05-01 02:00:00')"
                ), {"ticket": ticket, "key": f"k{n}", "sender": sender, "channel": channel})

        db.upgrade_engine(engine)
        assert _senders(engine) == {
            "QJ20240501-0001": f"wechat:{OPENID}",
            "QJ20240501-0002": "crm-7",
            "QJ20240501-0003": OPENID,
            "QJ20240501-0004": f"wechat:{OPENID}",
        }
        tickets = [view.ticket_no for view in ReportQueue(engine).list_for_sender(f"wechat:{OPENID}")]
        assert sorted(tickets) == ["QJ20240501-0001", "QJ20240501-0004"]

        _at(engine, BEFORE, down=True)
        assert _senders(engine) == {ticket: sender.removeprefix("wechat:") if channel == "wechat" else sender
                                    for ticket, sender, channel in REPORTS}
    finally:
        engine.dispose()
