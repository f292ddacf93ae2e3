"""Every URL of the console. The server needs a signed-in account for all of them but the sign-in page, and a
CSRF token for every POST; the security tests walk this list, so a new page is covered as soon as it is listed.

A module with pages of its own exposes `ROUTES` (a tuple of web.Route) and is added below.
"""
from bot.console import (
    asks,
    audit_pages,
    consultation_pages,
    dashboard,
    knowledge_page,
    queue_pages,
    signin,
    ticket_pages,
)
from bot.console.web import Route

ROUTES = (
    Route("GET", "/login", signin.signin_form, public=True),
    Route("POST", "/login", signin.sign_in, changes=True, public=True),
    Route("POST", "/logout", signin.sign_out, changes=True),
    Route("GET", "/", signin.home),
    *queue_pages.ROUTES,
    *ticket_pages.ROUTES,
    *consultation_pages.ROUTES,
    *audit_pages.ROUTES,
    *asks.ROUTES, *knowledge_page.ROUTES, *dashboard.ROUTES,
)
