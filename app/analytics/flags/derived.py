"""What flags add to every read of an initiative (its `flags`), and the list's `flag` filter."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session

from app.analytics.flags import rules
from app.analytics.flags import service as flag_service
from app.core.enums import Flag
from app.initiatives.derived import Prepared
from app.initiatives.query import InitiativeQuery


class Flags:
    field = "flags"

    def columns(self) -> Sequence[ColumnElement[Any]]:
        return [*(rules.RULES[flag] for flag in Flag), rules.PROVEN_MATCH]

    def prepare(self, session: Session, ids: Sequence[uuid.UUID]) -> Prepared:
        return Prepared({}, _flags)

    def condition(self, session: Session, query: InitiativeQuery) -> ColumnElement[bool] | None:
        return or_(*(rules.RULES[flag] for flag in query.flag)) if query.flag else None


def _flags(_initiative_id: uuid.UUID, values: Sequence[Any]) -> list:
    *met, proven = values
    return flag_service.flag_reads([flag for flag, meets in zip(Flag, met, strict=True) if meets], proven)
