"""Answer questions from the knowledge base: `ask_<entry id>` intents and follow-ups about the current topic."""
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import (
    ASPECTS,
    KnowledgeBase,
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


def _asked(tracker: Tracker) -> str:
    """What an `ask_<x>` intent asks about: an entry id or a follow-up aspect ("" for other intents)."""
    intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
    return intent[len("ask_"):] if intent.startswith("ask_") else ""


def _knowledge_or_apologise(dispatcher: CollectingDispatcher) -> Optional[KnowledgeBase]:
    try:
        return store.current()
    except KnowledgeError:
        logger.warning("Knowledge unavailable (see the earlier error); answered with the fallback")
        utter(dispatcher, fallback_reply())
        return None


class ActionAnswerKnowledge(Action):
    """Reply to `ask_<id>` with the entry's answer (plus e.g. the place, if the question asked for it)."""

    def name(self) -> Text:
        return "action_answer_knowledge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        entry_id = _asked(tracker)
        knowledge = _knowledge_or_apologise(dispatcher)
        if knowledge is None:
            return []
        if entry_id not in knowledge:
            logger.warning("No knowledge entry for intent %r", f"ask_{entry_id}")
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
        aspect = _asked(tracker)
        if aspect not in ASPECTS:
            logger.warning("action_answer_aspect called for intent ask_%s, which is no follow-up", aspect)
            utter(dispatcher, fallback_reply())
            return []
        knowledge = _knowledge_or_apologise(dispatcher)
        if knowledge is None:
            return []
        topic = tracker.get_slot("topic")
        if topic not in knowledge:
            utter(dispatcher, no_topic_reply(aspect, tracker.latest_message.get("text") or ""))
            return []
        utter(dispatcher, answer_aspect(knowledge, topic, aspect))
        return []
