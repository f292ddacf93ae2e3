"""`python -m bot queue ...` as staff use it: output, masked phones, exit codes."""
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from bot.cli import main
from bot.governance import ReportQueue
from bot.governance.consultations import ConsultationDesk
from bot.governance.models import Photo
from bot.governance.notifications import NotificationBox
from bot.settings import PROJECT_ROOT
from tests.governance.conftest import API_KEY, draft

PHONE = "13812345678"


@pytest.fixture
def staff_db(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'governance.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    queue = ReportQueue.from_url(url)
    yield queue
    queue.close()


def run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_the_list_shows_reports_with_phones_masked(staff_db, capsys):
    ticket = staff_db.submit(draft(phone=PHONE, description=f"漏水严重，请打{PHONE}联系")).ticket_no

    code, out = run(capsys, "queue", "list")

    assert code == 0
    assert ticket in out and "已受理" in out and "安全隐患" in out
    assert "138****5678" in out and PHONE not in out
    assert "共 1 条" in out


def test_an_empty_list_says_so(staff_db, capsys):
    assert run(capsys, "queue", "list", "--status", "已办结") == (0, "没有符合条件的工单。\n")


def test_the_list_filters_by_day(staff_db, capsys):
    staff_db.clock = lambda: datetime(2024, 5, 1, 2, 0, tzinfo=timezone.utc)
    ticket = staff_db.submit(draft()).ticket_no

    assert ticket in run(capsys, "queue", "list", "--since", "2024-05-01", "--until", "2024-05-01")[1]
    assert ticket not in run(capsys, "queue", "list", "--since", "2024-05-02")[1]


def test_show_gives_the_whole_report_and_its_history(staff_db, capsys):
    long_text = "东侧围墙开裂" * 20 + f" 电话{PHONE}"
    ticket = staff_db.submit(draft(description=long_text)).ticket_no
    staff_db.set_status(ticket, "处理中", note="已通知物业")

    code, out = run(capsys, "queue", "show", ticket.lower())

    assert code == 0
    assert f"工单号：{ticket}" in out and "东侧围墙开裂" * 20 in out
    assert PHONE not in out and "138****5678" in out
    assert "已通知物业" in out and "（工作人员）" in out and "（小助手）" in out


def test_show_of_an_unknown_ticket_fails_politely(staff_db, capsys):
    assert run(capsys, "queue", "show", "QJ20240501-0042") == (1, "没有找到工单号 QJ20240501-0042，请核对后再试。\n")


@pytest.mark.parametrize("typed, label", [("处理中", "处理中"), ("in_progress", "处理中"), ("CLOSED", "已办结")])
def test_set_status_takes_chinese_or_english(staff_db, capsys, typed, label):
    ticket = staff_db.submit(draft()).ticket_no

    code, out = run(capsys, "queue", "set-status", ticket, typed, "--note", "已派人处理")

    assert (code, out) == (0, f"{ticket} 已改为「{label}」，居民会在所用渠道收到这条进度（连同说明）。\n")
    history = staff_db.get(ticket).history
    assert (history[-1].status_label, history[-1].note, history[-1].source) == (label, "已派人处理", "staff")
    (note,) = NotificationBox(staff_db).take_for("resident-1")
    assert label in note.text and "已派人处理" in note.text


def test_set_status_of_an_unknown_ticket_fails_politely(staff_db, capsys):
    assert run(capsys, "queue", "set-status", "QJ20240501-0042", "closed")[0] == 1


@pytest.mark.parametrize("argv, message", [
    (["queue", "set-status", "QJ20240501-0001", "办好了"], "没有“办好了”这个状态"),
    (["queue", "list", "--since", "5月1日"], "请写成 YYYY-MM-DD"),
])
def test_bad_arguments_are_explained_in_chinese(staff_db, capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_deliver_once_hands_reports_on_and_names_the_refused(staff_db, capsys, monkeypatch, backend):
    monkeypatch.setenv("EVENTS_BACKEND_URL", backend.url)
    monkeypatch.setenv("EVENTS_BACKEND_API_KEY", API_KEY)
    delivered = staff_db.submit(draft()).ticket_no

    code, out = run(capsys, "queue", "deliver", "--once")

    assert code == 0 and "已转派 1 件" in out
    assert staff_db.get(delivered).status_label == "已转派"

    monkeypatch.setenv("EVENTS_BACKEND_API_KEY", "wrong-key")
    refused = staff_db.submit(draft()).ticket_no
    code, out = run(capsys, "queue", "deliver", "--once")
    assert "被拒收 1 件" in out and f"queue show {refused}" in out
    assert "⚠ 被拒收" in run(capsys, "queue", "list")[1]
    assert "api_key 无效" in run(capsys, "queue", "show", refused)[1]
    assert f"queue resend {refused}" in run(capsys, "queue", "show", refused)[1]

    monkeypatch.setenv("EVENTS_BACKEND_API_KEY", API_KEY)
    code, out = run(capsys, "queue", "resend", refused)
    assert code == 0 and "已重新排队" in out
    assert "已转派 1 件" in run(capsys, "queue", "deliver", "--once")[1]
    assert staff_db.get(refused).status_label == "已转派"
    code, out = run(capsys, "queue", "resend", refused)
    assert code == 1 and "不需要重发" in out


def test_the_commands_are_wired_into_python_m_bot(staff_db):
    ticket = staff_db.submit(draft()).ticket_no

    result = subprocess.run([sys.executable, "-m", "bot", "queue", "list"], cwd=PROJECT_ROOT, env=dict(os.environ),
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert ticket in result.stdout and PHONE not in result.stdout


FORGED = "\x1b[2J\x1b[31m伪造"


@pytest.mark.parametrize("command", ["list", "show"])
def test_resident_text_reaches_the_terminal_without_control_characters_or_id_numbers(staff_db, capsys, command):
    description = f"{FORGED}\u202e漏水，身份证330102199001011234，电话1381 234 5678"
    ticket = staff_db.submit(draft(description=description, location=f"前悦社区{FORGED}南门")).ticket_no

    code, out = run(capsys, "queue", command, *([ticket] if command == "show" else []))

    assert code == 0 and ticket in out
    assert "伪造漏水，身份证[身份证号已隐藏]，电话138" in out and "前悦社区伪造南门" in out
    assert not any(char in out for char in "\x1b\u202e") and "330102199001011234" not in out


def test_consultations_are_listed_apart_from_reports(staff_db, capsys):
    desk = ConsultationDesk(staff_db)
    ticket = staff_db.submit(draft()).ticket_no
    asked = desk.open("widget:w-1", "widget", f"低保怎么申请？我电话{PHONE}")
    desk.add(asked.number, "widget:w-1", "家里两口人")
    answered = desk.open("wechat:o-1", "wechat", "社保卡丢了怎么办")
    desk.answer(answered.number, "到社区服务中心补办", staff="张敏")

    code, out = run(capsys, "queue", "list", "--kind", "consultation")

    assert code == 0 and ticket not in out
    assert f"{asked.number}  待答复" in out and "（补充 1 条）" in out and "138****5678" in out and PHONE not in out
    assert f"{answered.number}  已答复" in out and "答复人 张敏" in out and "共 2 条" in out
    assert asked.number not in run(capsys, "queue", "list")[1]
    only_open = run(capsys, "queue", "list", "--kind", "consultation", "--status", "待答复")[1]
    assert asked.number in only_open and answered.number not in only_open
    assert run(capsys, "queue", "list", "--kind", "consultation", "--status", "answered")[1].count("ZX") == 1


def test_a_status_of_the_other_kind_is_explained(staff_db, capsys):
    code, out = run(capsys, "queue", "list", "--kind", "consultation", "--status", "已办结")

    assert code == 2 and "留言的状态只有：待答复/open、已答复/answered" in out
    assert run(capsys, "queue", "list", "--status", "待答复")[0] == 2


def test_show_gives_a_consultation_with_its_context_additions_and_answer(staff_db, capsys):
    desk = ConsultationDesk(staff_db)
    asked = desk.open("widget:w-1", "widget", "低保怎么申请？", context=f"居民：你好\n小助手：您好{FORGED}")
    desk.add(asked.number, "widget:w-1", f"我的电话 {PHONE}")

    code, out = run(capsys, "queue", "show", asked.number.lower())

    assert code == 0
    assert f"留言编号：{asked.number}" in out and "状态：待答复" in out and "问题：低保怎么申请？" in out
    assert "对话上文（居民同意提供）：\n  居民：你好\n  小助手：您好伪造" in out and "\x1b" not in out
    assert "补充（" in out and "我的电话 138****5678" in out and PHONE not in out
    assert f'python -m bot queue answer {asked.number} "答复内容"' in out

    desk.answer(asked.number, "请带户口本到社区服务中心办理", staff="张敏")
    out = run(capsys, "queue", "show", asked.number)[1]
    assert "状态：已答复" in out and "答复（张敏，" in out and "  请带户口本到社区服务中心办理" in out


def test_show_of_an_unknown_consultation_fails_politely(staff_db, capsys):
    assert run(capsys, "queue", "show", "ZX20240501-0042") == (1, "没有找到留言编号 ZX20240501-0042，请核对后再试。\n")


def test_answer_stores_who_answered_and_prints_what_the_resident_receives(staff_db, capsys):
    desk = ConsultationDesk(staff_db)
    asked = desk.open("wechat:o-1", "wechat", "低保怎么申请？")
    other = desk.open("wechat:o-2", "wechat", "社保卡丢了")

    code, out = run(capsys, "queue", "answer", asked.number, f"请带户口本到社区服务中心，电话 {PHONE}", "--staff", "张敏")

    assert code == 0
    assert f"已答复 {asked.number}（答复人：张敏）。居民将在所用渠道收到：" in out
    assert f"您的留言（编号 {asked.number}）工作人员已答复：" in out and "138****5678" in out and PHONE not in out
    (note,) = NotificationBox(staff_db).take_for("wechat:o-1")
    assert note.text == out.split("收到：\n")[1].replace("  ", "").strip()
    assert desk.get(asked.number).answered_by == "张敏"

    result = subprocess.run([sys.executable, "-m", "bot", "queue", "answer", other.number, "到社区补办"],
                            cwd=PROJECT_ROOT, env={**os.environ, "USER": "liwei", "LOGNAME": "liwei"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert desk.get(other.number).answered_by == "liwei"


def test_answering_twice_or_an_unknown_number_is_refused(staff_db, capsys):
    asked = ConsultationDesk(staff_db).open("rest-1", "rest", "问题")
    assert run(capsys, "queue", "answer", asked.number, "第一个答复", "--staff", "张敏")[0] == 0

    code, out = run(capsys, "queue", "answer", asked.number, "第二个答复", "--staff", "李华")

    assert code == 1 and f"留言 {asked.number} 已由 张敏 于" in out and "不能再答复一次" in out
    assert ConsultationDesk(staff_db).get(asked.number).answer == "第一个答复"
    assert run(capsys, "queue", "answer", "ZX20240501-0042", "答复")[1] == (
        "没有找到留言编号 ZX20240501-0042，请核对后再试。\n")
    assert "答复内容是空的" in run(capsys, "queue", "answer", asked.number, "  ")[1]


def test_a_dissatisfied_resident_flags_the_report_for_a_return_visit(staff_db, capsys):
    unhappy, happy = staff_db.submit(draft()).ticket_no, staff_db.submit(draft()).ticket_no
    for ticket in (unhappy, happy):
        staff_db.set_status(ticket, "已办结")
    staff_db.rate("resident-1", "满意", happy)
    staff_db.rate("resident-1", "不满意", unhappy)
    staff_db.comment_on_rating("resident-1", unhappy, f"根本没人来，回电{PHONE}")

    listed = run(capsys, "queue", "list")[1].splitlines()
    shown = run(capsys, "queue", "show", unhappy)[1]

    assert [line for line in listed if "待回访" in line] == [next(line for line in listed if unhappy in line)]
    assert "居民评价：不满意，待回访（" in shown and "评价说明：根本没人来，回电138****5678" in shown
    assert "居民评价：满意（" in run(capsys, "queue", "show", happy)[1]


def test_the_satisfaction_report_counts_ratings_by_category_and_month(staff_db, capsys):
    assert run(capsys, "report", "satisfaction") == (0, "还没有居民评价过已办结的工单。\n")
    moments = {"2026-10": datetime(2026, 10, 31, 15, 0, tzinfo=timezone.utc),  # 2026-10-31 23:00 in Shanghai
               "2026-11": datetime(2026, 10, 31, 16, 0, tzinfo=timezone.utc)}  # 2026-11-01 00:00 in Shanghai
    ratings = [("2026-10", "安全隐患", "满意"), ("2026-11", "安全隐患", "满意"), ("2026-11", "安全隐患", "基本满意"),
               ("2026-11", "安全隐患", "不满意"), ("2026-11", "环境卫生", "不满意")]
    for month, category, rating in ratings:
        staff_db.clock = lambda: moments[month]
        ticket = staff_db.submit(draft(category=category)).ticket_no
        staff_db.set_status(ticket, "closed")
        staff_db.rate("resident-1", rating, ticket)
    staff_db.submit(draft())  # not closed, not rated: not counted

    code, out = run(capsys, "report", "satisfaction")

    assert code == 0
    assert out.splitlines()[1:5] == [
        "2026-11  安全隐患  评价 3 件：满意 1（33%）  基本满意 1（33%）  不满意 1（33%）  待回访 1 件",
        "2026-11  环境卫生  评价 1 件：满意 0（0%）  基本满意 0（0%）  不满意 1（100%）  待回访 1 件",
        "2026-10  安全隐患  评价 1 件：满意 1（100%）  基本满意 0（0%）  不满意 0（0%）  待回访 0 件",
        "合计  评价 5 件：满意 2（40%）  基本满意 1（20%）  不满意 2（40%）  待回访 2 件",
    ]


def test_show_gives_the_photo_links_the_shared_location_and_the_followers(staff_db, capsys, monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://bot.example.org")
    with staff_db.writing() as session:
        for token, kind in (("tok-first", "image/jpeg"), ("tok-second", "image/png")):
            session.add(Photo(token=token, conversation="resident-1", content_type=kind, size=1000, width=40,
                              height=30, created_at=datetime.now(timezone.utc)))
    ticket = staff_db.submit(draft(photos=("tok-first", "tok-second"), latitude=30.2875, longitude=120.3512)).ticket_no
    staff_db.follow(ticket, "resident-2", "wechat")
    staff_db.follow(ticket, "resident-3", "widget")

    code, out = run(capsys, "queue", "show", ticket)

    assert code == 0
    assert "照片1：https://bot.example.org/photos/tok-first.jpg" in out
    assert "照片2：https://bot.example.org/photos/tok-second.png" in out
    assert "纬度 30.287500，经度 120.351200" in out
    assert "关注的居民：2 人" in out
    listed = run(capsys, "queue", "list")[1]
    assert "照片 2 张" in listed and "2 人关注" in listed


def test_show_of_a_plain_report_has_no_photo_location_or_follower_lines(staff_db, capsys):
    ticket = staff_db.submit(draft()).ticket_no

    out = run(capsys, "queue", "show", ticket)[1]

    assert "照片" not in out and "定位" not in out and "关注" not in out
