"""Flags on initiatives (see `rules`), and an organisation's portfolio with the money behind each flag."""

import uuid
from collections.abc import Sequence
from functools import lru_cache

from app.analytics.context import AnalyticsContext
from app.analytics.flags import rules
from app.analytics.flags.schemas import FlagSummary, PortfolioItemRead, PortfolioRead
from app.core.enums import Flag
from app.initiatives import reads as initiative_reads
from app.initiatives.schemas import FlagRead
from app.organisations.service import Profile

PROVEN_FLAGS = (Flag.pilot_of_proven, Flag.duplicate_of_proven)


def flag_reads(flags: Sequence[Flag], proven_initiative_id: uuid.UUID | None) -> list[FlagRead]:
    """The flags an initiative meets as the API shows them; the proven flags link to the match."""
    return [_flag_read(flag, proven_initiative_id if flag in PROVEN_FLAGS else None) for flag in flags]


def portfolio(context: AnalyticsContext, organisation: Profile) -> PortfolioRead:
    """The organisation's live initiatives with their flags, and each flag's count and budget."""
    owned = initiative_reads.owned(context.session, organisation.code)
    flags = {read.id: read.flags for read in initiative_reads.reads(context.session, [row.id for row in owned])}
    items = [
        PortfolioItemRead(
            id=row.id,
            title=row.title,
            status=row.status,
            category=row.category,
            budget_sek=row.budget_sek,
            flags=flags[row.id],
        )
        for row in owned
    ]
    return PortfolioRead(
        organisation=organisation.code,
        initiative_count=len(items),
        total_budget_sek=sum(item.budget_sek or 0 for item in items),
        flags=_summaries(items),
        initiatives=items,
    )


@lru_cache(maxsize=4096)
def _flag_read(flag: Flag, proven_initiative_id: uuid.UUID | None) -> FlagRead:
    """Shared, never changed: a page holds about three flags an initiative, nearly all alike."""
    return FlagRead(flag=flag, explanation=rules.EXPLANATIONS[flag], proven_initiative_id=proven_initiative_id)


def _summaries(items: list[PortfolioItemRead]) -> list[FlagSummary]:
    summaries = []
    for kind in Flag:
        flagged = [item for item in items if any(found.flag == kind for found in item.flags)]
        if flagged:
            summaries.append(
                FlagSummary(flag=kind, count=len(flagged), budget_sek=sum(item.budget_sek or 0 for item in flagged))
            )
    return summaries
