"""The Ed25519 keys that sign tree heads: from configuration, or generated once and stored."""

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from pydantic import SecretStr
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.changes.log.models import LogKey
from app.changes.log.schemas import KeyRead, PublicKeys
from app.core.models import utcnow
from app.core.problems import Conflict


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def signing_key(session: Session, configured: SecretStr | None) -> Ed25519PrivateKey:
    """The key that signs tree heads now: the configured one, else the stored one in use
    (generated on first use)."""
    if configured is not None:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(configured.get_secret_value()))
    stored = _current(session) or _generate(session)
    return Ed25519PrivateKey.from_private_bytes(stored.private_key)


def rotate(session: Session, configured: SecretStr | None) -> PublicKeys:
    """Retire the stored key in use and generate its successor; the old one stays listed."""
    if configured is not None:
        raise Conflict("The signing key comes from REGISTRY_LOG_SIGNING_KEY: rotate it there.")
    old = _current(session)
    if old is not None:
        old.current, old.retired_at = None, utcnow()
        session.add(old)
        session.flush()
    _generate(session)
    return listing(session, configured)


def listing(session: Session, configured: SecretStr | None) -> PublicKeys:
    key = signing_key(session, configured)
    in_use = public_bytes(key)
    stored = session.exec(select(LogKey).order_by(col(LogKey.created_at).desc())).all()
    created = next((row.created_at for row in stored if row.public_key == in_use), None)
    return PublicKeys(
        public_key=base64.b64encode(in_use).decode(),
        created_at=created,
        previous_keys=[
            KeyRead(
                public_key=base64.b64encode(row.public_key).decode(),
                created_at=row.created_at,
                retired_at=row.retired_at,
            )
            for row in stored
            if row.public_key != in_use
        ],
    )


def _current(session: Session) -> LogKey | None:
    return session.exec(select(LogKey).where(LogKey.current == True)).first()  # noqa: E712


def _generate(session: Session) -> LogKey:
    key = Ed25519PrivateKey.generate()
    row = LogKey(
        public_key=public_bytes(key),
        private_key=key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another worker generated the first key at the same moment: use theirs
        return session.exec(select(LogKey).where(LogKey.current == True)).one()  # noqa: E712
    return row
