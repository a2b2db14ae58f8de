"""Signing out ends the session on the server: a copy of the cookie kept by someone (or left in
a browser's storage) opens nothing afterwards. Against a real server, with a real cookie."""

import httpx
from sqlalchemy.engine import Engine

from app.auth import service as auth_service
from app.core.db import session_scope
from app.web.websession import COOKIE_NAME
from tests.web.html import hidden_value


def _mint(engine: Engine) -> str:
    with session_scope(engine) as session:
        _key, secret = auth_service.mint(session, "2281")
    return secret


class TestSignOut:
    def test_a_cookie_copied_before_sign_out_gets_no_access_after_it(self, live_server, committed):
        secret = _mint(committed)
        with httpx.Client(base_url=live_server, timeout=10) as browser:
            csrf = hidden_value(browser.get("/logga-in").text, "csrf")
            assert browser.post("/logga-in", data={"key": secret, "csrf": csrf}).status_code == 303
            copied = browser.cookies[COOKIE_NAME]
            with httpx.Client(base_url=live_server, timeout=10, cookies={COOKIE_NAME: copied}) as thief:
                assert thief.get("/initiativ/nytt").status_code == 200
                page = browser.get("/")
                browser.post("/logga-ut", data={"csrf": hidden_value(page.text, "csrf")})
                after = thief.get("/initiativ/nytt")
        assert (after.status_code, after.headers["location"]) == (303, "/logga-in?next=/initiativ/nytt")
