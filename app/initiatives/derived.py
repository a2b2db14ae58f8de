"""Facts about initiatives that other domains keep: adoption counts (`app.adoptions`) and flags
(`app.analytics`).

Initiatives sit below those domains and never import them. Instead each registers a
`Derivation` when the application is assembled (`app.assembly`): every read of initiatives
then carries the derived field, and the initiatives list can filter on it. A derivation may
describe its filter with the initiatives' columns (`app.initiatives.reads.COLUMNS`), but only
`app.initiatives` runs queries against its tables.
"""

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import ColumnElement
from sqlmodel import Session

if TYPE_CHECKING:
    from app.initiatives.query import InitiativeQuery
    from app.initiatives.reads import InitiativeRow


class Derivation(Protocol):
    #: The `InitiativeRead` field the derivation fills.
    field: str

    def values(self, session: Session, rows: "Sequence[InitiativeRow]") -> dict[uuid.UUID, Any]:
        """The field's value for each of the rows (every row, in one or two queries)."""
        ...

    def condition(self, session: Session, query: "InitiativeQuery") -> ColumnElement[bool] | None:
        """What the query's filters on this field ask of an initiative, or None when it sets none."""
        ...


_registered: dict[str, Derivation] = {}


def register(derivation: Derivation) -> None:
    _registered[derivation.field] = derivation


def fields() -> frozenset[str]:
    return frozenset(_registered)


def values(session: Session, rows: "Sequence[InitiativeRow]") -> dict[str, dict[uuid.UUID, Any]]:
    """Per derived field, its value for each row."""
    return {name: derivation.values(session, rows) for name, derivation in _registered.items()}


def conditions(session: Session, query: "InitiativeQuery") -> list[ColumnElement[bool]]:
    found = (derivation.condition(session, query) for derivation in _registered.values())
    return [condition for condition in found if condition is not None]
