"""Building blocks shared by the API's request and response schemas."""

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from app.core.text import UnstorableValue, refuse_unstorable

OrganisationCode = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=32, pattern=r"^[0-9A-Za-z-]+$")
]
Money = Annotated[int, Field(ge=0, le=10**13, description="Whole Swedish kronor (SEK).")]
Count = Annotated[int, Field(ge=0, le=2_000_000_000)]
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

UtcDatetime = Annotated[datetime, AfterValidator(assume_utc)]
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


class WriteSchema(InputSchema):
    """A request body: unknown fields are an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid")
