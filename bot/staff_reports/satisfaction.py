"""How residents rated their closed reports, by category and month (Asia/Shanghai, the month of the rating):
how many of each rating and their share, and how many 不满意 reports wait for a return visit (回访)."""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Dict, List, Optional, Tuple

from sqlalchemy import select

from bot.governance.categories import CATEGORIES
from bot.governance.clock import local
from bot.governance.models import Report
from bot.governance.queue import ReportQueue
from bot.governance.statuses import RATINGS


@dataclass
class RatingGroup:
    month: str  # YYYY-MM
    category: str
    ratings: Counter = field(default_factory=Counter)
    revisits: int = 0

    @property
    def total(self) -> int:
        return sum(self.ratings.values())

    def share(self, rating: str) -> str:
        return f"{self.ratings[rating] * 100 / self.total:.0f}%" if self.total else "-"


def ratings_by_month(queue: ReportQueue) -> List[RatingGroup]:
    """Every rated report counted once, grouped by month (newest first), then category (in their usual order)."""
    return _grouped(queue, lambda rated_at: f"{local(rated_at):%Y-%m}")


def ratings_by_category(queue: ReportQueue, since: datetime) -> List[RatingGroup]:
    """The reports rated since `since`, one group per category (in their usual order); `month` is empty."""
    return _grouped(queue, lambda rated_at: "", since)


def _grouped(queue: ReportQueue, month_of: Callable[[datetime], str], since: Optional[datetime] = None
             ) -> List[RatingGroup]:
    query = select(Report.rated_at, Report.category, Report.satisfaction, Report.revisit).where(
        Report.satisfaction.is_not(None))
    if since is not None:
        query = query.where(Report.rated_at >= since)
    with queue.reading() as session:
        rows = session.execute(query).all()
    groups: Dict[Tuple[str, str], RatingGroup] = defaultdict(lambda: RatingGroup("", ""))
    for rated_at, category, rating, revisit in rows:
        month = month_of(rated_at)
        group = groups[(month, category)]
        group.month, group.category = month, category
        group.ratings[rating] += 1
        group.revisits += int(bool(revisit))
    by_category = sorted(groups.values(), key=lambda group: CATEGORIES.index(group.category))
    return sorted(by_category, key=lambda group: group.month, reverse=True)


def format_report(groups: List[RatingGroup]) -> str:
    if not groups:
        return "还没有居民评价过已办结的工单。"
    lines = ["居民满意度（按评价月份、类别；百分比为该组中的占比）"]
    for group in groups:
        shares = "  ".join(f"{rating} {group.ratings[rating]}（{group.share(rating)}）" for rating in RATINGS)
        lines.append(f"{group.month}  {group.category}  评价 {group.total} 件：{shares}  待回访 {group.revisits} 件")
    total = RatingGroup("", "", sum((group.ratings for group in groups), Counter()),
                        sum(group.revisits for group in groups))
    shares = "  ".join(f"{rating} {total.ratings[rating]}（{total.share(rating)}）" for rating in RATINGS)
    lines.append(f"合计  评价 {total.total} 件：{shares}  待回访 {total.revisits} 件")
    lines.append("待回访的工单可用 `python -m bot queue list` 查看（标有“☎ 不满意，待回访”）。")
    return "\n".join(lines)
