"""Staff commands print residents' words without the control characters that would act on the terminal."""
import pytest

from bot.terminal import for_staff


@pytest.mark.parametrize(
    "text, shown",
    [
        ("\x1b[2J\x1b[31m伪造", "伪造"),
        ("路灯坏了\x1b]0;标题\x07，请处理", "路灯坏了，请处理"),
        ("\x1bc重置", "重置"),
        ("第一行\r\n第二行\t完", "第一行 第二行 完"),
        ("响铃\x07\x00\x08退格", "响铃退格"),
        ("C1\x9b31m控制\x85", "C131m控制 "),
        ("地址\u202e南门\u202c口\u2066隔离\u2069\u200f", "地址南门口隔离"),
        ("电话13812345678，身份证330102199001011234", "电话138****5678，身份证[身份证号已隐藏]"),
        ("普通的描述：路灯坏了（3盏）", "普通的描述：路灯坏了（3盏）"),
        ("", ""),
    ],
)
def test_for_staff(text, shown):
    assert for_staff(text) == shown
