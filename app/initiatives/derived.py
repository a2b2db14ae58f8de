"""Facts about initiatives that other domains keep: adoption counts (`app.adoptions`) and flags
(`app.analytics`).

Initiatives sit below those domains and never import them. Instead each registers a
`Derivation` when the application is assembled (`app.assembly`): every read of initiatives
then carries the derived field, and the initiatives list can filter on it. A derivation
describes its field and its filter with conditions on the initiatives' columns
(`app.initiatives.records.COLUMNS`), which `app.initiatives` evaluates in the same statement
that reads the initiatives' documents: only `app.initiatives` runs queries against its tables.
"""

import uuid
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol

from sqlalchemy import ColumnElement
from sqlmodel import Session

from app.initiatives.query import InitiativeQuery


class Prepared(NamedTuple):
    """A derivation ready for one read: the values of the bind parameters its columns use, and
    the field's value of an initiative from its columns' values (in `columns()` order)."""

    parameters: dict[str, Any]
    value: Callable[[uuid.UUID, Sequence[Any]], Any]


class Derivation(Protocol):
    #: The `InitiativeRead` field the derivation fills.
    field: str

    def columns(self) -> Sequence[ColumnElement[Any]]:
        """Expressions over an initiative's row (correlated subqueries allowed), built once."""
        ...

    def prepare(self, session: Session, ids: Sequence[uuid.UUID]) -> Prepared:
        """What reading these initiatives needs from this derivation now."""
        ...

    def condition(self, session: Session, query: InitiativeQuery) -> ColumnElement[bool] | None:
        """What the query's filters on this field ask of an initiative, or None when it sets none."""
        ...


_registered: dict[str, Derivation] = {}


def register(derivation: Derivation) -> None:
    _registered[derivation.field] = derivation


def registered() -> list[Derivation]:
    return list(_registered.values())


def fields() -> frozenset[str]:
    return frozenset(_registered)


def conditions(session: Session, query: InitiativeQuery) -> list[ColumnElement[bool]]:
    found = (derivation.condition(session, query) for derivation in _registered.values())
    return [condition for condition in found if condition is not None]
