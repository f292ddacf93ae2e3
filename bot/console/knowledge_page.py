"""/knowledge: every entry as residents read it, grouped by file, with `knowledge check`'s result on top; and
/knowledge/try: what the running bot would answer a question (bot/console/try_question.py).

Editing stays in the YAML files, which are versioned: each entry says which file and id to change.
"""
import html
from itertools import groupby
from typing import Optional

from bot import settings
from bot.console import insights_texts as texts, web
from bot.console.topics import topic_name
from bot.console.try_question import BotUnreachable, TriedQuestion, try_question
from bot.knowledge import KnowledgeError, Reply, answer, shared_store
from bot.knowledge.cli import check_knowledge
from bot.knowledge.drafts import describe
from bot.knowledge.loader import shown
from bot.reporting.validation import DESCRIPTION_MAX as MAX_QUESTION_CHARS

STYLE = """
.bubble { background: #eef5ee; border: 1px solid #cfe3cf; border-radius: 10px; padding: 10px 14px;
  white-space: pre-wrap; overflow-wrap: anywhere; max-width: 680px; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.chip { border: 1px solid var(--accent); color: var(--accent); border-radius: 14px; padding: 2px 12px;
  background: #fff; }
.entry h3 { margin: 0 0 4px; font-size: 18px; }
.edit { font-size: 14px; }
.edit code { background: #eef2f6; padding: 0 4px; border-radius: 4px; }
.try { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; }
.try div { flex: 1 1 280px; }
ul.problems { margin: 8px 0 0; padding-left: 20px; }
.toc { display: flex; flex-wrap: wrap; gap: 6px 16px; }
"""


def knowledge_page(request: web.Request) -> web.Response:
    directory = settings.path("KNOWLEDGE_DIR")
    checked = check_knowledge(directory, settings.PROJECT_ROOT)
    status = (f'<div class="notice {"error" if checked.problems else "ok"}" role="status">'
              f"{html.escape(checked.summary())}")
    if checked.problems:
        status += (f"<p>{html.escape(texts.KNOWLEDGE_PROBLEMS)}</p><ul class=\"problems\">"
                   + "".join(f"<li>{html.escape(problem)}</li>" for problem in checked.problems) + "</ul>")
    status += "</div>"
    drafts = ""
    if checked.drafts:
        drafts = (f'<section class="card"><h2>{html.escape(texts.KNOWLEDGE_DRAFTS)}</h2>'
                  + "".join(f'<p class="words">{html.escape(describe(draft))}</p>' for draft in checked.drafts)
                  + "</section>")
    knowledge = checked.knowledge
    if knowledge is None:
        try:
            knowledge = shared_store().current()  # the last good version this console read
        except KnowledgeError:
            knowledge = None
    entries = ""
    if knowledge is None:
        entries = f'<p class="card">{html.escape(texts.KNOWLEDGE_NOT_LOADED)}</p>'
    else:
        files = [(file, list(group)) for file, group in groupby(knowledge, key=lambda entry: entry.file)]
        toc = "".join(
            f'<a href="#file-{index}">{html.escape(file)}（{texts.KNOWLEDGE_ENTRY_COUNT.format(count=len(group))}）</a>'
            for index, (file, group) in enumerate(files))
        entries = f'<nav class="card toc" aria-label="{texts.KNOWLEDGE_FILES}">{toc}</nav>'
        for index, (file, group) in enumerate(files):
            path = shown(directory / file)
            entries += f'<section id="file-{index}"><h2>{html.escape(path)}</h2>'
            for entry in group:
                entries += (
                    f'<article class="card entry" id="entry-{html.escape(entry.id)}">'
                    f"<h3>{html.escape(entry.title)}</h3>"
                    f'<p class="edit muted">{_edit_line(path, entry.id)}</p>'
                    f"{reply_html(answer(knowledge, entry.id))}</article>"
                )
            entries += "</section>"
    body = (f"<h1>{texts.KNOWLEDGE_TITLE}</h1>{status}{try_form()}<p>{html.escape(texts.KNOWLEDGE_INTRO)}</p>"
            f"{drafts}{entries}")
    return web.html_page(request, texts.KNOWLEDGE_TITLE, body, style=STYLE)


def try_page(request: web.Request) -> web.Response:
    """The box, and with a question what the running bot would answer: a GET, since nothing changes or is stored."""
    asked = "question" in request.query
    question = " ".join((request.query.get("question") or "").split())
    result, error = "", ""
    if asked:
        if not question:
            error = texts.TRY_EMPTY
        elif len(question) > MAX_QUESTION_CHARS:
            error = texts.TRY_TOO_LONG.format(length=len(question), limit=MAX_QUESTION_CHARS)
        else:
            try:
                knowledge = shared_store().current()
                result = tried_html(try_question(question, knowledge), knowledge)
            except BotUnreachable as unreachable:
                error = str(unreachable)
            except KnowledgeError:
                error = texts.KNOWLEDGE_NOT_LOADED
    body = (f'<h1>{texts.KNOWLEDGE_TITLE}</h1><p><a href="/knowledge">{texts.ALL_ENTRIES}</a></p>'
            f"{try_form(question)}{result}")
    return web.html_page(request, texts.TRY_TITLE, body, style=STYLE, notice=error,
                         notice_kind="error" if error else "")


def try_form(question: str = "") -> str:
    return (
        f'<form class="card" method="get" action="/knowledge/try" role="search"><h2>{texts.TRY_TITLE}</h2>'
        f'<p class="muted">{html.escape(texts.TRY_HINT)}</p><div class="try">'
        f'<div><label for="try-question">{texts.TRY_LABEL}</label>'
        f'<input type="text" id="try-question" name="question" value="{html.escape(question)}" '
        f'maxlength="{MAX_QUESTION_CHARS}" required></div>'
        f'<button type="submit">{texts.TRY_BUTTON}</button></div></form>'
    )


def tried_html(tried: TriedQuestion, knowledge) -> str:
    others = "、".join(f"{topic_name(name, knowledge)} {confidence:.2f}" for name, confidence in tried.ranking[1:4])
    facts = (
        f'<dl class="facts"><dt>{texts.TRY_TOPIC}</dt>'
        f'<dd id="tried-topic">{html.escape(topic_name(tried.intent, knowledge))}</dd>'
        f'<dt>{texts.TRY_CONFIDENCE}</dt><dd id="tried-confidence">{tried.confidence:.2f}</dd>'
        f"<dt>{texts.TRY_OTHERS}</dt><dd>{html.escape(others or '-')}</dd></dl>"
    )
    reply = reply_html(tried.reply) if tried.reply else f'<p>{html.escape(texts.TRY_BY_FLOW)}</p>'
    return (f'<section class="card" id="tried" aria-live="polite"><h2>“{html.escape(tried.text)}”</h2>{facts}'
            f"<h3>{texts.TRY_REPLY}</h3>{reply}</section>")


def reply_html(reply: Optional[Reply]) -> str:
    """A reply as the chat shows it: its text as written, its buttons below (here only to read, not to press)."""
    if reply is None:
        return ""
    chips = ""
    if reply.buttons:
        chips = (f'<div class="chips" aria-label="{texts.TRY_BUTTONS}">'
                 + "".join(f'<span class="chip">{html.escape(title)}</span>' for title, _ in reply.buttons) + "</div>")
    return f'<div class="bubble">{html.escape(reply.text)}</div>{chips}'


def _edit_line(path: str, entry_id: str) -> str:
    return html.escape(texts.KNOWLEDGE_EDIT.format(file=path, entry_id=entry_id)).replace(
        html.escape(path), f"<code>{html.escape(path)}</code>", 1).replace(
        f" {html.escape(entry_id)} ", f" <code>{html.escape(entry_id)}</code> ", 1)


ROUTES = (
    web.Route("GET", "/knowledge", knowledge_page),
    web.Route("GET", "/knowledge/try", try_page),
)
