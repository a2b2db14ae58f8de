"""Organisations and their yearly figures."""

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import Select, bindparam, delete, update
from sqlmodel import Session, col, select

from app.auth import permissions
from app.core.caller import Caller
from app.core.enums import OrganisationKind
from app.core.models import utcnow
from app.language.text import normalise
from app.organisations.models import Organisation, OrganisationMember, OrganisationYear
from app.organisations.schemas import FiguresRead, FiguresWrite, OrganisationRead


def get(session: Session, code: str) -> Organisation | None:
    return session.get(Organisation, code)


def list_organisations(
    session: Session, *, kind: OrganisationKind | None = None, county: str | None = None, q: str | None = None
) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.code)
    if kind is not None:
        query = query.where(Organisation.kind == kind)
    if county is not None:
        query = query.where(Organisation.county_code == county)
    organisations = list(session.exec(query))
    if q:
        # A few hundred rows: matching in Python case-folds å/ä/ö, which SQLite's LOWER() does not.
        needle = normalise(q.strip())
        organisations = [o for o in organisations if needle in normalise(o.name) or o.code == q.strip()]
    return organisations


def names_by_code(session: Session, codes: Iterable[str]) -> dict[str, Organisation]:
    wanted = set(codes)
    if not wanted:
        return {}
    return {o.code: o for o in session.exec(select(Organisation).where(col(Organisation.code).in_(wanted)))}


class Label(NamedTuple):
    """What a read of an organisation's initiatives shows about it."""

    code: str
    name: str
    county_code: str | None


# Built once: constructing a statement costs more than running it on a page's hot path.
LABELS = select(Organisation.code, Organisation.name, Organisation.county_code).where(
    col(Organisation.code).in_(bindparam("codes", expanding=True))
)


def labels_by_code(session: Session, codes: Iterable[str]) -> dict[str, Label]:
    """Name and county code of each organisation, by code."""
    wanted = list(set(codes))
    return {row.code: Label(*row) for row in session.connection().execute(LABELS, {"codes": wanted})} if wanted else {}


def codes_in_county(county_code: str) -> Select:
    """The codes of the organisations in a county, as a subquery for other domains' filters."""
    return select(Organisation.code).where(Organisation.county_code == county_code)


class Profile(NamedTuple):
    """What the analytics need about an organisation."""

    code: str
    name: str
    kind: OrganisationKind
    county_code: str | None
    note: str | None = None  # what a federation or a company is, shown on its page


PROFILE_COLUMNS = tuple(col(getattr(Organisation, name)) for name in Profile._fields)


def profiles(session: Session) -> dict[str, Profile]:
    """Every organisation, by code."""
    statement = select(*PROFILE_COLUMNS)
    return {row.code: Profile(*row) for row in session.connection().execute(statement)}


def latest_populations(session: Session) -> dict[str, int]:
    """Each organisation's population in the latest year it has one."""
    statement = (
        select(OrganisationYear.organisation_code, OrganisationYear.population)
        .where(col(OrganisationYear.population).is_not(None))
        .order_by(col(OrganisationYear.year))
    )
    return {row[0]: row[1] for row in session.connection().execute(statement)}


def missing_codes(session: Session, codes: Iterable[str]) -> set[str]:
    wanted = set(codes)
    return wanted - set(names_by_code(session, wanted))


def member_codes(session: Session, codes: Iterable[str] | None = None) -> dict[str, list[str]]:
    """The members of each federation or company among `codes` (or of all), by code."""
    query = select(OrganisationMember).order_by(OrganisationMember.member_code)
    if codes is not None:
        query = query.where(col(OrganisationMember.organisation_code).in_(set(codes)))
    members: dict[str, list[str]] = {}
    for row in session.exec(query):
        members.setdefault(row.organisation_code, []).append(row.member_code)
    return members


def to_read(session: Session, organisations: list[Organisation]) -> list[OrganisationRead]:
    members = member_codes(session, (o.code for o in organisations))
    return [OrganisationRead.model_validate(o, update={"member_codes": members.get(o.code, [])}) for o in organisations]


def yearly_figures(session: Session, codes: Iterable[str] | None = None) -> list[FiguresRead]:
    """Every year's figures of these organisations (or of all), oldest year first."""
    query = select(OrganisationYear).order_by(col(OrganisationYear.year))
    if codes is not None:
        query = query.where(col(OrganisationYear.organisation_code).in_(list(codes)))
    return [FiguresRead.model_validate(row) for row in session.exec(query)]


def list_figures(session: Session, code: str) -> list[OrganisationYear]:
    query = (
        select(OrganisationYear).where(OrganisationYear.organisation_code == code).order_by(col(OrganisationYear.year))
    )
    return list(session.exec(query))


def record_figures(session: Session, code: str, year: int, data: FiguresWrite, caller: Caller) -> OrganisationYear:
    """Record the year's figures; fields left out keep their value. Only the organisation itself
    (or the admin, and the Kolada importer) may."""
    permissions.require_acting_for(caller, code, f"Only {code} itself may report its figures.")
    existing = session.get(OrganisationYear, (code, year))
    figures = existing or OrganisationYear(organisation_code=code, year=year)
    figures.sqlmodel_update(data.model_dump(exclude_unset=True))
    if existing is None or session.is_modified(existing):
        figures.updated_at = utcnow()
        session.add(figures)
        session.flush()
    return figures


def mark_demo_figures(session: Session, keys: Iterable[tuple[str, int]]) -> None:
    """Mark yearly figures the demo loader wrote (by organisation code and year)."""
    for code, year in keys:
        session.execute(
            update(OrganisationYear)
            .where(col(OrganisationYear.organisation_code) == code, col(OrganisationYear.year) == year)
            .values(is_demo=True)
        )


def delete_demo_figures(session: Session) -> int:
    return session.connection().execute(delete(OrganisationYear).where(col(OrganisationYear.is_demo))).rowcount
