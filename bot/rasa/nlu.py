"""An NLU step for the two things a word list knows better than a statistical guess.

"有人被打得流血了" must never be read as small talk or fall back: whenever `detect_emergency` (plain word
lists in bot/reporting/emergency.py) says something is happening now, the intent becomes `report_emergency`
with full confidence. Likewise a message that names a ticket number ("麻烦看看 QJ20261210-0004") asks about
that ticket, and a message that starts by asking for a person ("转人工，健身器材坏了归谁修") asks for one
(bot/consulting/flow.py). They override whatever the classifier and the fallback threshold decided before.
"""
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.consulting.flow import REQUEST_INTENT, leads_with_request
from bot.reporting.emergency import detect_emergency
from bot.reporting.ticket import find_ticket_no

EMERGENCY_INTENT = "report_emergency"
TICKET_INTENT = "check_ticket"


def certain_intent(text: Text) -> Optional[Text]:
    if detect_emergency(text):
        return EMERGENCY_INTENT
    if find_ticket_no(text):
        return TICKET_INTENT
    if leads_with_request(text):
        return REQUEST_INTENT
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CertainIntent(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CertainIntent":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = certain_intent(message.get(TEXT) or "")
            if intent:
                certain = {"name": intent, "confidence": 1.0}
                others = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent]
                message.set(INTENT, certain, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [certain, *others], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
