"""Building blocks shared by the API's request and response schemas."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

OrganisationCode = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=32, pattern=r"^[0-9A-Za-z-]+$")
]
Money = Annotated[int, Field(ge=0, le=10**13, description="Whole Swedish kronor (SEK).")]
Count = Annotated[int, Field(ge=0, le=2_000_000_000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class WriteSchema(BaseModel):
    """A request body: unknown fields are an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid")
