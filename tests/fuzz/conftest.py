"""Fixtures the fuzz tests share with the channel tests."""
from tests.wechat.conftest import wechat  # noqa: F401 (the fixture: WeChat's server, for test_wechat_input.py)
