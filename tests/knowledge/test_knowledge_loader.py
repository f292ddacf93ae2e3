"""load_knowledge accepts valid knowledge and names file, entry, field and problem for each mistake."""
import pytest

from bot.knowledge import Entry, KnowledgeError, Source, load_knowledge
from bot.knowledge.schema import Fact
from tests.knowledge.knowledge_paths import FIXTURES, REAL_KNOWLEDGE


def problems_of(directory):
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    return caught.value.problems


def test_fixture_knowledge_loads_in_file_order():
    knowledge = load_knowledge(FIXTURES)

    assert [entry.id for entry in knowledge] == [
        "elderly_lunch", "elderly_day_care", "veterans_station", "middle_school", "street_overview"
    ]
    assert knowledge.files == ("elderly.yml", "services.yml")
    lunch = knowledge["elderly_lunch"]
    assert lunch == Entry(
        id="elderly_lunch",
        title="90周岁以上老人免费午餐",
        answer="2023年6月起，前进街道推出“老有康养”优享工程服务项目，为辖区90周岁以上的老人送上免费午餐。",
        key_fact="90周岁以上",
        source=Source("000_dceba612ee25b974.txt", "2023年6月", "前进街道2023年工作回顾与2024年工作思路"),
        file="elderly.yml",
        eligibility="辖区90周岁以上老人",
        fee="免费",
        related=("elderly_day_care", "veterans_station"),
        keywords=("免费午餐", "老年餐", "九十岁老人"),
    )
    assert knowledge["elderly_day_care"].facts == (
        Fact(says="中心设有日间托养床位20个。", answers=("几张床位", "有多少床位", "能托几个老人")),
        Fact(says="中心占地1000平方米。", answers=("有多大", "面积多少", "占地多少")),
    )
    # Optional fields may be left out entirely.
    assert knowledge["middle_school"].where == "" and knowledge["middle_school"].related == ()
    assert knowledge.get("no_such_entry") is None and "no_such_entry" not in knowledge


@pytest.mark.skipif(not REAL_KNOWLEDGE.is_dir(), reason="knowledge/ not written yet")
def test_real_knowledge_loads():
    knowledge = load_knowledge(REAL_KNOWLEDGE)

    assert len(knowledge) > 0
    for entry in knowledge:
        assert entry.key_fact in entry.answer
        assert entry.source.title


@pytest.mark.skipif(not REAL_KNOWLEDGE.is_dir(), reason="knowledge/ not written yet")
def test_every_real_entry_lists_facts_with_a_few_ways_to_ask_each():
    for entry in load_knowledge(REAL_KNOWLEDGE):
        assert entry.facts, entry.id
        for fact in entry.facts:
            assert 3 <= len(fact.answers) <= 8, (entry.id, fact.says)


BAD_EDITS = [
    pytest.param(
        "elderly.yml", "answer: >-\n      前进街道新启用居家养老服务中心1家，占地1000平方米，设立日间托养床位20个。", 'answer: ""',
        ["knowledge/elderly.yml 第2条 (elderly_day_care) 字段 answer：不能为空"],
        id="empty-answer",
    ),
    pytest.param(
        "elderly.yml", "    key_fact: 日间托养床位20个\n", "",
        ["knowledge/elderly.yml 第2条 (elderly_day_care) 字段 key_fact：不能为空"],
        id="missing-required-field",
    ),
    pytest.param(
        "elderly.yml", "key_fact: 日间托养床位20个", "key_fact: 20",
        ['knowledge/elderly.yml 第2条 (elderly_day_care) 字段 key_fact：应为文字，不是数字；请加引号，例如 "20"'],
        id="number-instead-of-text",
    ),
    pytest.param(
        "elderly.yml", "eligibility: 辖区90周岁以上老人", "eligibility: [辖区90周岁以上老人]",
        ["knowledge/elderly.yml 第1条 (elderly_lunch) 字段 eligibility：应为一段文字，不是列表；请去掉方括号 [ ] 或开头的“- ”"],
        id="list-instead-of-text",
    ),
    pytest.param(
        "elderly.yml", "related: [elderly_lunch]", "related: elderly_lunch",
        ["knowledge/elderly.yml 第2条 (elderly_day_care) 字段 related：应为列表，例如 [甲, 乙]"],
        id="related-not-a-list",
    ),
    pytest.param(
        "elderly.yml", "    answer: >-\n      2023年6月起", "    anwser: >-\n      2023年6月起",
        [
            "knowledge/elderly.yml 第1条 (elderly_lunch) 字段 anwser：未知字段（是否想写 answer？）",
            "knowledge/elderly.yml 第1条 (elderly_lunch) 字段 answer：不能为空",
        ],
        id="misspelt-field",
    ),
    pytest.param(
        "elderly.yml", "as_of: 2021年}", "as_off: 2021年}",
        [
            "knowledge/elderly.yml 第2条 (elderly_day_care) 字段 source.as_off：未知字段（是否想写 as_of？）",
            "knowledge/elderly.yml 第2条 (elderly_day_care) 字段 source.as_of：不能为空",
        ],
        id="misspelt-source-field",
    ),
    pytest.param(
        "services.yml", "id: middle_school", "id: elderly_lunch",
        [
            "knowledge/services.yml 第2条 (elderly_lunch) 字段 id："
            "与 knowledge/elderly.yml 第1条 重复，id 在所有文件中必须唯一",
            "knowledge/services.yml 第1条 (veterans_station) 字段 related：找不到 id 为“middle_school”的条目",
        ],
        id="duplicate-id-across-files",
    ),
    pytest.param(
        "services.yml", "id: middle_school", "id: Middle-School",
        [
            "knowledge/services.yml 第2条 (Middle-School) 字段 id：“Middle-School”只能用小写英文字母、数字和下划线，并以字母开头",
            "knowledge/services.yml 第1条 (veterans_station) 字段 related：找不到 id 为“middle_school”的条目",
        ],
        id="bad-id-format",
    ),
    pytest.param(
        "services.yml", "id: middle_school", "id: where",
        [
            "knowledge/services.yml 第2条 (where) 字段 id：“where”是保留名称，请换一个",
            "knowledge/services.yml 第1条 (veterans_station) 字段 related：找不到 id 为“middle_school”的条目",
        ],
        id="reserved-id",
    ),
    pytest.param(
        "elderly.yml", "related: [elderly_lunch]", "related: [elderly_lunch, elderly_dinner]",
        ["knowledge/elderly.yml 第2条 (elderly_day_care) 字段 related：找不到 id 为“elderly_dinner”的条目"],
        id="related-id-missing",
    ),
    pytest.param(
        "elderly.yml", "related: [elderly_lunch]", "related: [elderly_day_care]",
        ["knowledge/elderly.yml 第2条 (elderly_day_care) 字段 related：不能包含这一条自己的 id"],
        id="related-to-itself",
    ),
    pytest.param(
        "elderly.yml", "{document: 001_8e38edc6aabb743b.txt", "{document: 002_unknown.txt",
        ["knowledge/elderly.yml 第2条 (elderly_day_care) 字段 source.document：sources.yml 里没有“002_unknown.txt”"],
        id="unknown-source-document",
    ),
    pytest.param(
        "elderly.yml", "key_fact: 日间托养床位20个", "key_fact: 日间托养床位30个",
        ["knowledge/elderly.yml 第2条 (elderly_day_care) 字段 key_fact：“日间托养床位30个”必须原样出现在 answer 里"],
        id="key-fact-not-in-answer",
    ),
    pytest.param(
        "services.yml", "前进初中一期工程于2023年6月竣工。", "2023年6月竣工",
        ["knowledge/services.yml 第2条 (middle_school) 字段 answer：太短（9 个字，至少 10 个）"],
        id="answer-too-short",
    ),
    pytest.param(
        "services.yml", "前进初中一期工程于2023年6月竣工。", "前进初中一期工程于2023年6月竣工。" + "好" * 400,
        ["knowledge/services.yml 第2条 (middle_school) 字段 answer：太长（419 个字，最多 400 个）；更多内容请写在 facts 里"],
        id="answer-too-long",
    ),
    pytest.param(
        "elderly.yml", "    key_fact: 90周岁以上\n", "    key_fact: 90周岁以上\n    details: 午餐由村社统一安排\n",
        ["knowledge/elderly.yml 第1条 (elderly_lunch) 字段 details：未知字段（可用字段："],
        id="details-is-no-longer-a-field",
    ),
    pytest.param(
        "elderly.yml", "      - says: 中心设有日间托养床位20个。\n        answers:", "      - answers:",
        ["knowledge/elderly.yml 第2条 (elderly_day_care) 字段 facts 第1项 says：不能为空"],
        id="fact-without-says",
    ),
    pytest.param(
        "elderly.yml", "answers: [有多大, 面积多少, 占地多少]", "answers: []",
        ["knowledge/elderly.yml 第2条 (elderly_day_care) 字段 facts 第2项 answers：至少写一个问法，例如 [几张床位, 多少个床位]"],
        id="fact-with-empty-answers",
    ),
    pytest.param(
        "elderly.yml", "answers: [几张床位", "answer: [几张床位",
        [
            "knowledge/elderly.yml 第2条 (elderly_day_care) 字段 facts 第1项 answer：未知字段（是否想写 answers？）",
            "knowledge/elderly.yml 第2条 (elderly_day_care) 字段 facts 第1项 answers：至少写一个问法，例如 [几张床位, 多少个床位]",
        ],
        id="fact-with-unknown-key",
    ),
    pytest.param(
        "services.yml", "title: 前进初中", "title: " + "前进初中" * 7,
        ["knowledge/services.yml 第2条 (middle_school) 字段 title：太长（28 个字，最多 24 个），按钮上放不下"],
        id="title-too-long",
    ),
    pytest.param(
        "services.yml", "  - id: middle_school\n", "  - middle_school\n  - title: x\n",
        [
            "knowledge/services.yml 第2条 每一条都应以“- id: ...”开头，包含 id、title、answer 等字段",
            "knowledge/services.yml 第3条 字段 id：不能为空",
            "knowledge/services.yml 第1条 (veterans_station) 字段 related：找不到 id 为“middle_school”的条目",
        ],
        id="entry-not-a-mapping",
    ),
    pytest.param(
        "services.yml", "entries:", "entrys:",
        ["knowledge/services.yml：缺少 entries 列表，文件应以 entries: 开头"],
        id="missing-entries",
    ),
    pytest.param(
        "elderly.yml", "    title: 居家养老服务中心\n", "    title: 居家养老服务中心\n    where: [临江村\n",
        ["knowledge/elderly.yml 第21行（可能从第20行开始）：YAML 格式错误，请检查缩进、冒号和引号"],
        id="yaml-syntax",
    ),
    pytest.param(
        "elderly.yml", "    key_fact: 日间托养床位20个", "\tkey_fact: 日间托养床位20个",
        ["knowledge/elderly.yml 第22行：YAML 格式错误，请检查缩进、冒号和引号", "请用空格缩进，不要用 Tab"],
        id="tab-indent",
    ),
]


@pytest.mark.parametrize("file, old, new, expected", BAD_EDITS)
def test_each_mistake_is_named_for_staff(knowledge_dir, edit, file, old, new, expected):
    edit(knowledge_dir / file, old, new)

    problems = problems_of(knowledge_dir)

    for message in expected:
        assert any(message in problem for problem in problems), f"{message!r} not in {problems}"
    assert len(problems) == len([m for m in expected if "Tab" not in m])


def test_all_problems_in_all_files_are_reported_together(knowledge_dir, edit):
    edit(knowledge_dir / "elderly.yml", "title: 居家养老服务中心", 'title: ""')
    edit(knowledge_dir / "services.yml", "key_fact: 成立15周年", "key_fact: 成立20周年")

    problems = problems_of(knowledge_dir)

    assert problems == [
        "knowledge/elderly.yml 第2条 (elderly_day_care) 字段 title：不能为空",
        "knowledge/services.yml 第3条 (street_overview) 字段 key_fact：“成立20周年”必须原样出现在 answer 里",
    ]


def test_file_not_in_utf8(knowledge_dir):
    path = knowledge_dir / "services.yml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))

    assert problems_of(knowledge_dir) == ["knowledge/services.yml：不是 UTF-8 编码，请另存为 UTF-8"]


def test_empty_file(knowledge_dir):
    (knowledge_dir / "services.yml").write_text("# 待补充\n", encoding="utf-8")

    problems = problems_of(knowledge_dir)

    assert "knowledge/services.yml：文件是空的，应以 entries: 开头" in problems


def test_missing_sources_file(knowledge_dir):
    (knowledge_dir / "sources.yml").unlink()

    assert problems_of(knowledge_dir) == [
        "knowledge/sources.yml：找不到文件（每条知识的 source.document 都要在这里登记）"
    ]


def test_bad_sources_entry(knowledge_dir, edit):
    edit(knowledge_dir / "sources.yml", "{title: 《做优产城融合 抓实共富共享》", "{titel: 《做优产城融合 抓实共富共享》")

    problems = problems_of(knowledge_dir)

    assert "knowledge/sources.yml 001_8e38edc6aabb743b.txt 字段 titel：未知字段（是否想写 title？）" in problems
    assert "knowledge/sources.yml 001_8e38edc6aabb743b.txt 字段 title：不能为空" in problems


def test_missing_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    assert problems_of(tmp_path / "knowledge") == ["knowledge：找不到知识库目录"]


def test_editor_backup_and_hidden_files_are_ignored(knowledge_dir):
    (knowledge_dir / ".elderly.yml").write_text("entries: [broken", encoding="utf-8")
    (knowledge_dir / "elderly.yml.bak").write_text("entries: [broken", encoding="utf-8")

    assert len(load_knowledge(knowledge_dir)) == 5
