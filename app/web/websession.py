"""The web's signed session cookie: who signed in, and the CSRF token for form posts.

The cookie holds no API key. After sign-in it holds the key's id and a random session id,
signed and time-stamped with itsdangerous; every request checks the key again, so revoking a
key ends its sessions at once, and checks that the session was not signed out (`sign_out`
records its id), so a copy of the cookie kept after signing out is refused. The admin token
is for the API and the command line only: it cannot sign in here. The signing secret is
REGISTRY_SESSION_SECRET, or else derived from REGISTRY_ADMIN_TOKEN, so every worker process
shares it. With neither set, sign-in is off, except under `registry serve`, which then uses a
secret it keeps in var/ (`app.core.local_secret`).
Reading pages sets no cookie: one is written only when a form needs a CSRF token.
"""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session

from app.auth import service as auth_service
from app.core.caller import Caller
from app.core.enums import ActorKind
from app.core.models import utcnow
from app.core.settings import Settings

COOKIE_NAME = "registret_session"
MAX_AGE_SECONDS = 8 * 60 * 60
SALT = "registry-web-session"


@dataclass
class WebSession:
    data: dict[str, Any] = field(default_factory=dict)
    is_modified: bool = False
    is_enabled: bool = True

    def csrf_token(self) -> str:
        if "csrf" not in self.data:
            self.data["csrf"] = secrets.token_urlsafe(32)
            self.is_modified = True
        return self.data["csrf"]

    def is_valid_csrf(self, token: str | None) -> bool:
        expected = self.data.get("csrf")
        return bool(expected and token and hmac.compare_digest(expected.encode(), token.encode()))

    def sign_in(self, caller: Caller) -> None:
        """Start a fresh session (new CSRF token, so a planted one cannot survive sign-in)."""
        self.data = {
            "csrf": secrets.token_urlsafe(32),
            "sid": secrets.token_urlsafe(32),
            "key_id": str(caller.key_id),
            "organisation": caller.organisation_code,
        }
        self.is_modified = True

    def sign_out(self, session: Session | None = None) -> None:
        """Forget the sign-in; with a database session, also end it for every copy of the cookie."""
        if session is not None and "sid" in self.data:
            expires_at = utcnow() + timedelta(seconds=MAX_AGE_SECONDS)
            auth_service.end_web_session(session, self.data["sid"], expires_at)
        self.data = {}
        self.is_modified = True

    def flash(self, message: str) -> None:
        self.data["flash"] = message
        self.is_modified = True

    def pop_flash(self) -> str | None:
        message = self.data.pop("flash", None)
        self.is_modified = self.is_modified or message is not None
        return message


def session_secret(settings: Settings) -> str | None:
    if settings.session_secret is not None and settings.session_secret.get_secret_value():
        return settings.session_secret.get_secret_value()
    if settings.admin_token is not None:
        return hmac.new(settings.admin_token.get_secret_value().encode(), SALT.encode(), hashlib.sha256).hexdigest()
    return None


def _serializer(settings: Settings) -> URLSafeTimedSerializer | None:
    secret = session_secret(settings)
    return URLSafeTimedSerializer(secret, salt=SALT) if secret else None


def read_session(request: Request) -> WebSession:
    serializer = _serializer(request.app.state.settings)
    if serializer is None:
        return WebSession(is_enabled=False)
    cookie = request.cookies.get(COOKIE_NAME)
    if not cookie:
        return WebSession()
    try:
        data = serializer.loads(cookie, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return WebSession(is_modified=True)
    return WebSession(data=data if isinstance(data, dict) else {})


def save_session(request: Request, web_session: WebSession, response: Response) -> None:
    serializer = _serializer(request.app.state.settings)
    if serializer is None or not web_session.is_modified:
        return
    if not web_session.data:
        response.delete_cookie(COOKIE_NAME, path="/")
        return
    response.set_cookie(
        COOKIE_NAME,
        serializer.dumps(web_session.data),
        max_age=MAX_AGE_SECONDS,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_is_https(request),
    )


def signed_in_caller(session: Session, web_session: WebSession) -> Caller | None:
    """The caller the session stands for, checked against the current keys and signed-out sessions."""
    key_id, organisation = web_session.data.get("key_id"), web_session.data.get("organisation")
    session_id = web_session.data.get("sid")
    if not key_id or not organisation or not session_id or auth_service.is_web_session_ended(session, session_id):
        return None
    try:
        key = auth_service.find_key(session, organisation, uuid.UUID(key_id))
    except ValueError:
        return None
    if key is None or key.revoked_at is not None:
        return None
    return Caller(ActorKind.organisation, organisation_code=key.organisation_code, key_id=key.id)


WebSessionDep = Annotated[WebSession, Depends(read_session)]


def _is_https(request: Request) -> bool:
    # Behind a TLS-terminating proxy the request arrives as http; the public URL says the truth.
    return request.url.scheme == "https" or request.app.state.settings.public_url.startswith("https://")
