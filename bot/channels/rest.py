"""The REST channel residents' clients use (`POST /webhooks/rest/webhook`), answering "busy" instead of silence."""
from typing import Text

from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from bot.channels.busy import Handler, answer_or_busy


class ResidentRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return super().blueprint(answer_or_busy(on_new_message))
