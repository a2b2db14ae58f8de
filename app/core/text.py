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


def without_control_characters(text: str) -> str:
    """`text` without what `refuse_unstorable` refuses in a long text, for showing it back."""
    if text.isprintable():
        return text
    return "".join(
        character
        for character in text
        if character in LINE_BREAKS_AND_TAB or unicodedata.category(character) not in ("Cc", "Cs")
    )


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


# The same rule in the OpenAPI document, as JSON Schema patterns (ECMA 262 and Python alike), so
# that clients and contract tests know which text is accepted.
ONE_LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"
LONG_TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
_DESCRIBED_ELSEWHERE = ("pattern", "format", "enum", "const")


def document_text_rules(document: dict[str, Any], long_texts: frozenset[str]) -> None:
    """Give every free-text string a client sends (parameters and request bodies) the pattern
    `refuse_unstorable` enforces; properties named in `long_texts` may hold tabs and line breaks."""
    components = document.get("components", {}).get("schemas", {})
    referenced: list[str] = []
    for operation in (op for path in document.get("paths", {}).values() for op in path.values()):
        for parameter in operation.get("parameters", []):
            _constrain(parameter.get("schema", {}), False, long_texts, referenced)
        for content in operation.get("requestBody", {}).get("content", {}).values():
            _constrain(content.get("schema", {}), False, long_texts, referenced)
    done: set[str] = set()
    while referenced:
        name = referenced.pop()
        if name not in done and name in components:
            done.add(name)
            _constrain(components[name], False, long_texts, referenced)


def _constrain(schema: dict[str, Any], is_long: bool, long_texts: frozenset[str], referenced: list[str]) -> None:
    if "$ref" in schema:
        referenced.append(schema["$ref"].rsplit("/", 1)[-1])
    if schema.get("type") == "string" and not any(key in schema for key in _DESCRIBED_ELSEWHERE):
        schema["pattern"] = LONG_TEXT_PATTERN if is_long else ONE_LINE_PATTERN
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            _constrain(branch, is_long, long_texts, referenced)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _constrain(schema[key], is_long, long_texts, referenced)
    for name, prop in schema.get("properties", {}).items():
        _constrain(prop, name in long_texts, long_texts, referenced)
