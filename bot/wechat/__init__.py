"""The WeChat official account's side in plain Python: its customer-service message API (`api.py`), what a
resident sees in a WeChat text (`messages.py`), and the worker that pushes notes to residents (`push.py`).
The webhook itself, which needs Rasa and Sanic, is bot/rasa/channels/wechat.py."""
