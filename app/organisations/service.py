"""Organisations and their yearly figures."""

from collections.abc import Iterable

from sqlalchemy import Row, bindparam
from sqlmodel import Session, col, select

from app.core.enums import OrganisationKind
from app.core.models import utcnow
from app.core.text import normalise
from app.organisations.models import Organisation, OrganisationMember, OrganisationYear
from app.organisations.schemas import FiguresWrite, OrganisationRead


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


# Built once: constructing a statement costs more than running it on a page's hot path.
LABELS = select(Organisation.code, Organisation.name, Organisation.county_code).where(
    col(Organisation.code).in_(bindparam("codes", expanding=True))
)


def labels_by_code(session: Session, codes: Iterable[str]) -> dict[str, Row]:
    """Name and county code of each organisation, by code: what a read of its initiatives shows."""
    wanted = list(set(codes))
    return {row.code: row for row in session.connection().execute(LABELS, {"codes": wanted})} if wanted else {}


def missing_codes(session: Session, codes: Iterable[str]) -> set[str]:
    wanted = set(codes)
    return wanted - set(names_by_code(session, wanted))


def member_codes(session: Session, codes: Iterable[str]) -> dict[str, list[str]]:
    query = (
        select(OrganisationMember)
        .where(col(OrganisationMember.organisation_code).in_(set(codes)))
        .order_by(OrganisationMember.member_code)
    )
    members: dict[str, list[str]] = {}
    for row in session.exec(query):
        members.setdefault(row.organisation_code, []).append(row.member_code)
    return members


def to_read(session: Session, organisations: list[Organisation]) -> list[OrganisationRead]:
    members = member_codes(session, (o.code for o in organisations))
    return [OrganisationRead.model_validate(o, update={"member_codes": members.get(o.code, [])}) for o in organisations]


def list_figures(session: Session, code: str) -> list[OrganisationYear]:
    query = select(OrganisationYear).where(OrganisationYear.organisation_code == code).order_by(OrganisationYear.year)
    return list(session.exec(query))


def record_figures(session: Session, code: str, year: int, data: FiguresWrite) -> OrganisationYear:
    existing = session.get(OrganisationYear, (code, year))
    figures = existing or OrganisationYear(organisation_code=code, year=year)
    figures.sqlmodel_update(data.model_dump(exclude_unset=True))
    if existing is None or session.is_modified(existing):
        figures.updated_at = utcnow()
        session.add(figures)
        session.flush()
    return figures
