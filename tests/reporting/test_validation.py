import pytest

from bot.reporting.fields import CATEGORY, DESCRIPTION, LOCATION, PHONE, field_named_in
from bot.reporting.validation import (
    describes_problem,
    description_problem,
    looks_like_place,
    place_as_written,
    place_problem,
    refined_place,
    under_recognised_name,
)


def test_location_must_be_given_and_short():
    assert place_problem("前悦社区3幢楼下") is None
    assert place_problem("   ") is not None
    assert place_problem("路" * 200) is None
    assert "201" in place_problem("路" * 201)


def test_description_between_4_and_2000_characters():
    assert description_problem("路灯坏了") is None
    assert description_problem("坏了") is not None
    assert description_problem("灯" * 2000) is None
    message = description_problem("灯" * 5000)
    assert "5000" in message and "2000" in message and "精简" in message


def test_emoji_and_sql_looking_text_are_acceptable():
    assert description_problem("路灯坏了😡😡 '; DROP TABLE reports;--") is None
    assert place_problem("'; DROP TABLE reports;--") is None


@pytest.mark.parametrize(
    "text", ["小区门口路灯坏了好几天了", "楼道堆满杂物有火灾隐患", "邻居装修天天吵到半夜", "我要投诉楼下饭店油烟", "报修，单元门禁坏了"]
)
def test_first_messages_that_describe_the_problem(text):
    assert describes_problem(text)


@pytest.mark.parametrize("text", ["我要反映问题", "我想反映个情况", "我要投诉", "帮我登记一个问题", "/report_problem", "反映问题", ""])
def test_first_messages_that_only_ask_to_report(text):
    assert not describes_problem(text)


@pytest.mark.parametrize(
    "text, field",
    [
        ("地点写错了", LOCATION),
        ("地址不对", LOCATION),
        ("改一下描述", DESCRIPTION),
        ("电话填错了", PHONE),
        ("手机号输错了", PHONE),
        ("类别选错了", CATEGORY),
        ("问题描述", DESCRIPTION),
        ("我要修改", None),
        ("没问题", None),
    ],
)
def test_which_field_a_correction_is_about(text, field):
    assert field_named_in(text) == field


@pytest.mark.parametrize("text", ["在前进村三组", "前悦社区南门口", "3幢楼下", "临江花园2单元", "三丰村村口", "学校对面",
                                  "医院东门", "前峰村那边"])
def test_a_place_looks_like_one(text):
    assert looks_like_place(text)


@pytest.mark.parametrize("text", ["是的", "不对，是交通的问题", "马路上有个大坑", "换一个", "其他", "那边有好几盏灯"])
def test_other_answers_do_not_look_like_a_place(text):
    assert not looks_like_place(text)


@pytest.mark.parametrize("text, name, place", [
    ("前悦社区3幢楼下的路灯不亮了", "前悦社区", "前悦社区3幢楼下"),
    ("三丰村村口的路灯不亮了", "三丰村", "三丰村村口"),
    ("前峰村三组路口有个大坑", "前峰村", "前峰村三组路口"),
    ("前乐佳苑5栋2单元楼道里堆满杂物", "前乐佳苑", "前乐佳苑5栋2单元楼道"),
    ("前悦社区三号楼201室漏水到楼下", "前悦社区", "前悦社区三号楼201室"),
    ("前新社区东门口乱停车", "前新社区", "前新社区东门口"),
    ("前乐佳苑大门口堆满杂物", "前乐佳苑", "前乐佳苑大门口"),
    ("临江村 2 组那边有人烧垃圾", "临江村", "临江村 2 组那边"),
    # Nothing that describes the place follows: the name alone.
    ("前峰村有人乱倒建筑垃圾", "前峰村", "前峰村"),
    ("路灯不亮了，在前悦社区", "前悦社区", "前悦社区"),
    ("前悦社区路灯坏了", "前悦社区", "前悦社区"),
    ("前悦社区公共设施坏了", "前悦社区", "前悦社区"),
    ("前悦社区的3幢楼下路灯不亮", "前悦社区", "前悦社区"),
    ("前悦社区2024年就坏了", "前悦社区", "前悦社区"),
    # Recognised under another spelling (a synonym): the name as recognised.
    ("前悦小区3幢路灯坏了", "前悦社区", "前悦社区"),
])
def test_a_recognised_place_is_kept_with_what_describes_it_right_after(text, name, place):
    assert place_as_written(text, name) == place


@pytest.mark.parametrize("kept, text, better", [
    ("前悦社区", "前悦社区3幢楼下", "前悦社区3幢楼下"),
    ("前悦社区", "在前悦社区三幢楼下。", "前悦社区三幢楼下"),
    ("前悦社区", "是前悦社区3幢楼下", "前悦社区3幢楼下"),
    ("前悦社区", "地点是前悦社区3幢楼下", "前悦社区3幢楼下"),
    ("3幢楼下", "前悦社区3幢楼下", "前悦社区3幢楼下"),
    ("前悦社区3幢", "前悦社区3幢2单元门口", "前悦社区3幢2单元门口"),
    ("前悦社区3幢", "前悦社区5幢", "前悦社区5幢"),
    ("三丰村", "三丰村村口", "三丰村村口"),
    # The same place or less of it: the kept one stands.
    ("前悦社区", "前悦社区", "前悦社区"),
    ("前悦社区3幢楼下", "前悦社区", "前悦社区3幢楼下"),
    ("前悦社区3幢楼下", "在前悦社区3幢。", "前悦社区3幢楼下"),
    # Not a place alone, another estate, or no estate to go by.
    ("前悦社区", "前悦社区3幢楼下的灯还是不亮", None),
    ("前悦社区", "前悦社区3幢楼下吗", None),
    ("前悦社区", "地点错了，是前悦社区3幢楼下", None),
    ("前悦社区", "前新社区3幢楼下", None),
    ("前悦社区", "3幢楼下", None),
    ("前悦社区", "13812345678", None),
    ("前悦社区", "对", None),
    ("前悦社区", "没有照片", None),
    ("前悦社区", "不留", None),
    ("前悦社区", "仍然提交", None),
])
def test_a_place_alone_about_the_kept_one_gives_the_place_to_keep(kept, text, better):
    assert refined_place(kept, text) == better


@pytest.mark.parametrize("text, said, text_named", [
    ("前悦小区3幢楼下的路灯不亮了", "前悦小区", "前悦社区3幢楼下的路灯不亮了"),
    ("前悦小区3幢楼下的路灯不亮了", "前悦", "前悦社区3幢楼下的路灯不亮了"),
    ("前悦3幢楼下", "前悦", "前悦社区3幢楼下"),
    ("前悦社区3幢楼下", "前悦", "前悦社区3幢楼下"),
    ("前悦社区3幢楼下", None, "前悦社区3幢楼下"),
    ("路灯不亮", "前悦", "路灯不亮"),
])
def test_a_place_recognised_under_another_spelling_is_read_under_its_name(text, said, text_named):
    assert under_recognised_name(text, said, "前悦社区") == text_named
