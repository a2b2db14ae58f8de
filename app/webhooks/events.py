"""Event types, mapped from change-feed entries, and which subscriptions an entry matches.

Pure functions over plain data: the outbox (`app.webhooks.outbox`) and replays feed them.
"""

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.core.enums import ChangeAction


class EventSelector(StrEnum):
    """What a subscription asks for: one event type, or every type of a group (`adoption.*`)."""

    initiative_all = "initiative.*"
    initiative_created = "initiative.created"
    initiative_updated = "initiative.updated"
    initiative_archived = "initiative.archived"
    adoption_all = "adoption.*"
    adoption_created = "adoption.created"
    adoption_updated = "adoption.updated"
    adoption_deleted = "adoption.deleted"
    judgement_all = "judgement.*"
    judgement_created = "judgement.created"
    judgement_updated = "judgement.updated"
    judgement_deleted = "judgement.deleted"
    participation_all = "participation.*"
    participation_created = "participation.created"
    participation_updated = "participation.updated"
    participation_deleted = "participation.deleted"
    figures_all = "figures.*"
    figures_updated = "figures.updated"


PAST_TENSE = {
    ChangeAction.create: "created",
    ChangeAction.update: "updated",
    ChangeAction.archive: "archived",
    ChangeAction.delete: "deleted",
}
# An organisation's yearly figures are one record per year: writing a new year updates its figures.
SAME_EVENT_FOR_EVERY_ACTION = {"figures": "figures.updated"}
EVENT_TYPES = frozenset(selector.value for selector in EventSelector if not selector.value.endswith(".*"))
# Where a snapshot names the organisation the entry is about (an adopter, a judge, a reporter of figures).
ORGANISATION_FIELDS = ("organisation", "organisation_code", "judge")


def event_type(entity: str, action: str) -> str | None:
    """`initiative.created` for an entry creating an initiative; None for entries no event announces."""
    name = SAME_EVENT_FOR_EVERY_ACTION.get(entity) or f"{entity}.{PAST_TENSE[ChangeAction(action)]}"
    return name if name in EVENT_TYPES else None


def is_selected(name: str, selectors: Collection[str]) -> bool:
    return name in selectors or f"{name.split('.')[0]}.*" in selectors


@dataclass(frozen=True)
class Concerns:
    """What an entry is about, for the filters: the organisations involved (the initiative's owner and
    participants, and the organisation the entry names), their counties, and the initiative's category."""

    organisation_codes: frozenset[str] = field(default_factory=frozenset)
    county_codes: frozenset[str] = field(default_factory=frozenset)
    category: str | None = None


def named_organisation(snapshot: dict[str, Any]) -> str | None:
    return next((snapshot[name] for name in ORGANISATION_FIELDS if isinstance(snapshot.get(name), str)), None)


def passes(filters: dict[str, list[str]], concerns: Concerns) -> bool:
    """Every filter given must match (each one by any of its values); no filters pass everything."""
    organisations, counties, categories = (filters.get(name) for name in ("organisations", "counties", "categories"))
    return (
        (not organisations or not concerns.organisation_codes.isdisjoint(organisations))
        and (not counties or not concerns.county_codes.isdisjoint(counties))
        and (not categories or concerns.category in categories)
    )


def has_filters(filters: dict[str, list[str]]) -> bool:
    return any(filters.values())


@dataclass(frozen=True)
class Entry:
    """A change-feed entry as the matching needs it."""

    sequence: int
    entity: str
    action: str
    initiative_id: uuid.UUID | None
    snapshot: dict[str, Any]
