"""What flags add to every read of an initiative (its `flags`), and the list's `flag` filter."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session

from app.analytics.context import AnalyticsContext
from app.analytics.flags import rules
from app.analytics.flags import service as flag_service
from app.core.enums import Flag
from app.initiatives.derived import Prepared
from app.initiatives.query import InitiativeQuery


class Flags:
    field = "flags"

    def columns(self) -> Sequence[ColumnElement[Any]]:
        return [rules.RULES[flag] for flag in Flag]

    def prepare(self, session: Session, ids: Sequence[uuid.UUID]) -> Prepared:
        matches = flag_service.proven_matches_now(AnalyticsContext.of(session))
        pilots = [i for i in ids if str(i) in matches]

        def flags(initiative_id: uuid.UUID, met: Sequence[Any]) -> list:
            return flag_service.flag_reads(
                [flag for flag, meets in zip(Flag, met, strict=True) if meets], matches.get(str(initiative_id))
            )

        return Prepared({"proven_pilot_ids": pilots}, flags)

    def condition(self, session: Session, query: InitiativeQuery) -> ColumnElement[bool] | None:
        if not query.flag:
            return None
        return rules.any_of(query.flag, flag_service.pilot_ids(AnalyticsContext.of(session)))
