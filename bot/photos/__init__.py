"""Photos and locations residents send with a report: what a photo must be and how it is cleaned (`images.py`),
keeping and deleting it (`store.py`), what the resident is told when one is refused (`texts.py`), the message a
channel sends the bot for a photo or a location (`payloads.py`), which channels can send one (`channels.py`), and
the URL the Rasa server serves it at (`urls.py`). Plain Python: the routes that receive and serve them are in
bot/rasa/channels/ (wechat.py, widget.py, photos.py)."""
