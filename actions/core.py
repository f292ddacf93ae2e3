"""Conversation-level actions: what to do when the bot did not understand."""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import store, utter
from bot.knowledge import KnowledgeError
from bot.suggestions import suggest_topics


class ActionSuggestTopics(Action):
    """Low confidence: "您是想问……" with the two or three likeliest topics as buttons."""

    def name(self) -> Text:
        return "action_suggest_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        ranking = [
            (item.get("name") or "", float(item.get("confidence") or 0.0))
            for item in tracker.latest_message.get("intent_ranking") or []
        ]
        try:
            suggestions = suggest_topics(ranking, store.current())
        except KnowledgeError:
            suggestions = None
        if suggestions is None:
            dispatcher.utter_message(response="utter_default")
        else:
            utter(dispatcher, suggestions)
        return []
