"""A second Rasa server for the WeChat tests, hosting the WeChat channel configured differently from the stack's.

The stack's Rasa server hosts the production channel with the production reply deadline (4.5 s), which real
turns never reach, so the late-reply path cannot be seen there. This process loads the stack's model with the
stack's endpoints (its conversation store, lock store and action server, from the stack's environment), as a
second Sanic worker or Rasa server does, and hosts the same `WeChatInput` with the settings given here
(`--token ""`: not configured; `--encoding-aes-key ""`: plaintext mode; `--reply-deadline 0.01 --turn-delay 0.5`:
every answer is late, since a fast machine answers a greeting within 10 ms).

    python -m tests.wechat.second_channel --port 5999 --reply-deadline 0.01 --turn-delay 0.5
WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_API_BASE_URL (and WECHAT_TOKEN, WECHAT_ENCODING_AES_KEY unless given)
come from the environment, as for the stack.
"""
import argparse
import asyncio
import logging
import os

from rasa.core.agent import load_agent
from rasa.core.channels.channel import UserMessage
from rasa.core.utils import AvailableEndpoints
from sanic import Sanic

from bot import settings
from bot.rasa.channels.wechat import WeChatInput
from bot.settings import PROJECT_ROOT
from bot.training import model_path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--reply-deadline", type=float, default=None)
    parser.add_argument("--token", default=None)
    parser.add_argument("--encoding-aes-key", default=None)
    parser.add_argument("--turn-delay", type=float, default=0, help="seconds each turn waits before Rasa answers")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    settings.load()
    os.environ["ACTION_SERVER_URL"] = settings.action_server_url()
    channel = WeChatInput.from_credentials({
        "token": settings.get("WECHAT_TOKEN") if args.token is None else args.token,
        "app_id": settings.get("WECHAT_APP_ID"),
        "app_secret": settings.get("WECHAT_APP_SECRET"),
        "encoding_aes_key": (
            settings.get("WECHAT_ENCODING_AES_KEY") if args.encoding_aes_key is None else args.encoding_aes_key
        ),
        "api_base_url": settings.get("WECHAT_API_BASE_URL"),
        "reply_deadline_seconds": args.reply_deadline,
    })
    app = Sanic("wechat_second_channel")

    @app.listener("before_server_start")
    async def load(app: Sanic, loop) -> None:
        endpoints = AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / "endpoints.yml"))
        # Where the channel reads the conversations, as on a Rasa server.
        app.ctx.agent = await load_agent(model_path=str(model_path()), endpoints=endpoints)

    async def on_new_message(message: UserMessage) -> None:
        await asyncio.sleep(args.turn_delay)
        await app.ctx.agent.handle_message(message)

    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/wechat")
    app.run(host="127.0.0.1", port=args.port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
