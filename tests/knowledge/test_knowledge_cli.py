"""`knowledge check` and `knowledge list`, as staff run them."""
import argparse

from bot.knowledge import cli
from tests.knowledge.knowledge_paths import PROJECT_ROOT


def run(argv):
    parser = argparse.ArgumentParser(prog="python -m bot")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_check_passes(knowledge_dir, capsys):
    assert run(["knowledge", "check", "--dir", str(knowledge_dir)]) == 0
    assert capsys.readouterr().out == "知识库检查通过：5 条（2 个文件）\n"


def test_check_lists_every_problem_and_fails(knowledge_dir, edit, capsys):
    edit(knowledge_dir / "elderly.yml", "    answer: >-\n      2023年6月起", "    anwser: >-\n      2023年6月起")

    assert run(["knowledge", "check", "--dir", "knowledge"]) == 1
    assert capsys.readouterr().out == (
        "knowledge/elderly.yml 第1条 (elderly_lunch) 字段 anwser：未知字段（是否想写 answer？）\n"
        "knowledge/elderly.yml 第1条 (elderly_lunch) 字段 answer：不能为空\n"
        "知识库有 2 处问题，请修改后再运行 python -m bot knowledge check\n"
    )


def test_check_defaults_to_knowledge_dir_from_the_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(PROJECT_ROOT / "tests" / "knowledge" / "fixtures"))

    assert run(["knowledge", "check"]) == 0
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
