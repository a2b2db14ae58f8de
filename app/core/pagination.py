"""Opaque cursors for keyset pagination: stable under inserts, cheap at any depth."""

import base64
import json
import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from app.core.problems import InvalidParameter, ValidationFailed

# What `encode_cursor` writes: unpadded base64url. Stated in the OpenAPI document, so that a
# client (or a fuzzer) knows which strings can be cursors at all.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"
CursorField = Field(
    default=None,
    max_length=500,
    pattern=CURSOR_PATTERN,
    description="From the previous page's `next` link; opaque (unpadded base64url).",
)


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, length: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as error:
        raise invalid_cursor(cursor) from error
    if not isinstance(values, list) or len(values) != length:
        raise invalid_cursor(cursor)
    return values


def cursor_moment(value: Any, cursor: str) -> datetime:
    """A date-time in a cursor; one without a time zone was never issued here."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise invalid_cursor(cursor) from error
    if moment.tzinfo is None:
        raise invalid_cursor(cursor)
    return moment


def cursor_id(value: Any, cursor: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError, AttributeError) as error:
        raise invalid_cursor(cursor) from error


def invalid_cursor(cursor: str) -> ValidationFailed:
    return ValidationFailed(
        "The cursor is not one this service issued; start again from the first page.",
        invalid_parameters=[InvalidParameter(property="cursor", reason="malformed cursor", value=cursor[:100])],
    )
