import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AnyHttpUrl,
    BeforeValidator,
    EmailStr,
    Field,
    SerializerFunctionWrapHandler,
    StrictBool,
    StrictFloat,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError
from sqlmodel import SQLModel

from app.core.enums import AdoptionStatus, Category, Flag, InitiativeStatus, ParticipantRole, ParticipationStatus
from app.core.schemas import Day, Money, OrganisationCode, ShortText, WriteSchema
from app.language.schemas import ConceptRef

Tag = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=50)]
URL_MAX_LENGTH = 2000


def url_text(value: Any) -> Any:
    # Measured as sent: the parsed URL can be longer (a host gains a trailing slash).
    if isinstance(value, str) and len(value) > URL_MAX_LENGTH:
        raise PydanticCustomError("url_too_long", f"must be at most {URL_MAX_LENGTH} characters")
    return value


Url = Annotated[
    AnyHttpUrl,
    BeforeValidator(url_text),
    WithJsonSchema({"type": "string", "format": "uri", "minLength": 1, "maxLength": URL_MAX_LENGTH}),
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]


def _four_digits(value: Any) -> Any:
    # "02025" would be read as 2025, and its amount would silently replace that of "2025".
    if isinstance(value, str) and not (len(value) == 4 and value.isascii() and value.isdigit()):
        raise PydanticCustomError("year_format", 'a year is written as four digits, e.g. "2025"')
    return value


BudgetYear = Annotated[int, BeforeValidator(_four_digits), Field(ge=2000, le=2100)]


BudgetByYear = Annotated[
    dict[BudgetYear, Money],
    Field(
        max_length=101,
        description='The budget\'s part in each year, e.g. {"2024": 400000, "2025": 800000} (years 2000–2100, '
        "whole SEK ≥ 0). The KPIs use it for each year's development spend; without it they spread `budget_sek` "
        "evenly over the initiative's years.",
    ),
]


class BenefitEvidence(WriteSchema):
    """One measured benefit (nyttorealisering): what was measured, before and after, and where it is published."""

    metric: ShortText
    baseline: StrictFloat | None = None
    result: StrictFloat | None = None
    unit: str | None = Field(default=None, max_length=50)
    period: str | None = Field(default=None, max_length=100)
    source_url: Url | None = None


PUBLICCODE_FIELDS = ("publiccode_url", "description", "licence", "maintenance", "platforms")


class Solution(WriteSchema):
    name: ShortText
    vendor: str | None = Field(default=None, max_length=200)
    url: Url | None = None
    repository_url: Url | None = None
    publiccode_url: Url | None = Field(
        default=None,
        description="The solution's publiccode.yml; `registry import publiccode` reads it into the fields below.",
    )
    description: str | None = Field(default=None, max_length=2000)
    licence: str | None = Field(
        default=None, max_length=200, description="SPDX licence expression; set for open source, e.g. `EUPL-1.2`."
    )
    maintenance: Literal["internal", "contract", "community", "none"] | None = None
    platforms: list[Annotated[str, StringConstraints(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=20, description="publiccode.yml's platforms, e.g. web, linux, android."
    )

    @model_serializer(mode="wrap")
    def _omit_unused_publiccode_fields(self, handler: SerializerFunctionWrapHandler):
        # Solutions stored before these fields existed compare equal to the same solution sent
        # again, so re-imports do not record changes that are none. (No return annotation: with
        # one, pydantic would document the output as any object instead of this model.)
        dumped = handler(self)
        return {
            name: value for name, value in dumped.items() if name not in PUBLICCODE_FIELDS or value not in (None, [])
        }

    @property
    def is_open_source(self) -> bool:
        """Published under a licence, with its source code at a public address."""
        return bool(self.licence) and self.repository_url is not None


class Link(WriteSchema):
    title: ShortText
    url: Url


class Contact(WriteSchema):
    name: str | None = Field(default=None, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=50)


class ParticipantWrite(WriteSchema):
    organisation: OrganisationCode
    role: ParticipantRole
    contribution_sek: Money | None = None
    steering_seats: StrictInt | None = Field(default=None, ge=0, le=100)


class InitiativeFields(WriteSchema):
    """Every writable field, all optional: PATCH sends only what changes."""

    multiline_fields = frozenset({"summary", "description"})

    title: Title | None = None
    summary: str | None = Field(default=None, max_length=1000)
    description: str | None = Field(default=None, max_length=20_000)
    owner: OrganisationCode | None = None
    participants: list[ParticipantWrite] | None = Field(default=None, max_length=100)
    status: InitiativeStatus | None = None
    status_date: Day | None = Field(
        default=None, description="When a new status took effect; defaults to today. Only with `status`."
    )
    category: Category | None = None
    tags: list[Tag] | None = Field(default=None, max_length=30)
    start_date: Day | None = None
    end_date: Day | None = None
    budget_sek: Money | None = None
    budget_by_year: BudgetByYear | None = None
    digital_share: StrictFloat | None = Field(
        default=None, ge=0, le=1, description="Share of the budget that is digital, 0–1."
    )
    expected_benefit_sek_per_year: Money | None = None
    realised_benefit_sek_per_year: Money | None = None
    benefit_evidence: list[BenefitEvidence] | None = Field(default=None, max_length=50)
    has_benefit_realisation_plan: StrictBool | None = None
    strategy_refs: list[ShortText] | None = Field(default=None, max_length=30)
    solution: Solution | None = None
    links: list[Link] | None = Field(default=None, max_length=50)
    contact: Contact | None = None

    @field_validator("participants")
    @classmethod
    def one_row_per_participant(cls, participants: list[ParticipantWrite] | None) -> list[ParticipantWrite] | None:
        codes = [participant.organisation for participant in participants or []]
        if len(codes) != len(set(codes)):
            raise ValueError("each organisation may appear only once among the participants")
        return participants

    @model_validator(mode="after")
    def status_date_needs_status(self) -> Self:
        if self.status_date is not None and self.status is None:
            raise ValueError("status_date is only accepted together with status")
        return self


class InitiativeCreate(InitiativeFields):
    title: Title
    owner: OrganisationCode
    category: Category
    status: InitiativeStatus = InitiativeStatus.idea
    participants: list[ParticipantWrite] = Field(default_factory=list, max_length=100)
    tags: list[Tag] = Field(default_factory=list, max_length=30)
    benefit_evidence: list[BenefitEvidence] = Field(default_factory=list, max_length=50)
    has_benefit_realisation_plan: StrictBool = False
    strategy_refs: list[ShortText] = Field(default_factory=list, max_length=30)
    links: list[Link] = Field(default_factory=list, max_length=50)


REQUIRED_FIELDS = ("title", "owner", "category", "status")


class InitiativeUpdate(InitiativeFields):
    """Fields to change; fields left out keep their value, `null` clears an optional field."""

    # The required fields may be left out but not cleared: the schema does not offer `null`.
    title: Title | SkipJsonSchema[None] = None
    owner: OrganisationCode | SkipJsonSchema[None] = None
    category: Category | SkipJsonSchema[None] = None
    status: InitiativeStatus | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def required_fields_stay_set(self) -> Self:
        cleared = [name for name in REQUIRED_FIELDS if name in self.model_fields_set and getattr(self, name) is None]
        if cleared:
            raise ValueError(f"{', '.join(cleared)} cannot be cleared")
        return self


class ParticipantRead(SQLModel):
    organisation: str
    role: ParticipantRole
    contribution_sek: int | None
    steering_seats: int | None
    status: ParticipationStatus = Field(
        description="`claimed` as listed by the owner, until the participating organisation confirms "
        "(`confirmed`) or declines (`declined`) with its own key. Only confirmed participation counts in analytics."
    )


class StatusChangeRead(SQLModel):
    status: InitiativeStatus
    changed_date: date | None = Field(description="When the status took effect; null when its source did not say.")


class FlagRead(SQLModel):
    """A flag on an initiative: something to look at before more money goes into it."""

    flag: Flag
    explanation: str
    proven_initiative_id: uuid.UUID | None = Field(
        default=None, description="For `pilot_of_proven` and `duplicate_of_proven`: the proven initiative."
    )


class InitiativeRead(SQLModel):
    id: uuid.UUID
    title: str
    summary: str | None
    description: str | None
    owner: str
    owner_name: str
    county_code: str | None
    participants: list[ParticipantRead]
    status: InitiativeStatus
    status_history: list[StatusChangeRead]
    category: Category
    tags: list[str]
    concepts: list[ConceptRef] = Field(
        description="Concepts of the registry's vocabulary (`/api/v1/concepts`) the texts name, "
        "annotated automatically."
    )
    start_date: date | None
    end_date: date | None
    budget_sek: int | None
    budget_by_year: dict[int, int] | None
    digital_share: float | None
    expected_benefit_sek_per_year: int | None
    realised_benefit_sek_per_year: int | None
    benefit_evidence: list[BenefitEvidence]
    has_benefit_realisation_plan: bool
    strategy_refs: list[str]
    solution: Solution | None
    links: list[Link]
    contact: Contact | None
    source: str
    external_id: str | None
    is_withdrawn_at_source: bool
    created_at: datetime
    updated_at: datetime
    version: int
    is_archived: bool
    archived_reason: str | None
    adoption_counts: dict[AdoptionStatus, int] = Field(
        description="Adoptions recorded by other organisations, by status."
    )
    flags: list[FlagRead] = Field(default=[], description="What to look at before more money goes into it.")


class InitiativePage(SQLModel):
    items: list[InitiativeRead]
    next: str | None = Field(description="URL of the next page, or null on the last page.")
    facets: dict[str, dict[str, int]] | None = Field(
        default=None,
        description="With `facets`: per named facet, how many initiatives each value would give under the other "
        "filters (status and category values, county codes, concept ids, flags). Absent otherwise.",
    )
    total: int | None = Field(
        default=None, description="With `include_total=true`: every initiative the filters admit."
    )


class ArchiveRequest(WriteSchema):
    reason: str | None = Field(default=None, max_length=500)
