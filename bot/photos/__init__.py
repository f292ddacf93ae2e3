"""Photos and locations residents send with a report: checking and storing a photo (`store.py`), what the
resident is told when one is refused (`texts.py`), which channels can send one (`channels.py`), and the URL the
Rasa server serves it at (`urls.py`). Plain Python: the webhooks that receive them are in bot/rasa/channels/."""
