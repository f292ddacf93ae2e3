import pytest

from bot.reporting.phone import declines_phone, normalise_phone


@pytest.mark.parametrize(
    "text, expected",
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 13812345678", "13812345678"),
        ("+86-138-1234-5678", "13812345678"),
        ("８６１３８１２３４５６７８", "13812345678"),
        ("我的手机是13912345678", "13912345678"),
        ("0571-87654321", "0571-87654321"),
        ("057187654321", "0571-87654321"),
        ("(0571)87654321", "0571-87654321"),
        ("010-12345678", "010-12345678"),
        ("0571-8765432", "0571-8765432"),
        ("1381 234 5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("0571 8765 4321", "0571-87654321"),
        ("０５７１－８７６５４３２１", "0571-87654321"),
        ("电话13812345678，住3号楼", "13812345678"),
    ],
)
def test_valid_numbers_are_normalised(text, expected):
    assert normalise_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    ["12345", "1381234567", "138123456789", "12812345678", "87654321", "0571-123", "13812345678 13912345678",
     "330102199001011234", "20230615", "不留", ""],
)
def test_invalid_numbers_are_refused(text):
    assert normalise_phone(text) is None


@pytest.mark.parametrize("text", ["不留", "不留了", "匿名", "匿名吧", "不用", "不用了", "不想留", "跳过", "没有", "没有电话"])
def test_no_phone_words(text):
    assert declines_phone(text)


@pytest.mark.parametrize("text", ["13812345678", "138123", "我留一个", "好的"])
def test_numbers_and_other_words_are_not_a_refusal(text):
    assert not declines_phone(text)
