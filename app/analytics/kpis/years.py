"""An initiative's part in one year's KPIs, from its dates, budgets and dated status history.

Pure functions over plain values (`indicators` has the KPIs themselves):

- it belongs to year Y's portfolio when it ran during Y or names a budget for Y;
- its spend in Y is its `budget_by_year` entry for Y, else `budget_sek` spread evenly over the
  calendar years from its start (without a start date: its registration) to its end (without an
  end date: the current year);
- its status in Y is the one in force on the last day of Y (today, for the current year).
"""

import uuid
from collections.abc import Mapping, Sequence
from datetime import date

from app.analytics.kpis.indicators import PortfolioItem, SpendBasis
from app.core.enums import OPERATING_STATUSES
from app.initiatives.records import DatedStatus, Spend, status_on


def year_end(year: int, today: date) -> date:
    """The day a year's state is read on: 31 December, or today while the year is running."""
    return min(date(year, 12, 31), today)


def ran_during(year: int, start: date | None, end: date | None, registered: date) -> bool:
    """Started (or registered, without a start date) by 31 December and not ended before 1 January."""
    return (start or registered) <= date(year, 12, 31) and (end is None or end >= date(year, 1, 1))


def is_in_portfolio(initiative: Spend, year: int) -> bool:
    ran = ran_during(year, initiative.start_date, initiative.end_date, initiative.created_at.date())
    return ran or str(year) in (initiative.budget_by_year or {})


def spend_in(initiative: Spend, year: int, today: date) -> tuple[float | None, SpendBasis | None]:
    """Its spend in the year and where that came from; unknown without any budget."""
    if initiative.budget_by_year:
        return float(initiative.budget_by_year.get(str(year), 0)), SpendBasis.budget_by_year
    if initiative.budget_sek is None:
        return None, None
    first = (initiative.start_date or initiative.created_at.date()).year
    last = initiative.end_date.year if initiative.end_date else max(today.year, first)
    return round(initiative.budget_sek / (last - first + 1), 2), SpendBasis.spread_evenly


def portfolio_item(initiative: Spend, history: Sequence[DatedStatus], year: int, today: date) -> PortfolioItem:
    spend, basis = spend_in(initiative, year, today)
    return PortfolioItem(status_on(history, year_end(year, today)), spend, initiative.digital_share, basis)


def portfolio(
    initiatives: Sequence[Spend], histories: Mapping[uuid.UUID, Sequence[DatedStatus]], year: int, today: date
) -> list[PortfolioItem]:
    """The year's portfolio: each initiative's status at the year's end and its spend in the year."""
    return [
        portfolio_item(initiative, histories.get(initiative.id, ()), year, today)
        for initiative in initiatives
        if is_in_portfolio(initiative, year)
    ]


def went_into_operation(history: Sequence[DatedStatus]) -> DatedStatus | None:
    """The entry by which it first was in operation or scaled, if it ever was."""
    return next((entry for entry in history if entry.status in OPERATING_STATUSES), None)


def new_services(
    initiatives: Sequence[Spend], histories: Mapping[uuid.UUID, Sequence[DatedStatus]], year: int, today: date
) -> tuple[int, int, int]:
    """KPI 4's counts: digital services (digital share above 0) that first went into operation in
    the year (by today, for the current year), those that did but state no digital share, and
    those in operation whose source did not say when they got there (any year might miss them)."""
    started, unknown = [], 0
    for initiative in initiatives:
        entry = went_into_operation(histories.get(initiative.id, ()))
        if entry is None:
            continue
        if entry.changed_date is None:
            unknown += 1
        elif entry.changed_date.year == year and entry.changed_date <= today:
            started.append(initiative)
    digital = sum(initiative.digital_share is not None and initiative.digital_share > 0 for initiative in started)
    return digital, sum(initiative.digital_share is None for initiative in started), unknown
