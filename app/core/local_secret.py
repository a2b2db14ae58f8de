"""A secret made once on this machine and kept in a file only its owner may read: what signs the
web's session cookie on a local run when REGISTRY_SESSION_SECRET is not set."""

import os
import secrets
from pathlib import Path


def read_or_create(path: Path) -> str:
    """The secret in `path`, created (mode 0600) when there is none yet. Creating is exclusive, so
    two processes starting at once agree on one secret."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    secret = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secret + "\n")
    return secret
