import pytest

from bot.reporting.emergency import advice, detect_emergency


@pytest.mark.parametrize(
    "text, numbers",
    [
        ("楼下着火了", ("119",)),
        ("厨房起火了", ("119",)),
        ("电瓶车充电冒烟了", ("119",)),
        ("家里燃气泄漏了", ("119",)),
        ("闻到煤气味", ("119",)),
        ("有人受伤了", ("120",)),
        ("老人晕倒了", ("120",)),
        ("有人昏迷不醒", ("120",)),
        ("楼下有人打人", ("110",)),
        ("有人持刀", ("110",)),
        ("两个人正在打架", ("110",)),
        ("抢劫啊", ("110",)),
        ("着火了，有人受伤", ("119", "120")),
        ("昨天就着火了，现在还在冒烟", ("119",)),
    ],
)
def test_danger_now_names_the_number_to_call(text, numbers):
    emergency = detect_emergency(text)
    assert emergency is not None and emergency.numbers == numbers


@pytest.mark.parametrize(
    "text",
    [
        "楼道堆满杂物有火灾隐患",
        "电线老化，容易着火",
        "担心燃气泄漏，想找人检查",
        "上周楼下着火了，消防通道一直堵着",
        "邻居经常打架吵架",
        "燃气管道老化了",
        "小区门口路灯坏了好几天了",
        "",
    ],
)
def test_risks_and_past_events_are_not_emergencies(text):
    assert detect_emergency(text) is None


def test_gas_leak_advice_says_leave_and_do_not_switch_lights():
    text = advice(detect_emergency("闻到很浓的煤气味"))
    assert "119" in text and "离开" in text and "不要开关电灯" in text


def test_advice_starts_with_the_call_to_action():
    text = advice(detect_emergency("楼下着火了"))
    assert text.index("119") < 80 and "120" not in text


def test_unsure_advice_lists_all_three_numbers():
    text = advice(None)
    assert all(number in text for number in ("110", "119", "120"))


@pytest.mark.parametrize("text, number", [("有人倒在地上叫不醒", "120"), ("有人被打伤了", "110"), ("有人被车撞了", "120")])
def test_more_ways_of_saying_someone_is_hurt(text, number):
    assert number in detect_emergency(text).numbers
