"""Answer questions: a knowledge topic, a follow-up about the topic just answered, or a message the bot is unsure of.

Every question intent (`ask_<entry>`, the follow-ups, nlu_fallback, out_of_scope) runs this one action, because
which of them a message is depends on the conversation (bot/knowledge/dialogue.py), not on the intent alone.
"""
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.consulting.flow import with_offer
from bot.knowledge import KnowledgeError, KnowledgeStore, Question, Reply, fallback_reply, respond
from bot.suggestions import unsure_reply

logger = logging.getLogger(__name__)

store = KnowledgeStore.from_env()
# The latest question asked, and how many in a row the bot could not answer (offered to staff from the second).
LAST_QUESTION_SLOT, UNANSWERED_SLOT = "last_question", "unanswered_in_a_row"


def utter(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send a `Reply` the way Rasa channels expect buttons."""
    buttons = [{"title": title, "payload": payload} for title, payload in reply.buttons]
    dispatcher.utter_message(text=reply.text, buttons=buttons)


async def answer_latest(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """Answer the latest message as a question, here or while another step waits (a consultation's yes/no).

    Counts the questions in a row it could not answer: from the second, the unsure reply offers to ask staff."""
    message = tracker.latest_message
    intent = message.get("intent") or {}
    question = Question(message.get("text") or "", intent.get("name") or "", float(intent.get("confidence") or 0))
    unanswered = int(tracker.get_slot(UNANSWERED_SLOT) or 0)
    try:
        knowledge = store.current()
    except KnowledgeError:
        logger.warning("Knowledge unavailable (see the earlier error); answered with the fallback")
        utter(dispatcher, fallback_reply())
        return []
    answered = respond(knowledge, question, tracker.get_slot("topic"), tracker.get_slot("waiting_question"))
    if answered.reply is None:
        ranking = [
            (item.get("name") or "", float(item.get("confidence") or 0))
            for item in message.get("intent_ranking") or []
        ]
        unanswered += 1
        utter(dispatcher, with_offer(unsure_reply(ranking, knowledge, question.text), unanswered))
    else:
        unanswered = 0
        utter(dispatcher, answered.reply)
    return [
        SlotSet("topic", answered.topic),
        SlotSet("waiting_question", answered.waiting),
        SlotSet(LAST_QUESTION_SLOT, question.text),
        SlotSet(UNANSWERED_SLOT, unanswered),
    ]


class ActionAnswerQuestion(Action):
    """Reply to a question and remember its topic, so that "那在哪里" next is about it."""

    def name(self) -> Text:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return await answer_latest(dispatcher, tracker)
