import pytest

from bot.governance.categories import CATEGORIES
from bot.reporting.category import KEYWORDS, category_meant, category_named_in, guess_category


@pytest.mark.parametrize(
    "text, expected",
    [
        ("小区门口路灯坏了好几天了", "公共设施"),
        ("路边井盖没了", "公共设施"),
        ("电梯又停了，老人上不了楼", "公共设施"),
        ("楼下垃圾好几天没人清，臭死了", "环境卫生"),
        ("有人往河里排污水", "环境卫生"),
        ("工地渣土乱倒在路边", "环境卫生"),
        ("门口天天有人乱停车", "交通停车"),
        ("菜场占道经营", "交通停车"),
        ("邻居装修天天吵到半夜", "矛盾纠纷"),
        ("上个月和邻居打架的事还没解决", "矛盾纠纷"),
        ("楼道堆满杂物有火灾隐患", "安全隐患"),
        ("楼道里电线乱拉", "安全隐患"),
        ("燃气管道老化了想找人看看", "安全隐患"),
        ("消防通道被堵死了", "安全隐患"),
    ],
)
def test_clear_cases_are_guessed_confidently(text, expected):
    guess = guess_category(text)
    assert (guess.category, guess.confident) == (expected, True)


def test_nothing_recognisable_gives_no_guess():
    assert guess_category("我想说个事") == (None, None, False)
    assert guess_category("") == (None, None, False)


def test_mixed_signals_are_not_confident():
    category, runner_up, confident = guess_category("垃圾桶坏了")
    assert {category, runner_up} == {"环境卫生", "公共设施"} and not confident


def test_every_keyword_category_is_a_queue_category():
    assert set(KEYWORDS) <= set(CATEGORIES)


def test_category_named_by_the_resident():
    assert category_named_in("环境卫生") == "环境卫生"
    assert category_named_in("选交通停车吧") == "交通停车"
    assert category_named_in("其他") == "其他"
    assert category_named_in("环境卫生还是公共设施") is None
    assert category_named_in("路灯坏了") is None


@pytest.mark.parametrize(
    "words, category",
    [("交通", "交通停车"), ("停车的问题", "交通停车"), ("应该是安全隐患吧", "安全隐患"), ("消防", "安全隐患"),
     ("卫生这块", "环境卫生"), ("跟邻居的矛盾", "矛盾纠纷"), ("设施坏了", "公共设施"), ("其它", "其他"), ("都不是", "其他")],
)
def test_a_kind_named_in_free_words(words, category):
    assert category_meant(words) == category


@pytest.mark.parametrize("words", ["对", "是的", "不是", "提交吧", "前进村三组", "", "嗯嗯"])
def test_words_that_name_no_kind(words):
    assert category_meant(words) is None
