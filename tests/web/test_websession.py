import uuid
from types import SimpleNamespace

import pytest
from fastapi import Response
from pydantic import SecretStr

from app.auth import service as auth_service
from app.core.settings import Settings
from app.web import websession
from app.web.websession import WebSession

TOKEN = "admin-token-0123456789abcdef"


def request_with(settings: Settings, cookie: str | None = None):
    """The little of a request the session reads: the app's settings, the cookies and the URL scheme."""
    return SimpleNamespace(
        app=SimpleNamespace(state=SimpleNamespace(settings=settings)),
        cookies={websession.COOKIE_NAME: cookie} if cookie else {},
        url=SimpleNamespace(scheme="http"),
    )


def saved_cookie(settings: Settings, web: WebSession) -> str:
    response = Response()
    websession.save_session(request_with(settings), web, response)
    header = response.headers["set-cookie"]
    return header.split(";")[0].split("=", 1)[1]


class TestSessionSecret:
    def test_explicit_secret_wins(self):
        settings = Settings(session_secret=SecretStr("s" * 32), admin_token=TOKEN)
        assert websession.session_secret(settings) == "s" * 32

    def test_derived_from_the_admin_token_the_same_in_every_process(self):
        first, second = Settings(admin_token=TOKEN), Settings(admin_token=TOKEN)
        assert websession.session_secret(first) == websession.session_secret(second) != TOKEN

    def test_none_without_either(self):
        assert websession.session_secret(Settings(admin_token=None, session_secret=None)) is None


class TestReadSession:
    def test_round_trips_a_signed_cookie(self):
        settings = Settings(admin_token=TOKEN)
        web = WebSession()
        token = web.csrf_token()
        restored = websession.read_session(request_with(settings, saved_cookie(settings, web)))
        assert restored.is_valid_csrf(token) and not restored.is_valid_csrf("other")

    def test_a_tampered_or_foreign_cookie_is_ignored(self):
        settings = Settings(admin_token=TOKEN)
        web = WebSession(data={"key_id": "x"}, is_modified=True)
        cookie = saved_cookie(Settings(admin_token="another-token-0123456789"), web)
        assert websession.read_session(request_with(settings, cookie)).data == {}

    def test_disabled_without_a_secret(self):
        assert websession.read_session(request_with(Settings(admin_token=None))).is_enabled is False


class TestSignedInCaller:
    def test_an_organisation_key_stays_valid_until_revoked(self, session):
        key, _secret = auth_service.mint(session, "2281")
        web = WebSession()
        web.sign_in(websession.Caller(websession.ActorKind.organisation, "2281", key.id))
        assert websession.signed_in_caller(session, web).organisation_code == "2281"
        auth_service.revoke(key)
        assert websession.signed_in_caller(session, web) is None

    def test_a_signed_out_session_stays_out_for_every_copy(self, session):
        key, _secret = auth_service.mint(session, "2281")
        web = WebSession()
        web.sign_in(websession.Caller(websession.ActorKind.organisation, "2281", key.id))
        kept = WebSession(data=dict(web.data))
        web.sign_out(session)
        assert websession.signed_in_caller(session, kept) is None

    @pytest.mark.parametrize(
        "data", [{}, {"key_id": "not-a-uuid", "organisation": "2281", "sid": "x"}, {"admin": "fingerprint"}]
    )
    def test_anything_else_is_signed_out(self, session, data):
        assert websession.signed_in_caller(session, WebSession(data=data)) is None


class TestSignIn:
    def test_replaces_the_csrf_token(self):
        web = WebSession()
        before = web.csrf_token()
        web.sign_in(websession.Caller(websession.ActorKind.organisation, "2281", uuid.uuid4()))
        assert not web.is_valid_csrf(before) and web.data["csrf"]
