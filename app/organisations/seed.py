"""Reference organisations: all 290 municipalities, 21 regions and the known federations.

The files in `app/data/` are public facts (SCB codes and names; see `app/data/README.md`).
Seeding is an upsert keyed on the organisation code, so running it again changes nothing.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from app.core.enums import OrganisationKind
from app.organisations.models import Organisation, OrganisationMember, OrganisationYear

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
GOTLAND_NOTE = "Samma juridiska person som Gotlands kommun (0980): en kommun med regionalt ansvar."
LEGAL_FORM_KINDS = {
    "kommunalförbund": OrganisationKind.municipal_federation,
    "aktiebolag": OrganisationKind.company,
}


@dataclass(frozen=True)
class SeedReport:
    organisations: int
    memberships: int
    relabelled: frozenset[str]  # organisations whose name or county changed: what reads of them show


def read_rows(filename: str) -> list[dict[str, str]]:
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def reference_organisations() -> list[Organisation]:
    municipalities = [
        Organisation(
            code=row["code"], name=row["name"], kind=OrganisationKind.municipality, county_code=row["county_code"]
        )
        for row in read_rows("municipalities.csv")
    ]
    regions = [
        Organisation(
            code=row["code"],
            name=row["name"],
            kind=OrganisationKind.region,
            county_code=row["code"],
            note=GOTLAND_NOTE if row["code"] == "09" else None,
        )
        for row in read_rows("regions.csv")
    ]
    counties = {o.code: o.county_code for o in municipalities + regions}
    federations = [
        Organisation(
            code=row["registry_code"],
            name=row["name"],
            kind=LEGAL_FORM_KINDS.get(row["legal_form"], OrganisationKind.other),
            county_code=_only_county(counties, _members(row)),
            note=f"{row['legal_form'].capitalize()}. {row['focus']}"[:1000],
        )
        for row in read_rows("federations.csv")
    ]
    return municipalities + regions + federations


def _members(row: dict[str, str]) -> list[str]:
    return list(filter(None, row["members_codes_semicolon_separated"].split(";")))


def _only_county(counties: dict[str, str | None], members: list[str]) -> str | None:
    """A federation's county: the one all its members are in; none when they span counties (it
    is then in each of them, see `organisation_service.county_codes_by_code`) or are unknown."""
    found = {counties.get(member) for member in members}
    return found.pop() if len(found) == 1 else None


def reference_memberships() -> list[OrganisationMember]:
    return [
        OrganisationMember(organisation_code=row["registry_code"], member_code=member)
        for row in read_rows("federations.csv")
        for member in _members(row)
    ]


def reference_populations() -> list[OrganisationYear]:
    return [
        OrganisationYear(
            organisation_code=row["code"], year=int(row["population_year"]), population=int(row["population"])
        )
        for row in read_rows("municipalities.csv")
        if row["population"]
    ]


def seed(session: Session) -> SeedReport:
    organisations = reference_organisations()
    before = {o.code: (o.name, o.county_code) for o in session.exec(select(Organisation))}
    for organisation in organisations:
        session.merge(organisation)
    session.flush()
    memberships = reference_memberships()
    for membership in memberships:
        session.merge(membership)
    for figures in reference_populations():
        _add_population_if_missing(session, figures)
    session.flush()
    relabelled = frozenset(
        o.code for o in organisations if o.code in before and before[o.code] != (o.name, o.county_code)
    )
    return SeedReport(organisations=len(organisations), memberships=len(memberships), relabelled=relabelled)


def _add_population_if_missing(session: Session, figures: OrganisationYear) -> None:
    # Kolada's newer figures win: the reference file only fills a year nobody has reported.
    existing = session.get(OrganisationYear, (figures.organisation_code, figures.year))
    if existing is None:
        session.add(figures)
    elif existing.population is None:
        existing.population = figures.population


def is_seeded(session: Session) -> bool:
    return session.exec(select(Organisation.code).limit(1)).first() is not None
