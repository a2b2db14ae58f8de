"""Jinja2 templates with the Swedish formatting filters, and the per-request page helper."""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from app.core.caller import Caller
from app.core.db import SessionDep
from app.initiatives import reads as initiative_reads
from app.organisations import service as organisation_service
from app.web import charts, formatting, labels
from app.web.websession import WebSession, WebSessionDep, save_session, signed_in_caller

R = TypeVar("R", bound=Response)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters.update(
    sek=formatting.sek,
    measure=formatting.measure,
    compact_sek=formatting.compact_sek,
    significant_sek=formatting.significant_sek,
    number=formatting.number,
    percent=formatting.percent,
    day=formatting.day,
    moment=formatting.moment,
    status_label=labels.status_label,
    category_label=labels.category_label,
    field_label=labels.field_label,
    input_label=labels.input_label,
    county_name=labels.county_name,
    genitive=labels.genitive,
)
templates.env.globals.update(
    labels=labels,
    charts=charts,
    formatting=formatting,
)


# No scripts at all, nothing from other hosts, no framing: the pages need none of it.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@dataclass
class Page:
    """What every page needs: the request, the web session and who is signed in."""

    request: Request
    web: WebSession
    caller: Caller | None
    caller_name: str | None
    shows_demo: bool = False  # the demo loader's invented records are in the registry

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        context |= {"page": self, "flash": self.web.pop_flash()}
        response = templates.TemplateResponse(self.request, template, context, status_code=status_code)
        return self._finish(response)

    def redirect(self, url: str) -> RedirectResponse:
        return self._finish(RedirectResponse(url, status_code=303))

    def not_found(self, what: str) -> HTMLResponse:
        return self.render("error.html", status_code=404, heading="Sidan finns inte", message=what)

    def csrf_failed(self) -> HTMLResponse:
        return self.render(
            "error.html",
            status_code=403,
            heading="Formuläret har gått ut",
            message="Formuläret kunde inte skickas eftersom sessionen har gått ut eller formuläret kom från en annan "
            "sida. Gå tillbaka, ladda om sidan och försök igen.",
        )

    def csrf_token(self) -> str:
        return self.web.csrf_token()

    def _finish(self, response: R) -> R:
        response.headers.update(SECURITY_HEADERS)
        if self.web.data:
            # A page with a sign-in or a form token is personal: no shared cache may keep it.
            response.headers["Cache-Control"] = "no-store"
        save_session(self.request, self.web, response)
        return response


ERROR_PAGES = {
    404: ("Sidan finns inte", "Det finns ingen sida med den adressen. Kontrollera länken eller sök bland initiativen."),
    400: ("Förfrågan kunde inte läsas", "Adressen eller formuläret innehåller något som registret inte kan läsa."),
    405: ("Det går inte att göra så här", "Sidan tar inte emot den sortens förfrågan."),
    422: ("Uppgifterna godtas inte", "Något värde i adressen eller formuläret är ogiltigt. Gå tillbaka och rätta det."),
    503: ("Registret är tillfälligt otillgängligt", "Registret når inte sin databas just nu. Försök igen om en stund."),
}
GENERIC_ERROR = ("Något gick fel", "Ett oväntat fel inträffade hos oss. Det har loggats; försök igen senare.")


def error_page(request: Request, status_code: int) -> HTMLResponse:
    """The Swedish page for an error outside the API, shown without reading the session."""
    heading, message = ERROR_PAGES.get(status_code, GENERIC_ERROR)
    page = Page(request=request, web=WebSession(is_enabled=False), caller=None, caller_name=None)
    return page.render("error.html", status_code=status_code, heading=heading, message=message)


def current_page(request: Request, session: SessionDep, web: WebSessionDep) -> Page:
    caller = signed_in_caller(session, web)
    if caller is None and "key_id" in web.data:
        web.sign_out()  # the key was revoked or the session signed out: forget the stale sign-in
    return Page(
        request=request,
        web=web,
        caller=caller,
        caller_name=_caller_name(session, caller),
        shows_demo=initiative_reads.exists_demo(session),
    )


def _caller_name(session, caller: Caller | None) -> str | None:
    if caller is None:
        return None
    if caller.organisation_code is None:
        return "registrets administratör"
    organisation = organisation_service.get(session, caller.organisation_code)
    return organisation.name if organisation else caller.organisation_code


PageDep = Annotated[Page, Depends(current_page)]


@dataclass(kw_only=True)
class Editor(Page):
    """A page for someone signed in: who may write is decided by the services, as for the API."""

    signed_in: Caller


class SignInRequired(Exception):
    """Raised by `EditorDep` for a visitor who is not signed in; answered with the sign-in page."""

    def __init__(self, page: Page) -> None:
        super().__init__("sign-in required")
        self.page = page


def current_editor(page: PageDep) -> Editor:
    if page.caller is None:
        raise SignInRequired(page)
    return Editor(
        request=page.request,
        web=page.web,
        caller=page.caller,
        caller_name=page.caller_name,
        shows_demo=page.shows_demo,
        signed_in=page.caller,
    )


EditorDep = Annotated[Editor, Depends(current_editor)]
LOCAL_PATH = re.compile(r"/(?![/\\])[^\\\s\x00-\x1f\x7f]*")


def local_path(target: str) -> str:
    """Only this site's own paths, so a form's `next` cannot send anyone elsewhere: "/…" but never
    "//host" or "/\\host", and nothing a browser drops before reading the address (a tab or a
    line break turns "/<tab>/host" into "//host")."""
    return target if LOCAL_PATH.fullmatch(target) else "/"


async def redirect_to_sign_in(_request: Request, required: SignInRequired) -> Response:
    page = required.page
    page.web.flash("Logga in med din organisations nyckel för att registrera eller ändra initiativ.")
    return page.redirect(f"/logga-in?next={page.request.url.path}")
