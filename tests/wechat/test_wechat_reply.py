"""Turning the bot's messages into one WeChat text, and numbers back into button payloads."""
import pytest

from bot.wechat.messages import MAX_TEXT_BYTES, chosen_payload, option_number, render, split_text

CAPABILITIES = [
    {"recipient_id": "o1", "text": "我可以帮您：……"},
    {"recipient_id": "o1", "text": "请选择：", "buttons": [
        {"title": "90岁以上老人免费午餐", "payload": "/ask_elderly_lunch"},
        {"title": "反映问题", "payload": "/report_issue"},
    ]},
]


def test_messages_merge_into_one_text_with_numbered_options():
    reply = render(CAPABILITIES)
    assert reply.text == "我可以帮您：……\n\n请选择：\n\n回复数字选择：\n1. 90岁以上老人免费午餐\n2. 反映问题"
    assert [b["payload"] for b in reply.buttons] == ["/ask_elderly_lunch", "/report_issue"]


def test_image_links_are_kept_and_custom_payloads_dropped():
    reply = render([{"text": "看图"}, {"image": "https://example.org/a.png"}, {"custom": {"x": 1}}])
    assert reply.text == "看图\n\nhttps://example.org/a.png" and reply.buttons == []


def test_a_short_text_is_one_part():
    assert split_text("您好") == ["您好"]
    assert split_text("") == [""]


def test_a_long_text_is_split_at_line_ends_within_the_byte_limit():
    lines = [f"第{i}行：" + "前进街道" * 20 for i in range(60)]
    parts = split_text("\n".join(lines))
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= MAX_TEXT_BYTES for p in parts)
    assert "\n".join(parts) == "\n".join(lines)  # nothing lost, no line cut


def test_a_single_huge_line_is_cut_between_characters():
    text = "路" * 1000 + "a" + "路" * 1000  # 6001 bytes, no line break
    parts = split_text(text)
    assert all(len(p.encode("utf-8")) <= MAX_TEXT_BYTES for p in parts)
    assert "".join(parts) == text


def test_a_number_picks_from_the_options_shown():
    buttons = render(CAPABILITIES).buttons
    assert chosen_payload(buttons, option_number("1")) == "/ask_elderly_lunch"
    assert chosen_payload(buttons, option_number(" ２ ")) == "/report_issue"  # full width, as Chinese keyboards type it
    assert chosen_payload(buttons, option_number("2.")) == "/report_issue"
    assert chosen_payload(buttons, option_number("3")) is None
    assert chosen_payload(buttons, option_number("0")) is None
    assert chosen_payload([], option_number("1")) is None  # the last reply listed no options


@pytest.mark.parametrize("text", ["第一个", "1号楼", "9" * 5000, "", "-1"])
def test_only_a_short_number_is_a_choice(text):
    assert option_number(text) is None
