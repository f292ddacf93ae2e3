"""The auto-reply a sub-district uses today, built from the same knowledge files: keywords, no understanding.

For a message it picks the entry whose title or one of whose keywords occurs in the message; the longest
matching word wins, a tie goes to the entry that comes first in the knowledge base, and no match means no
answer. It is the honest baseline the bot's accuracy is compared with.
"""
from typing import Iterable, List, Optional, Tuple

from bot.knowledge import Entry


class KeywordBaseline:
    def __init__(self, entries: Iterable[Entry]) -> None:
        # (word, entry id) in knowledge-base order: title first, then keywords as staff wrote them.
        self.words: List[Tuple[str, str]] = [
            (word.casefold(), entry.id)
            for entry in entries
            for word in (entry.title, *entry.keywords)
            if word.strip()
        ]

    def answer(self, message: str) -> Optional[str]:
        """The id of the entry this auto-reply would send for `message`, or None when no word matches."""
        text = message.casefold()
        best_id, best_length = None, 0
        for word, entry_id in self.words:
            if len(word) > best_length and word in text:
                best_id, best_length = entry_id, len(word)
        return best_id
