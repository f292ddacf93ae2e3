"""A second WeChat channel instance for the tests, configured differently from the stack's, answering through it.

The stack's Rasa server hosts the production channel with the production reply deadline (4.5 s), which real
turns never reach, so the late-reply path cannot be seen there. This process hosts the same `WeChatInput`
with the settings given here (`--token ""`: not configured; `--reply-deadline 0.01 --turn-delay 0.5`: every
answer is late, since a fast machine answers a greeting within 10 ms) and hands each turn to the stack's Rasa
over its REST channel under the same sender id, so the conversation is real. With `--tracker-db` (the stack's
SQLite conversation store) it reads the conversations as a second Sanic worker or Rasa server would.

    python -m tests.wechat.second_channel --port 5999 --rasa-url http://127.0.0.1:5005 --reply-deadline 0.01 \
        --turn-delay 0.5
WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_ENCODING_AES_KEY, WECHAT_API_BASE_URL (and WECHAT_TOKEN unless
--token is given) come from the environment, as for the stack.
"""
import argparse
import asyncio
import logging
import os
from types import SimpleNamespace

import aiohttp
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sanic import Sanic

from bot.rasa.channels.wechat import WeChatInput
from bot.settings import PROJECT_ROOT


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rasa-url", required=True)
    parser.add_argument("--reply-deadline", type=float, default=None)
    parser.add_argument("--token", default=None)
    parser.add_argument("--tracker-db", help="the stack's tracker.db, read as another Rasa process reads it")
    parser.add_argument("--turn-delay", type=float, default=0, help="seconds each turn waits before Rasa answers")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    channel = WeChatInput.from_credentials({
        "token": os.environ.get("WECHAT_TOKEN", "") if args.token is None else args.token,
        "app_id": os.environ.get("WECHAT_APP_ID", ""),
        "app_secret": os.environ.get("WECHAT_APP_SECRET", ""),
        "encoding_aes_key": os.environ.get("WECHAT_ENCODING_AES_KEY", ""),
        "api_base_url": os.environ.get("WECHAT_API_BASE_URL", ""),
        "reply_deadline_seconds": args.reply_deadline,
    })

    async def on_new_message(message: UserMessage) -> None:
        await asyncio.sleep(args.turn_delay)
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"{args.rasa_url}/webhooks/rest/webhook", json={"sender": message.sender_id, "message": message.text}
            ) as reply:
                for bot_message in await reply.json(content_type=None):
                    bot_message.pop("recipient_id", None)
                    await message.output_channel.send_response(message.sender_id, bot_message)

    app = Sanic("wechat_second_channel")
    if args.tracker_db:
        # What the channel reads of a Rasa server's agent: its tracker store.
        domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
        app.ctx.agent = SimpleNamespace(tracker_store=SQLTrackerStore(domain, dialect="sqlite", db=args.tracker_db))
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/wechat")
    app.run(host="127.0.0.1", port=args.port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
