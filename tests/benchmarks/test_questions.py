from bot.benchmarks.questions import Question, load_questions, plain_text
from bot.knowledge import load_knowledge
from bot.settings import PROJECT_ROOT


def test_entity_annotations_are_removed():
    assert plain_text("[前峰村](place)的春泥班") == "前峰村的春泥班"
    assert plain_text('[前悦]{"entity": "place", "value": "前悦社区"}那边的健康小屋') == "前悦那边的健康小屋"
    assert plain_text("没有标注的问题") == "没有标注的问题"


def test_only_knowledge_intents_are_loaded(tmp_path):
    path = tmp_path / "test.yml"
    path.write_text(
        'version: "3.1"\n'
        "nlu:\n"
        "- intent: greet\n"
        "  examples: |\n"
        "    - 你好\n"
        "- intent: ask_elderly_lunch\n"
        "  examples: |\n"
        "    - 90岁以上免费午餐\n"
        "    - [前悦社区](place)有老年餐吗\n",
        encoding="utf-8",
    )
    assert load_questions(path) == [
        Question("90岁以上免费午餐", "elderly_lunch"),
        Question("前悦社区有老年餐吗", "elderly_lunch"),
    ]


def test_every_held_out_question_names_an_entry_of_the_knowledge_base():
    knowledge = load_knowledge(PROJECT_ROOT / "knowledge")
    questions = load_questions()
    assert questions
    assert {q.entry_id for q in questions} <= {entry.id for entry in knowledge}
