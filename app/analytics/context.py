"""One request's analytics context: what several features need, read once and shared.

A route or page builds one `AnalyticsContext`; each feature asks it for what it needs
(`context.once(key, compute)`), so an organisation page that shows the portfolio's flags,
the scaling candidates and seven KPIs over five years reads every input once and computes
every opportunity cost once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, TypeVar

from fastapi import Depends
from sqlmodel import Session

from app.core.db import SessionDep
from app.organisations import service as organisation_service
from app.organisations.service import Profile

T = TypeVar("T")
_CONTEXT = "analytics_context"


@dataclass(frozen=True)
class Organisations:
    """Every organisation with what estimates need: kind, county, federation members, population."""

    profiles: dict[str, Profile]
    members: dict[str, list[str]]
    reported_populations: dict[str, int]


@dataclass
class AnalyticsContext:
    session: Session
    _computed: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, session: Session) -> "AnalyticsContext":
        """The session's context for its current transaction: a route, the derived fields of the
        initiatives it reads and the pages' features share it. A new transaction (the next
        request, or a savepoint a test wraps a request in) gets a new one."""
        transaction = session.get_nested_transaction() or session.get_transaction()
        kept = session.info.get(_CONTEXT)
        if kept is None or kept[0] is not transaction:
            kept = session.info[_CONTEXT] = (transaction, cls(session))
        return kept[1]

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()`'s result, computed on the first call with this key only."""
        if key not in self._computed:
            self._computed[key] = compute()
        return self._computed[key]

    @cached_property
    def organisations(self) -> Organisations:
        members = organisation_service.member_codes(self.session)
        return Organisations(
            profiles=organisation_service.profiles(self.session, members),
            members=members,
            reported_populations=organisation_service.latest_populations(self.session),
        )


def request_context(session: SessionDep) -> AnalyticsContext:
    return AnalyticsContext.of(session)


ContextDep = Annotated[AnalyticsContext, Depends(request_context)]
