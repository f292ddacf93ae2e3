"""What the conversation layer hands in when a resident confirms a report, and the checks it must pass."""
from dataclasses import dataclass
from typing import Optional

from bot.governance.categories import CATEGORIES
from bot.governance.errors import InvalidReport
from bot.governance.models import CHANNEL_LENGTH, KEY_LENGTH, LOCATION_LENGTH, PHONE_LENGTH

MAX_DESCRIPTION = 5000


@dataclass(frozen=True)
class ReportDraft:
    sender_id: str
    category: str
    location: str
    description: str
    phone: Optional[str]
    channel: str
    # The same key always means the same report: a resubmission (double tap, retried action) returns it again.
    idempotency_key: str


def validate(draft: ReportDraft) -> None:
    """Raise InvalidReport for a draft we cannot store exactly as given; nothing is trimmed or cut silently."""
    if draft.category not in CATEGORIES:
        raise InvalidReport(f"请从这几类里选一个：{'、'.join(CATEGORIES)}。")
    if not (draft.location or "").strip():
        raise InvalidReport("请告诉我问题发生的具体地点。")
    if not (draft.description or "").strip():
        raise InvalidReport("请简单描述一下遇到的问题。")
    if len(draft.location) > LOCATION_LENGTH:
        raise InvalidReport(f"地点写了{len(draft.location)}个字，最多{LOCATION_LENGTH}个字，请写得简短一些。")
    if len(draft.description) > MAX_DESCRIPTION:
        raise InvalidReport(f"问题描述有{len(draft.description)}个字，最多{MAX_DESCRIPTION}个字，请精简后再提交。")
    if draft.phone is not None and len(draft.phone) > PHONE_LENGTH:
        raise InvalidReport("联系电话太长了，请检查一下再填。")
    if any("\x00" in (value or "") for value in (draft.location, draft.description, draft.phone)):
        raise InvalidReport("内容里有无法保存的特殊字符，请删掉后再提交。")
    origin = ((draft.sender_id, KEY_LENGTH), (draft.idempotency_key, KEY_LENGTH), (draft.channel, CHANNEL_LENGTH))
    for value, limit in origin:
        if not (value or "").strip() or len(value) > limit:
            raise InvalidReport("暂时无法确认这次报事的来源，请稍后再试。")
