"""What a resident's question asks for ("在哪吃" asks where, "几张床位" how many), read from its words.

The same reading is applied to the questions staff list under a fact's `answers`, so a fact answers the kinds
of question its `answers` ask. Kinds that are also entry fields (`where`, `fee`, ...) are the ASPECTS. Both
readings are remembered per text: every question is held against the same fact questions again and again.
"""
import re
from functools import lru_cache
from typing import FrozenSet, Tuple

from bot.knowledge.schema import ASPECTS

# Extra kinds a follow-up may ask beyond the entry fields.
WHAT_TO_BRING, HOW_MANY, SIZE, WHEN, NEXT, OFFERS, WHAT = (
    "what_to_bring", "how_many", "size", "when", "next", "offers", "what"
)
KINDS = ASPECTS + (WHAT_TO_BRING, HOW_MANY, SIZE, NEXT, WHEN, OFFERS, WHAT)

_COUNTERS = "个张辆条家所名人位项次回趟栋幢处户只台间座批场期支块亩届班类种套件本"
# Each kind and the words that ask it; a question may ask several ("几点在哪" asks hours and where).
_PATTERNS: Tuple[Tuple[str, str], ...] = (
    ("hours", r"几点|什么时间开|开放时间|营业|开门|关门|上班时间|几点到几点|时间段|周末开|哪天|哪几天|星期几|周几|礼拜几"),
    ("fee", r"多少钱|收费|要钱|收钱|免费|费用|花钱|贵不贵|价格|价钱|付钱|交钱|自费|报销|门票|票价|买票"),
    ("contact", r"电话|联系|号码|热线|找谁|微信群|咨询谁|怎么找|咋找"),
    (WHAT_TO_BRING, r"带什么|带啥|证件|材料|身份证|户口本|证明|资料要"),
    ("how_to_apply", r"申请|报名|办理|手续|流程|怎么参加|怎么加入|预约|登记|怎么弄|怎么用|怎么领|怎么享受"),
    ("where", r"在哪里|在哪儿|去哪里|上哪里|在哪|去哪|上哪|哪里|哪儿|哪个地方|地址|地点|位置|怎么走|怎么去|在什么地方|哪个村|哪个社区|远不远"),
    (
        "eligibility",
        r"条件|资格|谁可以|谁能|符合|能不能|可不可以|可以.{0,3}吗|能.{0,3}吗|户口|户籍|外地|本地|外来|"
        r"几岁|多大的|多大年纪|年龄|给谁|什么人|哪些人|什么样的人|什么家庭|哪些家庭|针对|限制|要求",
    ),
    (SIZE, r"多大(?!的|年纪)|面积|平方|占地|多少平|规模"),
    (HOW_MANY, rf"(?<!电话)(?<!号码)(?<!手机)多少(?!钱|平)[{_COUNTERS}]?|几[{_COUNTERS}]|几(?=十|百|千|万)|数量|总共|一共|多不多"),
    # The next time: the documents tell what was done, never what is planned next ("下回啥时候").
    (NEXT, r"下回|下次|下一次|下一回|下一期|再办|还办|再来|什么时候再"),
    (WHEN, r"什么时候|啥时候|何时|哪年|哪一年|几月|多久|建成|开始|启用|成立|开通|建好|投用|以后|之前"),
    # Whether it offers something: "能量血压不", "有没有中医".
    (OFFERS, r"(?:能|可以)[^，。？?\s]{1,8}?(?:不|么)[？?。]?$|有没有"),
    (
        WHAT,
        r"干啥|干嘛|干什么|做什么|是什么|有什么|有啥|有哪些|啥内容|什么内容|什么活动|提供什么|包括|哪几|"
        r"些什么|些啥|什么课|啥课|还有别的|其他的|别的呢",
    ),
)
_COMPILED = tuple((kind, re.compile(pattern)) for kind, pattern in _PATTERNS)
_ALL_KIND_WORDS = re.compile("|".join(pattern for _, pattern in _PATTERNS))
# What is left of a question once its kind words and small words are taken out is what it is about.
_FILLER = re.compile(
    r"[\W_\d]|请问|你们|您们|我们|我家|我妈|我爸|我|你|您|那个|这个|那边|这边|那里|这里|那|这|它|"
    r"里面|一下|的|是|在|要|去|吗|呢|啊|呀|吧|了|么|嘛|哦|呗|还|都|也|就|和|跟|给|有|没有|可以|能|会|啥|什么|怎么|"
    r"岁|周岁|多少|几|哪|谁|个"
)
# A subject that ends like a place or an organisation names one ("图书馆", "派出所"): no follow-up about a topic
# that does not mention it.
_NAMES_A_PLACE = re.compile(r"[馆院站心场所室楼园店厂村区街路局处校厅部会池市堂司行队]$")


@lru_cache(maxsize=4096)
def kinds_asked(text: str) -> FrozenSet[str]:
    """Every kind of detail `text` asks for, e.g. {"eligibility"} for "我妈88岁能不能吃"."""
    text = text or ""
    kinds = frozenset(kind for kind, pattern in _COMPILED if pattern.search(text))
    return kinds - {WHEN} if NEXT in kinds else kinds


@lru_cache(maxsize=4096)
def subject_words(text: str) -> str:
    """What a question is about once the asking is taken out: "里面有几张床位" -> "床位"."""
    return _FILLER.sub("", _ALL_KIND_WORDS.sub("", text or ""))


def names_a_place(subject: str) -> bool:
    return bool(_NAMES_A_PLACE.search(subject or ""))


def bigrams(text: str) -> FrozenSet[str]:
    """Character pairs of `text` (Chinese has no spaces to split words on); a lone character counts alone."""
    text = re.sub(r"[\W_]", "", text or "")
    if len(text) == 1:
        return frozenset({text})
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))
