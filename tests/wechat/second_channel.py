"""A second WeChat channel instance for the tests, configured differently from the stack's, answering through it.

The stack's Rasa server hosts the production channel with the production reply deadline (4.5 s), which real
turns never reach, so the late-reply path cannot be seen there. This process hosts the same `WeChatInput`
with the settings given here (`--reply-deadline 0.01`: every answer is late; `--token ""`: not configured) and
hands each turn to the stack's Rasa over its REST channel under the same sender id, so the conversation is real.

    python -m tests.wechat.second_channel --port 5999 --rasa-url http://127.0.0.1:5005 --reply-deadline 0.01
WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_ENCODING_AES_KEY, WECHAT_API_BASE_URL (and WECHAT_TOKEN unless
--token is given) come from the environment, as for the stack.
"""
import argparse
import os

import aiohttp
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels.wechat import WeChatInput


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rasa-url", required=True)
    parser.add_argument("--reply-deadline", type=float, default=None)
    parser.add_argument("--token", default=None)
    args = parser.parse_args()
    channel = WeChatInput.from_credentials({
        "token": os.environ.get("WECHAT_TOKEN", "") if args.token is None else args.token,
        "app_id": os.environ.get("WECHAT_APP_ID", ""),
        "app_secret": os.environ.get("WECHAT_APP_SECRET", ""),
        "encoding_aes_key": os.environ.get("WECHAT_ENCODING_AES_KEY", ""),
        "api_base_url": os.environ.get("WECHAT_API_BASE_URL", ""),
        "reply_deadline_seconds": args.reply_deadline,
    })

    async def on_new_message(message: UserMessage) -> None:
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"{args.rasa_url}/webhooks/rest/webhook", json={"sender": message.sender_id, "message": message.text}
            ) as reply:
                for bot_message in await reply.json(content_type=None):
                    bot_message.pop("recipient_id", None)
                    await message.output_channel.send_response(message.sender_id, bot_message)

    app = Sanic("wechat_second_channel")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/wechat")
    app.run(host="127.0.0.1", port=args.port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
