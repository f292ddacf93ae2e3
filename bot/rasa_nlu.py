"""An NLU step that makes danger win over every statistical guess.

"有人被打得流血了" must never be read as small talk or fall back: whenever `detect_emergency` (plain word
lists in bot/reporting/emergency.py) says something is happening now, the intent becomes `report_emergency`
with full confidence, whatever the classifier and the fallback threshold decided before.
"""
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.reporting.emergency import detect_emergency

EMERGENCY_INTENT = "report_emergency"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class EmergencyIntent(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "EmergencyIntent":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if detect_emergency(message.get(TEXT) or ""):
                certain = {"name": EMERGENCY_INTENT, "confidence": 1.0}
                others = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != EMERGENCY_INTENT]
                message.set(INTENT, certain, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [certain, *others], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
