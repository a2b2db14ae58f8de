"""Opaque cursors for keyset pagination: stable under inserts, cheap at any depth."""

import base64
import json
from typing import Any

from app.core.problems import InvalidParameter, ValidationFailed


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


def invalid_cursor(cursor: str) -> ValidationFailed:
    return ValidationFailed(
        "The cursor is not one this service issued; start again from the first page.",
        invalid_parameters=[InvalidParameter(property="cursor", reason="malformed cursor", value=cursor[:100])],
    )
