"""/asks: what residents asked that the bot could not answer (`report unanswered`'s list), and for a question that
staff have already answered in a consultation, one click to draft a knowledge entry from it (`knowledge draft`).

A consultation answers a question when its words are the question's, or contain them: the bot offers the
question it could not answer as the one to leave for staff, so the two are usually the same text.
"""
import html
from typing import Dict, List, Optional

from bot import settings
from bot.console import audit, insights_texts as texts, web
from bot.console.topics import topic_name
from bot.conversation_store import default_db_url
from bot.governance.clock import local
from bot.governance.consultations import ANSWERED, ConsultationDesk, ConsultationView
from bot.governance.queue import open_queue
from bot.governance.tickets import normalise_consultation
from bot.knowledge import KnowledgeError, shared_store
from bot.knowledge.drafts import DraftRefused, check_drafts, drafts_dir, write_draft
from bot.knowledge.loader import shown
from bot.staff_reports.unanswered import TrackerStoreError, find_unanswered, normalised
from bot.terminal import for_staff

SHOWN_QUESTIONS = 50
# Answered consultations looked through for each list (the newest first).
ANSWERED_LOOKED_AT = 500
_SHOWN_ANSWER_CHARS = 120
STYLE = "td.question { min-width: 11em; }"


def asks_page(request: web.Request) -> web.Response:
    notice, kind = "", ""
    try:
        questions = find_unanswered(default_db_url(), limit=SHOWN_QUESTIONS)
    except TrackerStoreError as error:
        questions, notice, kind = [], str(error), "error"
    try:
        knowledge = shared_store().current()
    except KnowledgeError:
        knowledge = None
    answered = ConsultationDesk(open_queue()).list(status=ANSWERED, limit=ANSWERED_LOOKED_AT)
    rows = []
    for question in questions:
        consultation = answering(question.text, answered)
        guess = f"{topic_name(question.guess, knowledge)} {question.confidence:.2f}" if question.guess else "-"
        last_seen = local(question.last_seen.astimezone())  # the report gives this machine's local time
        rows.append(
            f'<tr><td class="nowrap">{question.count}</td><td class="nowrap">{last_seen:%Y-%m-%d %H:%M}</td>'
            f'<td class="words question">{html.escape(question.text)}</td><td>{html.escape(guess)}</td>'
            f"<td>{_staff_answer(request, consultation)}</td></tr>"
        )
    table = (
        '<div class="table-wrap"><table><thead><tr>'
        + "".join(f'<th scope="col">{label}</th>' for label in (
            texts.ASKS_COUNT, texts.ASKS_LAST, texts.ASKS_QUESTION, texts.ASKS_GUESS, texts.ASKS_STAFF_ANSWER))
        + f'</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        if rows else f'<p class="card">{html.escape(texts.ASKS_NONE)}</p>'
    )
    body = f"<h1>{texts.ASKS_TITLE}</h1>{_draft_status(request)}<p>{html.escape(texts.ASKS_INTRO)}</p>{table}"
    return web.html_page(request, texts.ASKS_TITLE, body, notice=notice, notice_kind=kind, style=STYLE)


def draft(request: web.Request) -> web.Response:
    """Write the knowledge entry draft of an answered consultation, as `python -m bot knowledge draft` does."""
    number = (request.form.get("number") or "").strip()
    consultation = ConsultationDesk(open_queue()).get(number)
    if consultation is None:
        return web.error_page(request, 404, texts.DRAFT_UNKNOWN.format(number=number))
    try:
        path = write_draft(settings.path("KNOWLEDGE_DIR"), consultation)
    except DraftRefused as refused:
        return web.error_page(request, 409, str(refused))
    audit.record(request.account, "draft_knowledge", consultation.number, shown(path))
    return web.redirect(web.with_query("/asks", draft=consultation.number))


def answering(question: str, answered: List[ConsultationView]) -> Optional[ConsultationView]:
    """The newest answered consultation whose question is `question` (as shown to staff), or contains it."""
    for consultation in answered:
        words = for_staff(normalised(consultation.question))
        if question == words or (question and question in words):
            return consultation
    return None


def _staff_answer(request: web.Request, consultation: Optional[ConsultationView]) -> str:
    if consultation is None:
        return f'<span class="muted">{texts.ASKS_NO_ANSWER}</span>'
    answer = for_staff(consultation.answer or "")
    if len(answer) > _SHOWN_ANSWER_CHARS:
        answer = answer[:_SHOWN_ANSWER_CHARS] + "…"
    number = html.escape(consultation.number)
    shown_answer = (f'<p><a href="/consultations/{number}">{number}</a> '
                    f"{html.escape(consultation.answered_by or '')}：{html.escape(answer)}</p>")
    path = drafts_dir(settings.path("KNOWLEDGE_DIR")) / f"{consultation.number}.yml"
    if path.exists():
        return shown_answer + f'<p class="muted">{html.escape(texts.DRAFT_EXISTS.format(path=shown(path)))}</p>'
    return shown_answer + (
        f'<form method="post" action="/asks/draft">{web.csrf_field(request)}'
        f'<input type="hidden" name="number" value="{number}">'
        f'<button type="submit" aria-label="{texts.DRAFT_BUTTON}：{number}">{texts.DRAFT_BUTTON}</button></form>'
    )


def _draft_status(request: web.Request) -> str:
    """After a draft was written: where it went, and what it still needs (`knowledge check` on that draft)."""
    number = normalise_consultation(request.query.get("draft", ""))
    directory = settings.path("KNOWLEDGE_DIR")
    path = drafts_dir(directory) / f"{number}.yml"
    if number is None or not path.is_file():
        return ""
    problems, passed = check_drafts(directory, settings.PROJECT_ROOT, only=path)
    steps: Dict[str, List[str]] = {texts.DRAFT_PROBLEMS: problems,
                                   texts.DRAFT_STEPS: [step for status in passed for step in status.to_go_live]}
    lists = "".join(
        f"<p>{heading}</p><ol>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ol>"
        for heading, items in steps.items() if items
    )
    return (f'<div class="notice ok" role="status" id="draft-written">'
            f"<p><strong>{html.escape(texts.DRAFT_WRITTEN.format(path=shown(path)))}</strong></p>{lists}</div>")


ROUTES = (
    web.Route("GET", "/asks", asks_page),
    web.Route("POST", "/asks/draft", draft, changes=True),
)
