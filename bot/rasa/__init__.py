"""The parts of `bot` that speak Rasa: the only package under `bot/` that may import rasa, rasa_sdk or sanic.

`server.py` starts Rasa's own command line with the project's settings; `nlu.py`, `classifier.py` and `policy.py`
are the pipeline and policy components config.yml names; `tracker_store.py` and `lock_store.py` the stores
endpoints.yml names; `channels/` the input channels credentials.yml names (REST, web widget, WeChat). Everything
else in `bot/` is plain Python that these translate to and from (tests/core/test_code_rules.py checks the rule).

Importing this package imports nothing from Rasa: `python -m bot run` reaches `server.command` without loading it.
"""
