"""Secrets and signatures exactly as the Standard Webhooks specification defines them, through its
maintained reference library (`standardwebhooks`)."""

import base64
import json
import secrets
from datetime import datetime
from typing import Any

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the specification asks for 24 to 64 random bytes


def new_secret() -> str:
    """`whsec_` and the base64 of a fresh random key."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def message_id(sequence: int) -> str:
    """The `webhook-id`: one per change-feed entry, the same on every retry and replay, so that a
    receiver can drop what it already has."""
    return f"msg_{sequence}"


def body(event_type: str, entry: dict[str, Any]) -> str:
    """The payload as sent and signed: minified JSON with `type`, `timestamp` and `data` (the entry)."""
    payload = {"type": event_type, "timestamp": entry["occurred_at"], "data": entry}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def headers(keys: list[str], webhook_id: str, sent_at: datetime, content: str) -> dict[str, str]:
    """The three Standard Webhooks headers; with two keys (during a rotation) two signatures,
    space-separated, of which a receiver needs one to match."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": " ".join(Webhook(key).sign(webhook_id, sent_at, content) for key in keys),
    }
