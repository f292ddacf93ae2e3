"""Which rating a tap or typed words mean, and what the message after 不满意 is (bot/consulting/rating.py)."""
import pytest

from bot.consulting.rating import CommentKind, comment_kind, rating_meant


@pytest.mark.parametrize("text, rating", [
    ("满意", "满意"), ("挺满意的", "满意"), ("非常好，点赞", "满意"), ("还不错", "满意"),
    ("基本满意", "基本满意"), ("还行", "基本满意"), ("还行吧", "基本满意"), ("一般般", "基本满意"),
    ("不满意", "不满意"), ("没解决", "不满意"), ("不太满意", "不满意"), ("问题根本没有解决", "不满意"),
    ("你好", None), ("查询工单", None),
])
def test_typed_words_say_a_rating(text, rating):
    assert rating_meant(text) == rating


def test_a_tapped_rating_wins_and_an_unknown_one_is_ignored():
    assert rating_meant("/rate_report", "基本满意") == "基本满意"
    assert rating_meant("不满意", "很好") == "不满意"


@pytest.mark.parametrize("text, intent, confidence, kind", [
    ("跳过", "nlu_fallback", 0.3, CommentKind.SKIP),
    ("不想说", "deny", 0.8, CommentKind.SKIP),
    ("等了两个星期才来修，修完第二天又坏了", "report_problem", 0.7, CommentKind.COMMENT),
    ("没人打电话通知我", "nlu_fallback", 0.3, CommentKind.COMMENT),
    ("老人免费午餐在哪里吃？", "ask_elderly_lunch", 0.92, CommentKind.QUESTION),
    ("查一下QJ20261130-0002", "check_ticket", 1.0, CommentKind.QUESTION),
    ("什么时候能修好啊", "ask_hours", 0.8, CommentKind.COMMENT),
])
def test_the_message_after_dissatisfied(text, intent, confidence, kind):
    assert comment_kind(text, intent, confidence) is kind
