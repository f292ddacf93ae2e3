"""Answer questions from the knowledge base: `ask_<entry id>` intents and follow-ups about the current topic."""
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import (
    ASPECTS,
    KnowledgeError,
    KnowledgeStore,
    Reply,
    answer,
    answer_aspect,
    detect_aspect,
    fallback_reply,
    no_topic_reply,
)

logger = logging.getLogger(__name__)

store = KnowledgeStore.from_env()


def utter(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send a `Reply` the way Rasa channels expect buttons."""
    buttons = [{"title": title, "payload": payload} for title, payload in reply.buttons]
    dispatcher.utter_message(text=reply.text, buttons=buttons)


class ActionAnswerKnowledge(Action):
    """Reply to `ask_<id>` with the entry's answer (plus e.g. the place, if the question asked for it)."""

    def name(self) -> Text:
        return "action_answer_knowledge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        entry_id = intent[len("ask_"):] if intent.startswith("ask_") else ""
        try:
            knowledge = store.current()
        except KnowledgeError:
            logger.warning("Knowledge unavailable (see the earlier error); fallback for intent %r", intent)
            utter(dispatcher, fallback_reply())
            return []
        if entry_id not in knowledge:
            logger.warning("No knowledge entry for intent %r", intent)
            utter(dispatcher, fallback_reply())
            return []
        utter(dispatcher, answer(knowledge, entry_id, detect_aspect(tracker.latest_message.get("text") or "")))
        return [SlotSet("topic", entry_id)]


class ActionAnswerAspect(Action):
    """Reply to a follow-up (`ask_where`, `ask_fee`, ...) about the topic in the `topic` slot."""

    def name(self) -> Text:
        return "action_answer_aspect"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        aspect = intent[len("ask_"):] if intent.startswith("ask_") else ""
        if aspect not in ASPECTS:
            logger.warning("action_answer_aspect called for intent %r, which is no follow-up", intent)
            utter(dispatcher, fallback_reply())
            return []
        try:
            knowledge = store.current()
        except KnowledgeError:
            logger.warning("Knowledge unavailable (see the earlier error); fallback for intent %r", intent)
            utter(dispatcher, fallback_reply())
            return []
        topic = tracker.get_slot("topic")
        if topic not in knowledge:
            utter(dispatcher, no_topic_reply(aspect))
            return []
        utter(dispatcher, answer_aspect(knowledge, topic, aspect))
        return []
