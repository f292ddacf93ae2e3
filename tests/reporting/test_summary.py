from datetime import datetime, timedelta, timezone

from bot.reporting import texts
from bot.reporting.summary import format_time, render_summary


def test_summary_masks_the_phone_and_says_anonymous_without_one():
    text = render_summary("公共设施", "前悦社区门口", "路灯坏了好几天了", "13812345678")
    assert "138****5678" in text and "13812345678" not in text
    assert "公共设施" in text and "前悦社区门口" in text and "路灯坏了好几天了" in text
    assert texts.PHONE_NONE in render_summary("公共设施", "前悦社区门口", "路灯坏了", "")


def test_summary_masks_a_phone_typed_into_the_description():
    text = render_summary("其他", "某处", "有事请打13812345678找我", None)
    assert "13812345678" not in text


def test_long_descriptions_are_shortened_on_screen_only():
    text = render_summary("其他", "某处", "灯" * 1500, None)
    assert "灯" * 120 in text and "灯" * 121 not in text


def test_times_are_shown_in_shanghai():
    assert format_time(datetime(2026, 11, 22, 6, 5, tzinfo=timezone.utc)) == "2026年11月22日 14:05"
    assert format_time(datetime(2026, 1, 5, 9, 5, tzinfo=timezone(timedelta(hours=8)))) == "2026年1月5日 09:05"


def test_attached_photos_are_counted_before_the_question_and_not_mentioned_otherwise():
    with_photos = render_summary("公共设施", "前悦社区门口", "路灯坏了好几天了", None, photos=2)
    assert with_photos.endswith("联系电话：未留（匿名）\n照片：2张\n没问题的话请点「确认提交」。")
    assert "照片" not in render_summary("公共设施", "前悦社区门口", "路灯坏了好几天了", None)
