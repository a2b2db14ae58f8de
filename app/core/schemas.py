"""Building blocks shared by the API's request and response schemas."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from app.core.text import UnstorableValue, refuse_unstorable

OrganisationCode = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=32, pattern=r"^[0-9A-Za-z-]+$")
]
# Strict: a JSON number, not `true` or "5", as the schema says.
Money = Annotated[StrictInt, Field(ge=0, le=10**13, description="Whole Swedish kronor (SEK).")]
Count = Annotated[StrictInt, Field(ge=0, le=2_000_000_000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def assume_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def storable_text(text: str) -> str:
    try:
        refuse_unstorable(text)
    except UnstorableValue as error:
        raise PydanticCustomError("unstorable_value", str(error)) from None
    return text


PlainText = Annotated[str, AfterValidator(storable_text)]
"""One line of text outside a schema (a path or query parameter), held to `InputSchema`'s rule."""

# RFC 3339 and ISO 8601 spellings: a date, or a date and time with or without an offset.
MOMENT_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|z|[+-]\d{2}:?\d{2})?)?$"


def moment_text(value: Any) -> Any:
    """Only text that spells a moment: pydantic would also read a number as seconds since 1970."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(MOMENT_PATTERN, value):
        raise PydanticCustomError(
            "moment", "must be a date (2025-01-31) or a date and time (2025-01-31T08:00:00+01:00)"
        )
    return value


def day_text(value: Any) -> Any:
    """Only a date or its ISO text: pydantic would also read a number as seconds since 1970."""
    if isinstance(value, (date, str)):
        return value
    raise PydanticCustomError("date_type", "must be a date as text, e.g. 2025-01-31")


Day = Annotated[date, BeforeValidator(day_text)]

# What the OpenAPI document promises: a subset of `MOMENT_PATTERN`, see below.
DOCUMENTED_MOMENT_PATTERN = (
    r"^(19|20)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])"
    r"([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-](0\d|1[0-3]):[0-5]\d)?)?$"
)
UtcDatetime = Annotated[
    datetime,
    BeforeValidator(moment_text),
    AfterValidator(assume_utc),
    # RFC 3339's formats require an offset, and the service also takes none (UTC), so the schema
    # states a pattern: the moments every client may send (a subset of what the service reads, so
    # that nothing the schema admits is refused: days up to the 28th, years 1900–2099).
    WithJsonSchema(
        {
            "type": "string",
            "pattern": DOCUMENTED_MOMENT_PATTERN,
            "description": "A date (2025-01-31) or a date and time (2025-01-31T08:00:00+01:00); "
            "without an offset it is UTC.",
        }
    ),
]
"""A date-time a client sends: without an offset (or as a bare date) it means UTC."""


class InputSchema(BaseModel):
    """Anything a client sends (a body or a query): text without control characters or lone
    surrogates, only finite numbers (`app.core.text`). Fields named in `multiline_fields` may
    hold tabs and line breaks."""

    model_config = ConfigDict(allow_inf_nan=False)
    multiline_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def refuse_unstorable_values(cls, value: Any, info: ValidationInfo) -> Any:
        try:
            refuse_unstorable(value, multiline=info.field_name in cls.multiline_fields)
        except UnstorableValue as error:
            raise PydanticCustomError("unstorable_value", str(error)) from None
        return value


def long_text_fields() -> frozenset[str]:
    """The names of every input schema's long-text fields, for the OpenAPI document."""
    found: set[str] = set()
    pending: list[type[InputSchema]] = [InputSchema]
    while pending:
        schema = pending.pop()
        found |= schema.multiline_fields
        pending.extend(schema.__subclasses__())
    return frozenset(found)


class WriteSchema(InputSchema):
    """A request body: unknown fields are an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid")
