"""/consultations/<ZX…>: a question a resident left for staff, and the form that answers it, once, as
`python -m bot queue answer` does (the answer reaches the resident on their channel; the answerer is the signed-in
account)."""
import html

from bot.console import audit, texts, web
from bot.governance.consultations import MAX_QUESTION, ConsultationDesk, ConsultationView
from bot.governance.errors import GovernanceError
from bot.governance.queue import open_queue
from bot.terminal import for_staff


def consultation_page(request: web.Request) -> web.Response:
    consultation = ConsultationDesk(open_queue()).get(request.path_params["number"])
    if consultation is None:
        return _unknown(request)
    done = texts.ANSWER_SAVED if request.query.get("done") == "answered" else ""
    return _page(request, consultation, notice=done, notice_kind="ok" if done else "")


def answer(request: web.Request) -> web.Response:
    desk = ConsultationDesk(open_queue())
    text = request.form.get("answer", "")
    try:
        answered = desk.answer(request.path_params["number"], text, staff=request.account)
    except GovernanceError as error:
        consultation = desk.get(request.path_params["number"])
        if consultation is None:
            return _unknown(request)
        return _page(request, consultation, notice=str(error), notice_kind="error", draft=text, status=400)
    audit.record(request.account, "answer", answered.number, answered.answer)
    return web.redirect(f"/consultations/{answered.number}?done=answered")


def _unknown(request: web.Request) -> web.Response:
    return web.error_page(request, 404, texts.UNKNOWN_CONSULTATION_PAGE.format(
        number=request.path_params["number"][:40]))


def _page(request: web.Request, consultation: ConsultationView, notice: str = "", notice_kind: str = "",
          draft: str = "", status: int = 200) -> web.Response:
    number = html.escape(consultation.number)
    facts = [
        ("渠道", html.escape(texts.channel_label(consultation.channel))),
        ("留言时间", f"{consultation.created_at:%Y-%m-%d %H:%M}"),
        ("问题", f'<span class="words">{html.escape(for_staff(consultation.question))}</span>'),
    ]
    if consultation.context:
        lines = "".join(f"<li>{html.escape(for_staff(line))}</li>"
                        for line in consultation.context.splitlines() if line.strip())
        facts.append(("对话上文", f'<ul class="history">{lines}</ul><span class="muted">（居民同意提供）</span>'))
    for at, text in consultation.additions:
        facts.append((f"补充（{at:%m-%d %H:%M}）", html.escape(for_staff(text))))
    body = (
        f'<p><a href="/consultations">← 返回居民留言</a></p><h1>留言 {number} '
        f'<span class="tag {consultation.status}">{html.escape(consultation.status_label)}</span></h1>'
        '<section class="card" aria-labelledby="facts"><h2 id="facts">居民的问题</h2><dl class="facts">'
        + "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts)
        + f"</dl></section>{_answer_part(request, consultation, draft)}"
    )
    return web.html_page(request, f"留言 {consultation.number}", body, status=status, notice=notice,
                         notice_kind=notice_kind)


def _answer_part(request: web.Request, consultation: ConsultationView, draft: str) -> str:
    if consultation.answered_at is not None:
        return ('<section class="card" aria-labelledby="answer"><h2 id="answer">答复</h2>'
                f'<p class="muted">{html.escape(for_staff(consultation.answered_by or ""))}，'
                f'{consultation.answered_at:%Y-%m-%d %H:%M}</p>'
                f'<p class="words">{html.escape(consultation.answer or "")}</p></section>')
    return (
        '<section class="card" aria-labelledby="answer"><h2 id="answer">答复居民</h2>'
        f'<form class="stack" method="post" action="/consultations/{html.escape(consultation.number)}/answer">'
        f'{web.csrf_field(request)}<div><label for="answer-text">答复内容（发出后不能修改，居民会在所用渠道收到）</label>'
        f'<textarea id="answer-text" name="answer" maxlength="{MAX_QUESTION}" required>{html.escape(draft)}</textarea>'
        '</div><div><button type="submit">发送答复</button></div></form></section>'
    )


ROUTES = (
    web.Route("GET", "/consultations/{number}", consultation_page),
    web.Route("POST", "/consultations/{number}/answer", answer, changes=True),
)
