"""The web's signed session cookie: who signed in, and the CSRF token for form posts.

The cookie holds no API key. After sign-in it holds the key's id (or, for the admin, a
fingerprint of the admin token), signed and time-stamped with itsdangerous; every request
checks the key again, so revoking a key (or rotating the admin token) ends its sessions at
once. The signing secret is REGISTRY_SESSION_SECRET, or else derived from
REGISTRY_ADMIN_TOKEN, so every worker process shares it. With neither set, sign-in is off, except
under `registry serve`, which then uses a secret it keeps in var/ (`app.core.local_secret`).
Reading pages sets no cookie: one is written only when a form needs a CSRF token.
"""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session

from app.auth import service as auth_service
from app.core.caller import ADMIN, Caller
from app.core.enums import ActorKind
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

    def sign_in(self, caller: Caller, settings: Settings) -> None:
        """Start a fresh session (new CSRF token, so a planted one cannot survive sign-in)."""
        self.data = {"csrf": secrets.token_urlsafe(32)}
        if caller.actor_kind == ActorKind.admin:
            self.data["admin"] = admin_fingerprint(settings)
        else:
            self.data["key_id"] = str(caller.key_id)
            self.data["organisation"] = caller.organisation_code
        self.is_modified = True

    def sign_out(self) -> None:
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


def admin_fingerprint(settings: Settings) -> str | None:
    if settings.admin_token is None:
        return None
    return hashlib.sha256(b"web-admin:" + settings.admin_token.get_secret_value().encode()).hexdigest()


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


def signed_in_caller(session: Session, web_session: WebSession, settings: Settings) -> Caller | None:
    """The caller the session stands for, checked against the current keys and admin token."""
    if "admin" in web_session.data:
        fingerprint = admin_fingerprint(settings)
        is_current = fingerprint is not None and hmac.compare_digest(web_session.data["admin"], fingerprint)
        return ADMIN if is_current else None
    key_id, organisation = web_session.data.get("key_id"), web_session.data.get("organisation")
    if not key_id or not organisation:
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
