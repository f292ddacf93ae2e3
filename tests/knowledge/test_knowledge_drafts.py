"""Staff answers grow the knowledge base only through a draft staff review: `knowledge draft <number>` writes it from
a consultation answered in a real queue, `knowledge check` checks it like an entry and lists what it needs to go
live, and a staff-answer entry, once live, tells residents that its source is a staff answer."""
import argparse
from datetime import datetime, timezone

import pytest
import yaml

from bot.governance import ReportQueue
from bot.governance.consultations import ConsultationDesk
from bot.knowledge import KnowledgeError, answer, load_knowledge
from bot.knowledge.cli import register
from bot.knowledge.drafts import DraftRefused, check_drafts, write_draft
from bot.knowledge.schema import tidy, validate_entry
from tests.knowledge.knowledge_paths import FIXTURE_IDS

# 10:00 in Shanghai on 30 November 2026.
ANSWERED = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
QUESTION = "社区有没有老年食堂？我爸 82 岁，电话13812345678"
ANSWER = "前进街道在临江村设有老年食堂，每天11:00至12:30供应午餐。\n80周岁以上老人每餐补贴3元，详情请问村委会。"
STAFF_SOURCE_LINE = "（来源：前进街道工作人员答复，2026年11月30日）"


@pytest.fixture
def desk(tmp_path, monkeypatch):
    """The consultation desk on a real SQLite queue in tmp_path, which the CLI opens too (DATABASE_URL)."""
    url = f"sqlite:///{tmp_path / 'governance.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    queue = ReportQueue.from_url(url)
    queue.clock = lambda: ANSWERED
    yield ConsultationDesk(queue)
    queue.close()


def answered(desk, question=QUESTION, text=ANSWER):
    number = desk.open("widget:abc", "widget", question).number
    return desk.answer(number, text, staff="王芳")


def run(*argv):
    parser = argparse.ArgumentParser(prog="python -m bot")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.handler(args)


def draft_of(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_draft_holds_the_question_the_answer_and_a_staff_answer_source(desk, knowledge_dir):
    consultation = answered(desk)

    path = write_draft(knowledge_dir, desk.get(consultation.number))

    assert path == knowledge_dir / "drafts" / "ZX20261130-0001.yml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 知识条目草稿：咨询 ZX20261130-0001 的工作人员答复（王芳，2026年11月30日）。\n")
    assert "不来自两份原始文件" in text
    draft = draft_of(path)
    assert draft["examples"] == ["社区有没有老年食堂？我爸 82 岁，电话138****5678"]
    [entry] = draft["entries"]
    assert entry["id"] == "staff_zx20261130_0001"
    assert entry["title"] == "社区有没有老年食堂"
    assert entry["answer"] == ANSWER
    assert entry["key_fact"] == "前进街道在临江村设有老年食堂，每天11:00至12:30供应午餐"
    assert entry["source"] == {"staff_answer": "ZX20261130-0001", "answered_by": "王芳", "as_of": "2026年11月30日"}
    assert validate_entry(entry) == []


def test_a_draft_is_not_live_and_passes_the_check_with_what_it_needs_to_go_live(desk, knowledge_dir, project):
    path = write_draft(knowledge_dir, answered(desk))

    assert [entry.id for entry in load_knowledge(knowledge_dir)] == list(FIXTURE_IDS)
    problems, [status] = check_drafts(knowledge_dir, project)
    assert problems == []
    assert status.path == path and status.entry_id == "staff_zx20261130_0001"
    assert status.to_go_live == (
        "把自动生成的 id“staff_zx20261130_0001”改成说明主题的英文名",
        "facts 里写上答复的要点，每句至少配 3 种问法",
        "把 entries 下的这一条移到 knowledge/staff_answers.yml 的 entries 里",
        "domain.yml 的 intents 里缺少 ask_staff_zx20261130_0001",
        "data/nlu/ 里没有 ask_staff_zx20261130_0001 的训练例句（至少要 22 句）",
        "data/rules/knowledge.yml 里缺少回答它的规则（intent: ask_staff_zx20261130_0001，然后 action: action_answer_question）",
        "data/rules/report.yml 的规则“填写中问了别的事，答完接着填”里缺少 - intent: ask_staff_zx20261130_0001",
    )


def test_any_text_staff_answer_with_survives_the_draft(desk, knowledge_dir):
    text = "- 地址: “临江村 #3” 'A栋'\n  {每周} 二、四 [上午]：8:30 开门！\n\t@ 备注 | > *"
    path = write_draft(knowledge_dir, answered(desk, question="#问: [食堂] {在哪} & *", text=text))

    draft = draft_of(path)
    assert draft["entries"][0]["answer"] == text
    assert draft["examples"] == ["#问: [食堂] {在哪} & *"]
    assert tidy(draft["entries"][0]["key_fact"]) in tidy(text)


def test_an_unanswered_consultation_gives_no_draft(desk, knowledge_dir):
    consultation = desk.open("widget:abc", "widget", QUESTION)

    with pytest.raises(DraftRefused) as refused:
        write_draft(knowledge_dir, consultation)

    assert str(refused.value) == (
        "咨询 ZX20261130-0001 还没有答复，不能生成草稿。请先答复："
        'python -m bot queue answer ZX20261130-0001 "答复内容"'
    )
    assert not (knowledge_dir / "drafts").exists()


def test_a_draft_staff_may_have_edited_is_never_overwritten(desk, knowledge_dir, edit):
    consultation = answered(desk)
    path = write_draft(knowledge_dir, consultation)
    edit(path, "title: 社区有没有老年食堂", "title: 临江村老年食堂")

    with pytest.raises(DraftRefused, match="已经存在"):
        write_draft(knowledge_dir, consultation)
    assert draft_of(path)["entries"][0]["title"] == "临江村老年食堂"


def test_cli_writes_the_draft_and_check_lists_it(desk, knowledge_dir, project, capsys):
    number = answered(desk).number

    assert run("knowledge", "draft", number.lower(), "--dir", "knowledge", "--project", ".") == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "草稿已写入 knowledge/drafts/ZX20261130-0001.yml，请审核修改；它不会自动上线。\n"
        "草稿 knowledge/drafts/ZX20261130-0001.yml (staff_zx20261130_0001) 检查通过，尚未上线。上线前还要：\n"
        "  1. 把自动生成的 id“staff_zx20261130_0001”改成说明主题的英文名\n"
    )
    assert run("knowledge", "check", "--dir", "knowledge", "--project", ".") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "知识库检查通过：5 条（2 个文件），每条都有意图、训练例句和规则"
    assert out[1] == "草稿 knowledge/drafts/ZX20261130-0001.yml (staff_zx20261130_0001) 检查通过，尚未上线。上线前还要："


def test_cli_explains_an_unanswered_or_unknown_consultation(desk, knowledge_dir, capsys):
    number = desk.open("widget:abc", "widget", QUESTION).number

    assert run("knowledge", "draft", number, "--dir", "knowledge") == 1
    assert capsys.readouterr().out == (
        "咨询 ZX20261130-0001 还没有答复，不能生成草稿。请先答复："
        'python -m bot queue answer ZX20261130-0001 "答复内容"\n'
    )
    assert run("knowledge", "draft", "ZX20261130-0099", "--dir", "knowledge") == 1
    assert capsys.readouterr().out == (
        "找不到咨询 ZX20261130-0099，请用 python -m bot queue list --kind consultation 查看编号\n"
    )
    assert not (knowledge_dir / "drafts").exists()


def test_a_broken_draft_fails_the_check_naming_file_field_and_fix(desk, knowledge_dir, project, edit, capsys):
    path = write_draft(knowledge_dir, answered(desk))
    edit(path, "  answer: |-", "  anwser: |-")
    edit(path, "as_of: 2026年11月30日", "as_of: 上周")

    assert run("knowledge", "check", "--dir", "knowledge", "--project", ".") == 1
    assert capsys.readouterr().out == (
        "knowledge/drafts/ZX20261130-0001.yml (staff_zx20261130_0001) 字段 anwser：未知字段（是否想写 answer？）\n"
        "knowledge/drafts/ZX20261130-0001.yml (staff_zx20261130_0001) 字段 answer：不能为空\n"
        "knowledge/drafts/ZX20261130-0001.yml (staff_zx20261130_0001) 字段 source.as_of："
        "“上周”应为答复的日期，例如 2026年11月30日\n"
        "知识库有 3 处问题，请修改后再运行 python -m bot knowledge check\n"
    )


@pytest.mark.parametrize(
    "old, new, problem",
    [
        pytest.param(
            "  source:\n    staff_answer: ZX20261130-0001\n    answered_by: 王芳\n    as_of: 2026年11月30日\n",
            "  source: {document: 000_dceba612ee25b974.txt, as_of: 2023年6月}\n",
            "字段 source：草稿来自工作人员答复，应保留 staff_answer、answered_by 和 as_of；原始文件里的内容请直接写进知识文件",
            id="document-source",
        ),
        pytest.param(
            "id: staff_zx20261130_0001", "id: elderly_lunch",
            "字段 id：与 knowledge/elderly.yml 第1条 (elderly_lunch) 重复。这份草稿如已上线，请删除草稿文件；否则请换一个 id",
            id="id-taken",
        ),
        pytest.param(
            "related: []", "related: [elderly_dinner]", "字段 related：找不到 id 为“elderly_dinner”的条目",
            id="related-unknown",
        ),
        pytest.param(
            "staff_answer: ZX20261130-0001", "staff_answer: 王芳说的",
            "字段 source.staff_answer：“王芳说的”应为咨询编号，例如 ZX20261130-0001",
            id="not-a-consultation",
        ),
    ],
)
def test_draft_problems(desk, knowledge_dir, project, edit, old, new, problem):
    path = write_draft(knowledge_dir, answered(desk))
    edit(path, old, new)

    problems, passed = check_drafts(knowledge_dir, project)

    entry_id = "elderly_lunch" if new == "id: elderly_lunch" else "staff_zx20261130_0001"
    assert problems == [f"knowledge/drafts/ZX20261130-0001.yml ({entry_id}) {problem}"] and passed == []


def go_live(knowledge_dir, draft_path, entry_id="elderly_canteen", file="staff_answers.yml"):
    """What the README tells staff to do: give the entry a name and move it into knowledge/staff_answers.yml."""
    text = draft_path.read_text(encoding="utf-8").replace("id: staff_zx20261130_0001", f"id: {entry_id}")
    entry = text[text.index("entries:\n"):text.index("examples:\n")]
    (knowledge_dir / file).write_text(entry, encoding="utf-8")
    draft_path.unlink()


def test_a_live_staff_answer_tells_residents_its_source(desk, knowledge_dir):
    go_live(knowledge_dir, write_draft(knowledge_dir, answered(desk)))

    knowledge = load_knowledge(knowledge_dir)

    entry = knowledge["elderly_canteen"]
    assert entry.file == "staff_answers.yml" and entry.source.from_staff
    assert entry.source.title == "前进街道工作人员答复"
    assert (entry.source.staff_answer, entry.source.answered_by) == ("ZX20261130-0001", "王芳")
    assert answer(knowledge, "elderly_canteen").text == f"{ANSWER}\n{STAFF_SOURCE_LINE}"
    # Entries from the documents keep their source line.
    assert answer(knowledge, "middle_school").text.endswith("（来源：前进街道2023年工作回顾与2024年工作思路，截至2023年6月）")


def test_staff_answers_and_document_facts_are_kept_in_separate_files(desk, knowledge_dir):
    go_live(knowledge_dir, write_draft(knowledge_dir, answered(desk)), file="elderly_more.yml")
    services = (knowledge_dir / "services.yml").read_text(encoding="utf-8")
    document_entry = services[services.index("  - id: middle_school"):services.index("  - id: street_overview")]
    (knowledge_dir / "staff_answers.yml").write_text(
        "entries:\n" + document_entry.replace("middle_school", "middle_school_copy"), encoding="utf-8"
    )

    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(knowledge_dir)

    assert caught.value.problems == [
        "knowledge/elderly_more.yml 第1条 (elderly_canteen) 字段 source："
        "工作人员答复（staff_answer）的条目只能放在 staff_answers.yml 里",
        "knowledge/staff_answers.yml 第1条 (middle_school_copy) 字段 source："
        "staff_answers.yml 只收工作人员答复（source 写 staff_answer），来自原始文件的条目请放在其他文件里",
    ]


def test_a_source_is_a_document_or_a_staff_answer_not_both(knowledge_dir, edit):
    edit(knowledge_dir / "services.yml", "source: {document: 000_dceba612ee25b974.txt, as_of: 2023年6月}",
         "source: {document: 000_dceba612ee25b974.txt, staff_answer: ZX20261130-0001, as_of: 2023年6月}")

    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(knowledge_dir)

    assert caught.value.problems == [
        "knowledge/services.yml 第2条 (middle_school) 字段 source：document（原始文件）和 staff_answer（工作人员答复）只能写一种"
    ]
