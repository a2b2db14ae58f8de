"""What text and numbers the registry accepts, checked in one place for every way in.

Control characters (NUL among them) cannot be stored in PostgreSQL text, break CSV and terminal
output, and mean nothing to a reader; a lone UTF-16 surrogate cannot be encoded at all; NaN and
infinities are not JSON. `refuse_unstorable` finds the first such value in a field's value,
however deeply nested, so that a schema can refuse it with a 422 naming the field.
"""

import math
import unicodedata
from collections.abc import Mapping
from typing import Any

# Tab and line breaks belong in long texts (a description written in a textarea, whose browser
# sends CRLF); nowhere else.
LINE_BREAKS_AND_TAB = frozenset("\t\n\r")


class UnstorableValue(ValueError):
    """A value the registry refuses to store; the message says why, for the 422's `reason`."""


def refuse_unstorable(value: Any, *, multiline: bool = False) -> None:
    """Raise `UnstorableValue` if `value`, or anything nested in it, is text with a control
    character or a lone surrogate, or a number that is not finite."""
    if isinstance(value, str):
        _refuse_characters(value, multiline)
    elif isinstance(value, float) and not math.isfinite(value):
        raise UnstorableValue("must be a finite number (NaN and infinities are not accepted)")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            refuse_unstorable(key)
            refuse_unstorable(item, multiline=multiline)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            refuse_unstorable(item, multiline=multiline)


def _refuse_characters(text: str, multiline: bool) -> None:
    if text.isprintable():  # the common case, in C: no control, format, separator or surrogate
        return
    for character in text:
        category = unicodedata.category(character)
        if category == "Cs":
            raise UnstorableValue("must not contain a lone surrogate (invalid Unicode)")
        if category == "Cc" and not (multiline and character in LINE_BREAKS_AND_TAB):
            allowed = " (tab and line breaks are)" if multiline else ""
            raise UnstorableValue(f"must not contain control characters such as U+{ord(character):04X}{allowed}")
