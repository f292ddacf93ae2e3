"""How a report and a ticket are shown to the resident; phone numbers appear masked everywhere after entry."""
from datetime import datetime
from typing import Iterable, Optional

from bot.governance import ReportView
from bot.governance.clock import local
from bot.personal_data.numbers import mask_personal_data
from bot.reporting import texts

# A description is shown in full up to this length; longer ones are shortened on screen only (stored whole).
SHOWN_DESCRIPTION = 120


def shown_phone(phone: Optional[str]) -> str:
    return mask_personal_data(phone) if phone else texts.PHONE_NONE


def _shown_description(description: str) -> str:
    description = mask_personal_data(description)
    return description if len(description) <= SHOWN_DESCRIPTION else description[:SHOWN_DESCRIPTION] + "……"


def render_summary(category: str, location: str, description: str, phone: Optional[str], photos: int = 0) -> str:
    """The summary the resident confirms before submitting."""
    summary = texts.SUMMARY.format(
        category=category,
        location=mask_personal_data(location),
        description=_shown_description(description),
        phone=shown_phone(phone),
    )
    if not photos:
        return summary
    fields, _, question = summary.rpartition("\n")
    return "\n".join((fields, texts.PHOTO_COUNT.format(count=photos), question))


def format_time(moment: datetime) -> str:
    """"2026年11月22日 14:05", in Asia/Shanghai whatever zone `moment` is in."""
    moment = local(moment)
    return texts.TIME_FORMAT.format(
        year=moment.year, month=moment.month, day=moment.day, hour=moment.hour, minute=moment.minute
    )


def render_submitted(view: ReportView) -> str:
    """The reply to a submitted report: its ticket number first, then what was filed (phone masked)."""
    details = texts.TICKET_DETAILS.format(
        category=view.category, location=mask_personal_data(view.location), phone=view.phone_masked or texts.PHONE_NONE
    )
    if view.photos:
        details += "\n" + texts.PHOTO_COUNT.format(count=len(view.photos))
    return texts.SUBMITTED.format(ticket_no=view.ticket_no, details=details)


def render_status(view: ReportView, sender_id: str) -> str:
    """One ticket's progress: status and when it last changed, plus category and place if `sender_id` filed it."""
    if view.sender_id != sender_id:
        return texts.TICKET_STATUS_OTHERS.format(
            ticket_no=view.ticket_no, status=view.status_label, updated=format_time(view.updated_at)
        )
    return texts.TICKET_STATUS.format(
        ticket_no=view.ticket_no,
        status=view.status_label,
        category=view.category,
        location=mask_personal_data(view.location),
        updated=format_time(view.updated_at),
    )


def render_following(view: ReportView, conversation: str) -> str:
    """The reply to a resident who chose to follow the open ticket of the same problem instead of filing again."""
    wording = texts.FOLLOWING_OWN if view.sender_id == conversation else texts.FOLLOWING
    return wording.format(ticket_no=view.ticket_no, status=view.status_label)


def render_recent(views: Iterable[ReportView]) -> str:
    """The resident's latest tickets, one line each, or "您还没有提交过工单"."""
    lines = [
        texts.RECENT_TICKET_LINE.format(
            ticket_no=view.ticket_no, category=view.category, status=view.status_label,
            updated=format_time(view.updated_at),
        )
        for view in views
    ]
    if not lines:
        return texts.NO_TICKETS
    return "\n".join([texts.RECENT_TICKETS, *lines, texts.RECENT_TICKETS_HINT])
