"""Organisation API keys: minted with a random secret, stored only as a hash."""

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.auth.models import ApiKey, EndedWebSession
from app.core.caller import ADMIN, Caller
from app.core.enums import ActorKind
from app.core.models import utcnow

KEY_PREFIX = "reg_"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def mint(session: Session, organisation_code: str, label: str | None = None) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is shown this once and never stored."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(organisation_code=organisation_code, label=label, secret_hash=hash_secret(secret))
    session.add(key)
    session.flush()
    return key, secret


def list_keys(session: Session, organisation_code: str) -> list[ApiKey]:
    query = select(ApiKey).where(ApiKey.organisation_code == organisation_code).order_by(col(ApiKey.created_at))
    return list(session.exec(query))


def find_key(session: Session, organisation_code: str, key_id: uuid.UUID) -> ApiKey | None:
    key = session.get(ApiKey, key_id)
    return key if key is not None and key.organisation_code == organisation_code else None


def revoke(key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key


def authenticate(session: Session, token: str, admin_token: str | None) -> Caller | None:
    """The caller a bearer token stands for, or None when it is unknown or revoked."""
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return ADMIN
    key = session.exec(select(ApiKey).where(ApiKey.secret_hash == hash_secret(token))).first()
    if key is None or key.revoked_at is not None:
        return None
    return Caller(ActorKind.organisation, organisation_code=key.organisation_code, key_id=key.id)


def end_web_session(session: Session, session_id: str, expires_at: datetime) -> None:
    """Record a signed-out web session, and forget those whose cookies have expired anyway."""
    session.execute(delete(EndedWebSession).where(col(EndedWebSession.expires_at) < utcnow()))
    if session.get(EndedWebSession, session_id) is None:
        session.add(EndedWebSession(id=session_id, expires_at=expires_at))
    session.flush()


def is_web_session_ended(session: Session, session_id: str) -> bool:
    return session.get(EndedWebSession, session_id) is not None
