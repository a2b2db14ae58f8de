"""The typed rows other domains get from `app.initiatives.reads`, and the table's columns for
the conditions a derivation contributes (`app.initiatives.derived`)."""

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import inspect

from app.core.enums import Category, InitiativeStatus, ParticipantRole, ParticipationStatus
from app.initiatives.models import Initiative


class InitiativeRow(NamedTuple):
    """An initiative's own columns, as stored (a test holds this equal to the table)."""

    id: uuid.UUID
    title: str
    summary: str | None
    description: str | None
    owner_code: str
    status: InitiativeStatus
    category: Category
    start_date: date | None
    end_date: date | None
    budget_sek: int | None
    budget_by_year: dict[str, int] | None
    digital_share: float | None
    expected_benefit_sek_per_year: int | None
    realised_benefit_sek_per_year: int | None
    benefit_evidence: list[dict[str, Any]]
    has_benefit_realisation_plan: bool
    strategy_refs: list[str]
    solution: dict[str, Any] | None
    links: list[dict[str, Any]]
    contact: dict[str, Any] | None
    source: str
    external_id: str | None
    registry_edited_fields: list[str]
    is_withdrawn_at_source: bool
    created_at: datetime
    updated_at: datetime
    version: int
    is_archived: bool
    archived_reason: str | None
    is_demo: bool


class Text(NamedTuple):
    """What overlap detection compares, with the facts its reports need."""

    id: uuid.UUID
    owner_code: str
    category: Category
    status: InitiativeStatus
    budget_sek: int | None
    realised_benefit_sek_per_year: int | None
    title: str
    summary: str | None
    description: str | None
    solution: dict[str, Any] | None
    tags: tuple[str, ...]


class Standing(NamedTuple):
    """Where an initiative stands: what clusters, proven matches and scaling candidates need."""

    id: uuid.UUID
    owner_code: str
    status: InitiativeStatus
    category: Category
    budget_sek: int | None
    realised_benefit_sek_per_year: int | None


class Participation(NamedTuple):
    initiative_id: uuid.UUID
    organisation_code: str
    role: ParticipantRole
    status: ParticipationStatus


class Spend(NamedTuple):
    """An initiative's part in its owner's KPIs."""

    id: uuid.UUID
    owner_code: str
    status: InitiativeStatus
    budget_sek: int | None
    budget_by_year: dict[str, int] | None
    digital_share: float | None
    start_date: date | None
    end_date: date | None
    created_at: datetime


class DatedStatus(NamedTuple):
    """One entry of an initiative's status history."""

    changed_date: date | None  # None: its source did not say when
    status: InitiativeStatus
    recorded_on: date

    @property
    def known_from(self) -> date:
        """The first day the status is known to be in force: its date, or else the day the registry
        recorded it (it was in force then, since when is unknown)."""
        return self.changed_date or self.recorded_on


def status_on(history: Sequence[DatedStatus], day: date) -> InitiativeStatus | None:
    """The status in force on `day`: the last change known from that day or before (`history` in
    that order, as `reads.status_histories` gives it); None before the first, when the registry
    does not know it."""
    status = None
    for entry in history:
        if entry.known_from > day:
            break
        status = entry.status
    return status


#: The initiative table's columns, for derivations' conditions (`app.initiatives.derived`).
COLUMNS = inspect(Initiative).local_table.c
