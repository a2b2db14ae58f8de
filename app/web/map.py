"""`/karta`: Sweden by municipality or region, coloured by a measure, with the same values in a
table for those who cannot see the map.

A region's area counts the region and every municipality in its county; its population is the
county's (see `scaling_service.populations`).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from app.adoptions import service as adoption_service
from app.analytics.context import AnalyticsContext, ContextDep
from app.analytics.scaling import service as scaling_service
from app.analytics.scaling.schemas import NationalCandidateQuery
from app.core.enums import AdoptionStatus, OrganisationKind
from app.initiatives import reads as initiative_reads
from app.initiatives.schemas import InitiativeRead
from app.web import choropleth, formatting
from app.web.choropleth import MISSING, Area, Shade
from app.web.labels import ADOPTION_LABELS, count_noun
from app.web.templating import PageDep

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
MEASURES = {
    "initiativ": "Initiativ per 10 000 invånare",
    "behov": "Kända behov: vad väntan kostar per månad",
    "losning": "Vilka som har en lösning",
}
LEVELS = {"kommun": "kommuner", "region": "regioner"}
# A registry's zero is what it holds, not what the area does: none registered, or no known need.
ZERO_LABELS = {"initiativ": "0 (inga registrerade)", "behov": "0 kr (inga kända behov)"}
CLASSES = 5
SOLUTIONS_OFFERED = 50
TABLE_NOTE = "Samma uppgifter finns i tabellen under kartan."
NOTHING_RECORDED = Shade("inget registrerat", "#ffffff")
ROLE_SHADES = {
    "owner": Shade("äger lösningen", "#253494"),
    "participant": Shade("deltar (bekräftat)", "#2c7fb8"),
    AdoptionStatus.in_operation: Shade(f"införande: {ADOPTION_LABELS[AdoptionStatus.in_operation]}", "#41b6c4"),
    AdoptionStatus.piloting: Shade(f"införande: {ADOPTION_LABELS[AdoptionStatus.piloting]}", "#7fcdbb"),
    AdoptionStatus.considering: Shade(f"införande: {ADOPTION_LABELS[AdoptionStatus.considering]}", "#c7e9b4"),
    AdoptionStatus.abandoned: Shade(f"införande: {ADOPTION_LABELS[AdoptionStatus.abandoned]}", "#d4d4d4"),
}


@dataclass(frozen=True)
class Reading:
    """An area's value: `value` orders the table and picks the class (None: uppgift saknas)."""

    value: float | None
    text: str
    detail: str = ""
    shade: Shade | None = None  # a category's (who has a solution); numbers get theirs from the legend


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    reading: Reading
    shade: Shade


@router.get("/karta")
def sweden_map(
    page: PageDep,
    context: ContextDep,
    niva: str = "kommun",
    matt: str = "initiativ",
    losning: str = "",
    ordning: str = "varde",
) -> Response:
    """Sweden by municipality or region, coloured by a measure, with the values as a table."""
    level = niva if niva in LEVELS else "kommun"
    measure = matt if matt in MEASURES else "initiativ"
    offered = solutions(context)
    solution = chosen_solution(context, losning, offered) if measure == "losning" else None
    groups = area_groups(context, level)
    readings = measure_readings(context, measure, groups, solution)
    legend, rows = classed(context, readings, measure)
    return page.render(
        "karta.html",
        level=level,
        measure=measure,
        measures=MEASURES,
        solution=solution,
        solutions=offered,
        asked_solution=losning,
        legend=legend,
        rows=sorted(rows, key=_by_name if ordning == "namn" else _by_value),
        by_name=ordning == "namn",
        sort_query=urlencode({"niva": level, "matt": measure, "losning": str(solution.id) if solution else ""}),
        svg=choropleth.svg_map(level, {row.code: _area(row) for row in rows}, _summary(level, measure, rows)),
        map_source=choropleth.source(),
        swatch=choropleth.swatch,
    )


def area_groups(context: AnalyticsContext, level: str) -> dict[str, list[str]]:
    """The organisations each area counts: a municipality itself; a region and its county's municipalities."""
    if level == "kommun":
        return {code: [code] for code in choropleth.outlines("kommun").areas}
    groups: dict[str, list[str]] = {code: [code] for code in choropleth.outlines("region").areas}
    for profile in context.organisations.profiles.values():
        if profile.kind == OrganisationKind.municipality and profile.county_code in groups:
            groups[profile.county_code].append(profile.code)
    return groups


def measure_readings(
    context: AnalyticsContext, measure: str, groups: dict[str, list[str]], solution: InitiativeRead | None
) -> dict[str, Reading]:
    if measure == "initiativ":
        return initiatives_per_inhabitants(context, groups)
    if measure == "behov":
        return known_need_costs(context, groups)
    return {} if solution is None else solution_holders(context, groups, solution)


def initiatives_per_inhabitants(context: AnalyticsContext, groups: dict[str, list[str]]) -> dict[str, Reading]:
    """Σ the counted initiatives the area's organisations own, per 10 000 of the area's population."""
    owned = initiative_reads.owned_counts(context.session)
    served = scaling_service.populations(context)
    return {
        area: per_10_000(sum(owned.get(code, 0) for code in codes), served.get(area)) for area, codes in groups.items()
    }


def per_10_000(count: int, population: int | None) -> Reading:
    if not population:
        return Reading(None, MISSING, f"{count} initiativ; folkmängden saknas")
    rate = formatting.significant(count / population * 10_000) or 0
    detail = f"{count} initiativ, {formatting.number(population)} invånare"
    return Reading(rate, f"{formatting.significant_number(rate)} per 10 000 invånare", detail)


def known_need_costs(context: AnalyticsContext, groups: dict[str, list[str]]) -> dict[str, Reading]:
    """Σ what a month of waiting costs over the known needs of the area's organisations (their
    annual estimates ÷ 12). An area none of whose organisations reports has no value, not zero."""
    needs = scaling_service.known_needs(context)
    reporting = scaling_service.reporting(context)
    return {
        area: _monthly_cost([needs[code] for code in codes if code in needs])
        if any(code in reporting or code in needs for code in codes)
        else Reading(None, MISSING, "rapporterar inte till registret")
        for area, codes in groups.items()
    }


def _monthly_cost(needs: list[scaling_service.KnownNeeds]) -> Reading:
    count, annual = sum(need.count for need in needs), sum(need.annual_sek for need in needs)
    counted = count_noun(count, "känt behov", "kända behov")
    if count and not annual:
        return Reading(None, MISSING, f"{counted}; värdet kan inte uppskattas")
    monthly = formatting.significant(annual / 12) or 0
    return Reading(monthly, f"{formatting.significant_sek(monthly)} per månad", counted)


def solutions(context: AnalyticsContext) -> list[InitiativeRead]:
    """Proven solutions that others could take after: the national scaling candidates."""
    candidates = scaling_service.national_candidates(context, NationalCandidateQuery(limit=SOLUTIONS_OFFERED))
    return sorted((candidate.initiative for candidate in candidates), key=lambda read: read.title.casefold())


def chosen_solution(context: AnalyticsContext, asked: str, offered: list[InitiativeRead]) -> InitiativeRead | None:
    """The initiative asked for by id (any, not only those offered); the first offered when none is asked."""
    if not asked:
        return offered[0] if offered else None
    try:
        return initiative_reads.read(context.session, uuid.UUID(asked))
    except ValueError:
        return None


def solution_holders(
    context: AnalyticsContext, groups: dict[str, list[str]], solution: InitiativeRead
) -> dict[str, Reading]:
    """What the registry holds of each area's own organisation and the solution: owner, confirmed
    participant, a recorded adoption (with its status) or nothing recorded, which is not the same
    as not having it. A region's also counts its county's municipalities that hold anything."""
    session = context.session
    participants = {
        p.organisation_code for p in initiative_reads.participations(session, [solution.id], confirmed_only=True)
    }
    adoptions = {fact.organisation_code: fact.status for fact in adoption_service.facts(session, [solution.id])}

    def role(code: str) -> str | AdoptionStatus | None:
        if code == solution.owner:
            return "owner"
        return "participant" if code in participants else adoptions.get(code)

    found = {}
    for area, codes in groups.items():
        own = role(area)
        shade = NOTHING_RECORDED if own is None else ROLE_SHADES[own]
        holders = sum(role(code) is not None for code in codes[1:])
        detail = f"{holders} av {len(codes) - 1} kommuner i länet har en uppgift" if len(codes) > 1 else ""
        found[area] = Reading(_role_rank(own), shade.label, detail, shade)
    return found


def _role_rank(role: str | AdoptionStatus | None) -> float:
    return 0 if role is None else len(ROLE_SHADES) - list(ROLE_SHADES).index(role)


def classed(context: AnalyticsContext, readings: dict[str, Reading], measure: str) -> tuple[list[Shade], list[Row]]:
    """The legend and one row per area, each with its class."""
    names = {code: profile.name for code, profile in context.organisations.profiles.items()}
    codes = list(readings)
    if measure == "losning":
        legend = [*ROLE_SHADES.values(), NOTHING_RECORDED]
        shades = [readings[code].shade or NOTHING_RECORDED for code in codes]
    else:
        legend, shades = choropleth.quantile_shades(
            [readings[code].value for code in codes], CLASSES, _bound_text(measure), ZERO_LABELS[measure]
        )
    rows = [Row(code, names.get(code, code), readings[code], shade) for code, shade in zip(codes, shades, strict=True)]
    return legend, rows


def _bound_text(measure: str) -> Callable[[float], str]:
    if measure == "behov":
        return formatting.significant_sek
    return formatting.significant_number


def _area(row: Row) -> Area:
    return Area(row.name, row.reading.text, row.shade)


def _by_value(row: Row) -> tuple[bool, float, str]:
    value = row.reading.value
    return value is None, -(value or 0), row.name


def _by_name(row: Row) -> str:
    return row.name.casefold()


def _summary(level: str, measure: str, rows: list[Row]) -> str:
    """The map's text alternative: what it shows, how much is known, and the highest value."""
    summary = f"Karta över Sveriges {LEVELS[level]}: {MEASURES[measure].lower()}. "
    if measure == "losning":
        holders = sum(bool(row.reading.value) for row in rows)
        return summary + f"{holders} av {len(rows)} har en uppgift om lösningen. {TABLE_NOTE}"
    known = [row for row in rows if row.reading.value is not None]
    summary += f"{len(known)} av {len(rows)} har en uppgift"
    if known:
        highest = max(known, key=lambda row: row.reading.value or 0)
        summary += f"; högst har {highest.name} ({highest.reading.text})"
    return f"{summary}. {TABLE_NOTE}"
