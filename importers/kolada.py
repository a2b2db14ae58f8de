"""Kolada: population and net cost per municipality, region and year, into yearly figures.

Rules:
- `population` is Kolada's population KPI (N01951) as a whole number.
- `net_cost_sek` is the net cost per inhabitant (N03011) × that year's population: Kolada's
  population from the same fetch, or else the population the registry already holds.
- `total_turnover_sek`, which the KPIs divide by, gets the net cost as its proxy: Kolada
  publishes no turnover. It follows the net cost while it is empty or still equal to the
  stored net cost (the proxy); once an organisation reports a different turnover, the
  importer leaves it alone.
- Only the total (gender "T") is read. Figures are upserted per organisation and year; an
  unchanged year is not written. Nothing is ever withdrawn: Kolada's figures only add up.
"""

import math
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from app.core.caller import IMPORTER
from app.core.db import session_scope
from app.core.enums import OrganisationKind
from app.organisations import service as organisation_service
from app.organisations.schemas import FiguresRead, FiguresWrite
from app.organisations.service import Profile
from importers.http import Fetcher, fetch_json_pages
from importers.mapping import MAPPINGS_DIR, MappingError
from importers.parsers import Paging
from importers.pipeline import ImportFailed, RunContext, batch_session, chunks, describe_validation_error


@dataclass(frozen=True)
class KoladaConfig:
    url: str
    data_path: str
    ids_per_request: int
    years: int
    gender: str
    is_conditional: bool
    population_kpi: str
    net_cost_kpi: str
    paging: Paging

    @classmethod
    def load(cls, path: Path = MAPPINGS_DIR / "kolada.toml") -> "KoladaConfig":
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
            paging = document["paging"]
            return cls(
                url=document["url"],
                data_path=document["data_path"],
                ids_per_request=min(int(document["ids_per_request"]), 25),
                years=int(document["years"]),
                gender=document["gender"],
                is_conditional=document.get("conditional", True),
                population_kpi=document["kpis"]["population"],
                net_cost_kpi=document["kpis"]["net_cost_per_inhabitant"],
                paging=Paging(style=paging["style"], records=paging["records"], next=tuple(paging["next"])),
            )
        except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as error:
            raise MappingError(f"{path}: {error}") from None


@dataclass
class YearFigures:
    population: float | None = None
    net_cost_per_inhabitant: float | None = None
    location: str = ""


def kolada_id(organisation: Profile) -> str:
    """Kolada's id: the kommunkod, or "00" + county code for a region."""
    return f"00{organisation.code}" if organisation.kind == OrganisationKind.region else organisation.code


def registry_code(kolada: str) -> str:
    return kolada[2:] if len(kolada) == 4 and kolada.startswith("00") else kolada


def years_to_fetch(since: date | None, window: int, today: date | None = None) -> list[int]:
    """From `since`'s year to this year; without it, the `window` years before this one."""
    this_year = (today or date.today()).year
    first = since.year if since else this_year - window
    last = this_year if since else this_year - 1
    return list(range(first, last + 1))


def data_urls(config: KoladaConfig, base_url: str, kolada_ids: list[str], years: list[int]) -> list[str]:
    kpis = ",".join((config.population_kpi, config.net_cost_kpi))
    return [
        base_url.rstrip("/") + config.data_path.format(kpis=kpis, ids=",".join(ids), years=",".join(map(str, years)))
        for ids in chunks(kolada_ids, config.ids_per_request)
    ]


def run(context: RunContext, fetcher: Fetcher, config: KoladaConfig, url: str, since: date | None) -> None:
    with session_scope(context.engine, write=False) as session:
        organisations = _municipalities_and_regions(session)
    years = years_to_fetch(since, config.years)
    if not years:
        raise ImportFailed(f"--since {since} is after this year: there are no figures to fetch")
    urls = data_urls(config, url, [kolada_id(o) for o in organisations], years)
    context.progress.start("Fetching Kolada", len(urls))
    items: list[dict[str, Any]] = []
    unchanged_requests = 0
    for request_url in urls:
        fetched = _fetch_all_pages(context, fetcher, config, request_url)
        unchanged_requests += fetched is None
        items += fetched or []
        context.progress.advance(1)
    if unchanged_requests == len(urls):
        context.tally.is_not_modified = True
        return
    context.tally.notes["requests_not_modified"] = unchanged_requests
    figures = collect_figures(items, config, {o.code for o in organisations}, context)
    record_all(context, figures)


def _municipalities_and_regions(session: Session) -> list[Profile]:
    kinds = (OrganisationKind.municipality, OrganisationKind.region)
    return sorted((p for p in organisation_service.profiles(session).values() if p.kind in kinds), key=lambda p: p.code)


def _fetch_all_pages(context: RunContext, fetcher: Fetcher, config: KoladaConfig, url: str) -> list[dict] | None:
    """Every item of one request's pages, or None when its first page is unchanged since the last run."""
    pages = fetch_json_pages(
        fetcher, url, config.paging, is_conditional=config.is_conditional and not context.is_dry_run
    )
    return None if pages is None else [item for page in pages for item in page]


def collect_figures(
    items: list[dict[str, Any]], config: KoladaConfig, known_codes: set[str], context: RunContext
) -> dict[tuple[str, int], YearFigures]:
    """Kolada's values per (organisation code, year); malformed or unknown items are rejected."""
    figures: dict[tuple[str, int], YearFigures] = {}
    for item in items:
        context.tally.counts.fetched += 1
        location = f"{item.get('kpi')} {item.get('municipality')} {item.get('period')}"
        try:
            code, year, kpi, value = _read_item(item, config, known_codes)
        except ValueError as error:
            context.tally.reject(location, None, str(error))
            continue
        if value is None:
            continue
        entry = figures.setdefault((code, year), YearFigures(location=location))
        if kpi == config.population_kpi:
            entry.population = value
        else:
            entry.net_cost_per_inhabitant = value
    return figures


def _read_item(item: dict[str, Any], config: KoladaConfig, known_codes: set[str]) -> tuple[str, int, str, float | None]:
    code = registry_code(str(item.get("municipality", "")))
    if code not in known_codes:
        raise ValueError(f"Kolada id {item.get('municipality')!r} is no municipality or region in the registry")
    kpi = item.get("kpi")
    if kpi not in (config.population_kpi, config.net_cost_kpi):
        raise ValueError(f"unexpected KPI {kpi!r}")
    try:
        year = int(item["period"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"period {item.get('period')!r} is not a year") from None
    return code, year, kpi, _total_value(item.get("values"), config.gender)


def _total_value(values: Any, gender: str) -> float | None:
    if not isinstance(values, list):
        raise ValueError("the item has no list of values")
    for value in values:
        if isinstance(value, dict) and value.get("gender", gender) == gender:
            number = value.get("value")
            # Kolada's JSON is read by Python, which takes NaN and Infinity: numbers no figure can be.
            if number is not None and (not isinstance(number, (int, float)) or not math.isfinite(number)):
                raise ValueError(f"value {number!r} is not a finite number")
            return number
    return None


def record_all(context: RunContext, figures: dict[tuple[str, int], YearFigures]) -> None:
    keys = sorted(figures)
    context.progress.start("Recording figures", len(keys))
    for batch in chunks(keys, context.settings.batch_size):
        with batch_session(context) as session:
            stored = _stored_years(session, {code for code, _ in batch})
            for key in batch:
                _record_year(session, context, key, figures[key], stored.get(key))
        context.progress.advance(len(batch))


def _stored_years(session: Session, codes: set[str]) -> dict[tuple[str, int], FiguresRead]:
    return {(row.organisation_code, row.year): row for row in organisation_service.yearly_figures(session, codes)}


def _record_year(
    session: Session, context: RunContext, key: tuple[str, int], figures: YearFigures, stored: FiguresRead | None
) -> None:
    try:
        wanted = year_values(figures, stored)
        data = FiguresWrite(**wanted)
    except ValidationError as error:
        context.tally.reject(figures.location, None, describe_validation_error(error))
        return
    except ValueError as error:
        context.tally.reject(figures.location, None, str(error))
        return
    current = {name: getattr(stored, name) for name in wanted} if stored else {}
    if stored is not None and current == wanted:
        context.tally.counts.unchanged += 1
        return
    organisation_service.record_figures(session, key[0], key[1], data, IMPORTER)
    if stored is None:
        context.tally.counts.created += 1
    else:
        context.tally.counts.updated += 1


def year_values(figures: YearFigures, stored: FiguresRead | None) -> dict[str, int]:
    """The fields to record for one organisation and year, by the rules in the module docstring."""
    values: dict[str, int] = {}
    population = figures.population if figures.population is not None else (stored and stored.population)
    if figures.population is not None:
        values["population"] = round(figures.population)
    if figures.net_cost_per_inhabitant is not None:
        if not population:
            raise ValueError("net cost per inhabitant without a population to multiply it by")
        values["net_cost_sek"] = round(figures.net_cost_per_inhabitant * population)
        if stored is None or stored.total_turnover_sek in (None, stored.net_cost_sek):
            values["total_turnover_sek"] = values["net_cost_sek"]
    return values
