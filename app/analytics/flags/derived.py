"""What flags add to every read of an initiative (its `flags`), and the list's `flag` filter."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session

from app.analytics.context import AnalyticsContext
from app.analytics.flags import rules
from app.analytics.flags import service as flag_service
from app.initiatives.query import InitiativeQuery
from app.initiatives.reads import InitiativeRow


class Flags:
    field = "flags"

    def values(self, session: Session, rows: Sequence[InitiativeRow]) -> dict[uuid.UUID, Any]:
        return flag_service.flags_of(AnalyticsContext(session), rows) if rows else {}

    def condition(self, session: Session, query: InitiativeQuery) -> ColumnElement[bool] | None:
        if not query.flag:
            return None
        return rules.any_of(query.flag, flag_service.pilot_ids(AnalyticsContext(session)))
