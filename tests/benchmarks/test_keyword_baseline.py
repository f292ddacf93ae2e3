from bot.benchmarks.keyword_baseline import KeywordBaseline
from bot.knowledge import Entry, Source, load_knowledge
from bot.settings import PROJECT_ROOT

SOURCE = Source(document="work_review_2024", as_of="2023年", title="前进街道2023年工作回顾与2024年工作思路")


def entry(entry_id, title, *keywords):
    return Entry(id=entry_id, title=title, answer=f"{title}的回答。", key_fact=title, source=SOURCE,
                 file="test.yml", keywords=keywords)


LUNCH = entry("elderly_lunch", "老人免费午餐", "免费午餐", "老年餐")
DAY_CARE = entry("elderly_day_care", "居家养老服务中心", "养老中心", "日托")
HEALTH_HUT = entry("health_hut", "健康小屋", "量血压", "日托")
BASELINE = KeywordBaseline([LUNCH, DAY_CARE, HEALTH_HUT])


def test_a_keyword_in_the_message_picks_its_entry():
    assert BASELINE.answer("街道有老年餐吗") == "elderly_lunch"
    assert BASELINE.answer("想去量血压") == "health_hut"


def test_the_title_counts_as_a_keyword():
    assert BASELINE.answer("居家养老服务中心在哪") == "elderly_day_care"


def test_the_longest_matching_word_wins():
    # "免费午餐" (4) and "健康小屋" (4) both match; "老人免费午餐" (6) is longer.
    assert BASELINE.answer("健康小屋旁边有老人免费午餐吗") == "elderly_lunch"


def test_a_tie_goes_to_the_entry_that_comes_first():
    assert BASELINE.answer("日托怎么收费") == "elderly_day_care"
    assert KeywordBaseline([HEALTH_HUT, DAY_CARE]).answer("日托怎么收费") == "health_hut"


def test_no_matching_word_means_no_answer():
    assert BASELINE.answer("今天天气怎么样") is None
    assert BASELINE.answer("") is None


def test_latin_letters_match_whatever_their_case():
    baseline = KeywordBaseline([entry("eco_environment", "空气质量", "PM2.5")])
    assert baseline.answer("最近pm2.5高不高") == "eco_environment"


def test_the_real_knowledge_base_answers_a_plain_question():
    baseline = KeywordBaseline(load_knowledge(PROJECT_ROOT / "knowledge"))
    assert baseline.answer("90岁以上免费午餐") == "elderly_lunch"
