"""`/jamfor`: organisations side by side, for the national analyst: portfolio, KPIs, the work they
already do in parallel, and what each could take after from the others."""

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from app.analytics.briefs import briefs
from app.analytics.context import AnalyticsContext, ContextDep
from app.analytics.flags import service as flag_service
from app.analytics.flags.schemas import PortfolioRead
from app.analytics.kpis import service as kpi_service
from app.analytics.overlaps import store
from app.analytics.scaling import service as scaling_service
from app.analytics.scaling.schemas import CandidateQuery, ScalingCandidate
from app.analytics.schemas import InitiativeBrief
from app.organisations.service import Profile
from app.web import views
from app.web.templating import PageDep

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
MOST_COMPARED = 4
SHARED_SHOWN = 40
CANDIDATES_ASKED = 200


@dataclass(frozen=True)
class Compared:
    """One organisation's column."""

    organisation: Profile
    portfolio: PortfolioRead
    kpis: list[views.KpiSeries]
    take_after: list[ScalingCandidate]  # proven work of the other compared organisations


@dataclass(frozen=True)
class SharedWork:
    first: InitiativeBrief
    second: InitiativeBrief
    score: float


@router.get("/jamfor")
def compare(page: PageDep, context: ContextDep, org: list[str] = Query(default=[])) -> Response:
    """Up to four organisations, by code or name, side by side."""
    found, unknown = _resolve(context, org)
    if len(found) > MOST_COMPARED:
        unknown.append(f"högst {MOST_COMPARED} organisationer åt gången")
        found = found[:MOST_COMPARED]
    codes = {profile.code for profile in found}
    columns = [_column(context, profile, codes) for profile in found]
    return page.render(
        "compare.html",
        asked=org,
        unknown=unknown,
        columns=columns,
        shared=_shared_work(context, columns) if len(columns) > 1 else [],
    )


def _resolve(context: AnalyticsContext, asked: list[str]) -> tuple[list[Profile], list[str]]:
    """The organisations asked for, by code or (case-insensitive) name, each once, in order."""
    profiles = context.organisations.profiles
    by_name = {profile.name.casefold(): profile for profile in profiles.values()}
    found: list[Profile] = []
    unknown: list[str] = []
    for value in (value.strip() for value in asked if value.strip()):
        profile = profiles.get(value) or by_name.get(value.casefold())
        if profile is None:
            unknown.append(f"”{value}” finns inte i registret")
        elif profile not in found:
            found.append(profile)
    return found, unknown


def _column(context: AnalyticsContext, profile: Profile, codes: set[str]) -> Compared:
    candidates, _ = scaling_service.candidates_for(context, profile, CandidateQuery(basis=None, limit=CANDIDATES_ASKED))
    return Compared(
        organisation=profile,
        portfolio=flag_service.portfolio(context, profile),
        kpis=views.kpi_series(kpi_service.kpi_history(context, profile, date.today())),
        take_after=[c for c in candidates if c.initiative.owner in codes - {profile.code}],
    )


def _shared_work(context: AnalyticsContext, columns: list[Compared]) -> list[SharedWork]:
    """Pairs of the compared organisations' initiatives that the registry takes to be the same work."""
    owner = {item.id: column.organisation.code for column in columns for item in column.portfolio.initiatives}
    best: dict[tuple, float] = {}
    for one, other, score in store.partners(context.session, list(owner)):
        if one in owner and other in owner and owner[one] != owner[other]:
            key = tuple(sorted((one, other), key=str))
            best[key] = max(score, best.get(key, 0.0))
    ranked = sorted(best.items(), key=lambda item: (-item[1], str(item[0])))[:SHARED_SHOWN]
    shown = briefs(context.session, {str(i) for pair, _ in ranked for i in pair})
    return [SharedWork(shown[str(a)], shown[str(b)], score) for (a, b), score in ranked]
