"""Turning the bot's messages into one WeChat text, and numbers back into button payloads."""
from bot.channels.wechat_reply import MAX_TEXT_BYTES, LastOptions, render, split_text

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


def test_a_number_picks_from_the_last_options_shown():
    options = LastOptions()
    options.remember("o1", render(CAPABILITIES).buttons)
    assert options.choice("o1", "1") == "/ask_elderly_lunch"
    assert options.choice("o1", " ２ ") == "/report_issue"  # full-width digit, as Chinese keyboards type it
    assert options.choice("o1", "2.") == "/report_issue"
    assert options.choice("o1", "3") is None
    assert options.choice("o1", "0") is None
    assert options.choice("o1", "第一个") is None
    assert options.choice("o2", "1") is None  # another resident saw no options
    assert options.choice("o1", "9" * 5000) is None


def test_a_reply_without_buttons_clears_the_options():
    options = LastOptions()
    options.remember("o1", render(CAPABILITIES).buttons)
    options.remember("o1", [])
    assert options.choice("o1", "1") is None


def test_only_the_most_recent_residents_are_remembered():
    options = LastOptions(capacity=2)
    buttons = render(CAPABILITIES).buttons
    for resident in ("o1", "o2", "o3"):
        options.remember(resident, buttons)
    assert options.choice("o1", "1") is None and options.choice("o3", "1") == "/ask_elderly_lunch"
