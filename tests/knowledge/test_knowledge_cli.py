"""`knowledge check` and `knowledge list`, as staff run them."""
import argparse

from bot.knowledge import cli
from tests.knowledge.knowledge_paths import FIXTURE_IDS, PROJECT_ROOT
from tests.knowledge.training_data import write_training_data


def run(argv):
    parser = argparse.ArgumentParser(prog="python -m bot")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_check_passes(knowledge_dir, project, capsys):
    assert run(["knowledge", "check", "--dir", str(knowledge_dir), "--project", str(project)]) == 0
    assert capsys.readouterr().out == "知识库检查通过：5 条（2 个文件），每条都有意图、训练例句和规则\n"


def test_check_lists_every_problem_and_fails(knowledge_dir, project, edit, capsys):
    edit(knowledge_dir / "elderly.yml", "    answer: >-\n      2023年6月起", "    anwser: >-\n      2023年6月起")

    assert run(["knowledge", "check", "--dir", "knowledge", "--project", "."]) == 1
    assert capsys.readouterr().out == (
        "knowledge/elderly.yml 第1条 (elderly_lunch) 字段 anwser：未知字段（是否想写 answer？）\n"
        "knowledge/elderly.yml 第1条 (elderly_lunch) 字段 answer：不能为空\n"
        "知识库有 2 处问题，请修改后再运行 python -m bot knowledge check\n"
    )


def test_check_reports_a_topic_the_training_data_lacks_with_the_other_problems(knowledge_dir, project, edit, capsys):
    edit(knowledge_dir / "elderly.yml", "    answer: >-\n      2023年6月起", "    anwser: >-\n      2023年6月起")
    edit(project / "domain.yml", "  - ask_middle_school\n", "")

    assert run(["knowledge", "check", "--dir", "knowledge", "--project", "."]) == 1
    assert capsys.readouterr().out == (
        "knowledge/elderly.yml 第1条 (elderly_lunch) 字段 anwser：未知字段（是否想写 answer？）\n"
        "knowledge/elderly.yml 第1条 (elderly_lunch) 字段 answer：不能为空\n"
        "knowledge/services.yml 第2条 (middle_school)：domain.yml 的 intents 里缺少 ask_middle_school\n"
        "知识库有 3 处问题，请修改后再运行 python -m bot knowledge check\n"
    )


def test_check_of_the_project_as_it_is_passes(monkeypatch, capsys):
    monkeypatch.chdir(PROJECT_ROOT)
    monkeypatch.setenv("KNOWLEDGE_DIR", "knowledge")

    assert run(["knowledge", "check"]) == 0
    assert capsys.readouterr().out.startswith("知识库检查通过：")


def test_check_defaults_to_knowledge_dir_from_the_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(PROJECT_ROOT / "tests" / "knowledge" / "fixtures"))
    write_training_data(tmp_path, FIXTURE_IDS)

    assert run(["knowledge", "check", "--project", "."]) == 0
    assert "知识库检查通过：5 条" in capsys.readouterr().out


def test_list_shows_id_file_and_title(knowledge_dir, capsys):
    assert run(["knowledge", "list", "--dir", str(knowledge_dir)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert [line.split() for line in lines] == [
        ["elderly_lunch", "elderly.yml", "90周岁以上老人免费午餐"],
        ["elderly_day_care", "elderly.yml", "居家养老服务中心"],
        ["veterans_station", "services.yml", "临江村退伍军人服务站"],
        ["middle_school", "services.yml", "前进初中"],
        ["street_overview", "services.yml", "前进街道概况"],
    ]


def test_list_of_broken_knowledge_fails(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    assert run(["knowledge", "list", "--dir", "missing"]) == 1
    assert capsys.readouterr().out.startswith("missing：找不到知识库目录\n")
