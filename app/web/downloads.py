"""The web's downloads for spreadsheets: Swedish headers and labels, as CSV for Swedish Excel
(`;`, UTF-8 with a byte-order mark) or as XLSX; written by `app.core.spreadsheets`.

Each table is a pair of headers and a generator of rows, built from what the pages show.
"""

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi.responses import Response, StreamingResponse

from app.core import spreadsheets
from app.web import labels, views

EXTENSIONS = ("csv", "xlsx")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPOOL_BYTES = 4 * 1024 * 1024
BASIS_LABELS = {"known_need": "känt behov", "potential": "möjlighet"}


@dataclass(frozen=True)
class Table:
    name: str  # the file's name without extension, and the sheet's title
    headers: tuple[str, ...]
    rows: Iterable[Sequence[spreadsheets.Cell]]


def respond(table: Table, extension: str) -> Response:
    """The table as a file to save. The whole file is written before this returns (to disk beyond
    a few megabytes), since the request's transaction ends with the route."""
    disposition = {"Content-Disposition": f'attachment; filename="{table.name}.{extension}"'}
    if extension == "xlsx":
        body = spreadsheets.write_xlsx(table.headers, table.rows, table.name)
        return Response(body, media_type=XLSX_MEDIA_TYPE, headers=disposition)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="utf-8", newline="")  # noqa: SIM115  (closed by chunks once sent)
    spreadsheets.write_csv(table.headers, table.rows, spool, spreadsheets.EXCEL_SV)
    spool.seek(0)
    return StreamingResponse(chunks(spool), media_type="text/csv; charset=utf-8", headers=disposition)


def chunks(spool: Any) -> Iterator[str]:
    with spool:
        while chunk := spool.read(64 * 1024):
            yield chunk


INITIATIVE_HEADERS = (
    "Titel",
    "Ägare",
    "Ägarens kod",
    "Län",
    "Status",
    "Kategori",
    "Sammanfattning",
    "Startdatum",
    "Slutdatum",
    "Budget (kr)",
    "Digital andel",
    "Förväntad nytta per år (kr)",
    "Realiserad nytta per år (kr)",
    "Plan för nyttorealisering",
    "Nyckelord",
    "Deltagare",
    "Lösning",
    "Flaggor",
    "Arkiverad",
    "Adress",
)


def initiatives(records: Iterable[dict[str, Any]], public_url: str) -> Table:
    """Initiatives as the API represents them (`app.initiatives.export`), one row each."""
    return Table("initiativ", INITIATIVE_HEADERS, (_initiative_row(record, public_url) for record in records))


def _initiative_row(record: dict[str, Any], public_url: str) -> list[spreadsheets.Cell]:
    solution = record.get("solution") or {}
    return [
        record["title"],
        record["owner_name"],
        record["owner"],
        labels.county_name(record.get("county_code")),
        labels.status_label(record["status"]),
        labels.category_label(record["category"]),
        record.get("summary"),
        record.get("start_date"),
        record.get("end_date"),
        record.get("budget_sek"),
        record.get("digital_share"),
        record.get("expected_benefit_sek_per_year"),
        record.get("realised_benefit_sek_per_year"),
        _yes_no(record["has_benefit_realisation_plan"]),
        ", ".join(record.get("tags") or []),
        ", ".join(
            f"{p['organisation']} ({labels.ROLE_LABELS.get(p['role'], p['role'])})"
            for p in record.get("participants") or []
        ),
        " – ".join(part for part in (solution.get("name"), solution.get("vendor")) if part) or None,
        ", ".join(labels.FLAG_LABELS.get(f["flag"], f["flag"]) for f in record.get("flags") or []),
        _yes_no(record["is_archived"]),
        f"{public_url}/initiativ/{record['id']}",
    ]


CLUSTER_HEADERS = (
    "Dubbelarbete",
    "Organisationer",
    "Sammanlagd budget (kr)",
    "Initiativ",
    "Ägare",
    "Län",
    "Status",
    "Kategori",
    "Budget (kr)",
    "Adress",
)


def clusters(found: Iterable[Any], public_url: str) -> Table:
    """The duplication report: one row per initiative, under its cluster's label."""
    rows = (
        [
            cluster.label,
            cluster.organisation_count,
            cluster.combined_budget_sek,
            member.title,
            member.owner_name,
            labels.county_name(member.county_code),
            labels.status_label(member.status),
            labels.category_label(member.category),
            member.budget_sek,
            f"{public_url}/initiativ/{member.id}",
        ]
        for cluster in found
        for member in cluster.members
    )
    return Table("dubbelarbete", CLUSTER_HEADERS, rows)


CANDIDATE_HEADERS = (
    "Initiativ",
    "Ägare",
    "Grund",
    "Kostnad per månad av att vänta (kr)",
    "Kostnad per år (kr)",
    "Uppgifter som saknas",
    "Adress",
)


def candidates(found: Iterable[Any], organisation_code: str, public_url: str) -> Table:
    """What an organisation could take after from others, with what waiting costs it."""
    rows = (
        [
            candidate.initiative.title,
            candidate.initiative.owner_name,
            BASIS_LABELS.get(candidate.basis, candidate.basis),
            candidate.cost.monthly_sek,
            candidate.cost.annual_sek,
            ", ".join(labels.input_label(name) for name in candidate.missing),
            f"{public_url}/initiativ/{candidate.initiative.id}",
        ]
        for candidate in found
    )
    return Table(f"att-ta-efter-{organisation_code}", CANDIDATE_HEADERS, rows)


NATIONAL_CANDIDATE_HEADERS = (
    "Lösning (initiativ)",
    "Ägare",
    "Organisationer med känt behov",
    "Kostnad per månad, kända behov (kr)",
    "Organisationer med möjlighet",
    "Kostnad per månad, möjligheter (kr)",
    "Uppgifter som saknas",
    "Adress",
)


def national_candidates(found: Iterable[Any], public_url: str) -> Table:
    """Proven solutions others build again: known needs and potential kept in separate columns,
    as on the page, since only known needs add up to a cost the registry can stand behind."""
    rows = (
        [
            candidate.initiative.title,
            candidate.initiative.owner_name,
            candidate.known_need_count,
            candidate.known_need_cost.monthly_sek,
            candidate.potential_count,
            candidate.potential_cost.monthly_sek,
            ", ".join(labels.input_label(name) for name in candidate.missing),
            f"{public_url}/initiativ/{candidate.initiative.id}",
        ]
        for candidate in found
    )
    return Table("att-ta-efter-nationellt", NATIONAL_CANDIDATE_HEADERS, rows)


KPI_HEADERS = ("Nyckeltal", "År", "Värde", "Värde som text", "Definition")


def kpis(series: list[views.KpiSeries], organisation_code: str) -> Table:
    """An organisation's KPIs, one row per KPI and year; shares as fractions (0,25 is 25 %)."""
    rows = (
        [kpi.name, int(year), value, kpi.value_text(value), kpi.definition]
        for kpi in series
        for year, value in kpi.points
    )
    return Table(f"nyckeltal-{organisation_code}", KPI_HEADERS, rows)


def _yes_no(value: bool) -> str:
    return "ja" if value else "nej"
