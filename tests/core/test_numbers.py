"""One definition of a personal number: what the report form accepts as a phone is masked everywhere, ID-card
numbers are masked too, and ticket numbers, dates, times and amounts are left alone."""
import pytest

from bot.personal_data.numbers import ID_CARD_MASK, mask_personal_data
from bot.reporting.phone import normalise_phone

MUST_MASK = [
    # The examples: accepted by the form, left readable by the old masking.
    ("1381 234 5678", "138****5678"),
    ("１３８１２３４５６７８", "138****5678"),
    ("0571 8765 4321", "0571-****4321"),
    # Mobiles.
    ("我的电话13812345678", "我的电话138****5678"),
    ("138 1234 5678", "138****5678"),
    ("138-1234-5678", "138****5678"),
    ("138—1234—5678", "138****5678"),
    ("+86 13812345678", "138****5678"),
    ("+86-138-1234-5678", "138****5678"),
    ("＋８６ １３８ １２３４ ５６７８", "138****5678"),
    ("0086 138 1234 5678", "138****5678"),
    ("8613812345678", "138****5678"),
    ("电话：13812345678。谢谢", "电话：138****5678。谢谢"),
    ("19912345678 找王阿姨", "199****5678 找王阿姨"),
    # Landlines with area code.
    ("0571-86912345", "0571-****2345"),
    ("(0571)86912345", "0571-****2345"),
    ("（０５７１）８６９１２３４５", "0571-****2345"),
    ("057186912345", "0571-****2345"),
    ("0571-8691234", "0571-****1234"),
    ("010 6691234", "010-****1234"),
    ("010-12345678", "010-****5678"),
    ("020 8765 4321", "020-****4321"),
    ("+86 0571 8765 4321", "0571-****4321"),
    # Local numbers without area code.
    ("打86912345找社区", "打****2345找社区"),
    ("8765-4321", "****4321"),
    ("8765 4321", "****4321"),
    # Several in one text.
    ("13812345678或0571-86912345", "138****5678或0571-****2345"),
    # Mainland ID cards: 18 digits (last may be X), with spaces, and the old 15-digit form.
    ("身份证330102199001011234", f"身份证{ID_CARD_MASK}"),
    ("33010219900101123X", ID_CARD_MASK),
    ("33010219900101123x号", f"{ID_CARD_MASK}号"),
    ("330102 19900101 123X", ID_CARD_MASK),
    ("３３０１０２１９９００１０１１２３Ｘ", ID_CARD_MASK),
    ("老身份证330102900101123", f"老身份证{ID_CARD_MASK}"),
    ("电话13812345678，身份证110101200001011234", f"电话138****5678，身份证{ID_CARD_MASK}"),
]

MUST_NOT_MASK = [
    "规上工业总产值514.36亿元，上报事件20952条",
    "20230615那天",
    "2023-06-15 14:30",
    "2023年6月15日下午2点半",
    "14:30:00",
    "2023-2024年度",
    "编号1381234567890",
    "1381234567",
    "12812345678",
    "QJ20240501-0001",
    "qj20240501 0001",
    "ＱＪ２０２４０５０１－０００１",
    "QJ20241231-12345",
    "楼号302，门牌1201",
    "金额22345678.9元",
    "3.22345678",
    "2345678",
    "message id 9f2e86912345a0b1",
    "550e8400-e29b-41d4-a716-446655440000",
    "123456789012345678901",
    "",
]


@pytest.mark.parametrize("text, masked", MUST_MASK)
def test_numbers_of_a_person_are_masked(text, masked):
    assert mask_personal_data(text) == masked
    assert mask_personal_data(masked) == masked


@pytest.mark.parametrize("text", MUST_NOT_MASK)
def test_other_figures_are_left_alone(text):
    assert mask_personal_data(text) == text


@pytest.mark.parametrize("text", [text for text, _ in MUST_MASK] + MUST_NOT_MASK)
def test_every_number_the_form_accepts_is_masked(text):
    number = normalise_phone(text)
    if number:
        assert number.replace("-", "") not in mask_personal_data(text).replace("-", "").replace(" ", "")
        assert normalise_phone(mask_personal_data(text)) is None
