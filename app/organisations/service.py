"""Organisations and their yearly figures."""

import uuid
from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, delete, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.auth import permissions
from app.auth import service as auth_service
from app.auth.models import ApiKey
from app.auth.schemas import ApiKeyRead
from app.changes import service as change_service
from app.core.caller import Caller
from app.core.enums import ChangeAction, OrganisationKind
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
        query = query.where(col(Organisation.code).in_(codes_in_county(county)))
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
    """The codes of the organisations in a county (see `county_codes_by_code`), as a subquery
    for other domains' filters."""
    member = aliased(Organisation)
    members_there = (
        select(OrganisationMember.organisation_code)
        .join(member, col(member.code) == col(OrganisationMember.member_code))
        .where(member.county_code == county_code)
    )
    return select(Organisation.code).where(
        or_(
            col(Organisation.county_code) == county_code,
            col(Organisation.county_code).is_(None) & col(Organisation.code).in_(members_there),
        )
    )


def county_codes_by_code(session: Session) -> dict[str, tuple[str, ...]]:
    """The counties each organisation is in: its own county; for a federation or company whose
    members span counties (it has none of its own), each county a member is in."""
    statement = select(Organisation.code, Organisation.county_code)
    own = {row.code: row.county_code for row in session.connection().execute(statement)}
    return _counties(own, member_codes(session))


def _counties(own: dict[str, str | None], members: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {
        code: (county,) if county else tuple(sorted({there for m in members.get(code, []) if (there := own.get(m))}))
        for code, county in own.items()
    }


class Profile(NamedTuple):
    """What the analytics need about an organisation."""

    code: str
    name: str
    kind: OrganisationKind
    county_code: str | None
    county_codes: tuple[str, ...]  # see `county_codes_by_code`
    note: str | None = None  # what a federation or a company is, shown on its page


PROFILE_COLUMNS = tuple(col(getattr(Organisation, name)) for name in ("code", "name", "kind", "county_code", "note"))


def profiles(session: Session, members: dict[str, list[str]] | None = None) -> dict[str, Profile]:
    """Every organisation, by code (`members`: `member_codes`, when the caller has read them)."""
    rows = list(session.connection().execute(select(*PROFILE_COLUMNS)))
    counties = _counties({row.code: row.county_code for row in rows}, members or member_codes(session))
    return {
        row.code: Profile(row.code, row.name, row.kind, row.county_code, counties[row.code], row.note) for row in rows
    }


def latest_populations(session: Session) -> dict[str, int]:
    """Each organisation's population in the latest year it has one."""
    statement = (
        select(OrganisationYear.organisation_code, OrganisationYear.population)
        .where(col(OrganisationYear.population).is_not(None))
        .order_by(col(OrganisationYear.year))
    )
    return {row[0]: row[1] for row in session.connection().execute(statement)}


# Built once: every write checks its organisations.
KNOWN_CODES = select(col(Organisation.code)).where(col(Organisation.code).in_(bindparam("codes", expanding=True)))


def missing_codes(session: Session, codes: Iterable[str]) -> set[str]:
    wanted = set(codes)
    if not wanted:
        return set()
    return wanted - set(session.connection().execute(KNOWN_CODES, {"codes": list(wanted)}).scalars())


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
    counties = county_codes_by_code(session)
    return [
        OrganisationRead.model_validate(
            o, update={"member_codes": members.get(o.code, []), "county_codes": list(counties.get(o.code, ()))}
        )
        for o in organisations
    ]


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
    before = _figures_json(existing) if existing is not None else {}
    figures = existing or OrganisationYear(organisation_code=code, year=year)
    figures.sqlmodel_update(data.model_dump(exclude_unset=True))
    if existing is None or session.is_modified(existing):
        figures.updated_at = utcnow()
        session.add(figures)
        session.flush()
        after = _figures_json(figures)
        action = ChangeAction.update if existing is not None else ChangeAction.create
        changes = change_service.diff(before, after, ignored={"updated_at"}) if existing is not None else {}
        change_service.record(session, [_change("figures", figures_id(code, year), action, caller, after, changes)])
    return figures


# The change feed names each entity by a UUID; an organisation's year has none of its own.
FIGURES_NAMESPACE = uuid.UUID("5f0c3c52-4c1e-4f53-9d0e-2d6a5b0f7a11")


def figures_id(code: str, year: int) -> uuid.UUID:
    """The stable id of an organisation's figures for a year in the change feed."""
    return uuid.uuid5(FIGURES_NAMESPACE, f"{code}/{year}")


def _figures_json(figures: OrganisationYear) -> dict[str, Any]:
    return FiguresRead.model_validate(figures).model_dump(mode="json")


def mint_key(session: Session, code: str, label: str | None, caller: Caller) -> tuple[ApiKey, str]:
    """Mint a key for the organisation and record that in the change feed (never its secret)."""
    key, secret = auth_service.mint(session, code, label)
    change_service.record(session, [_change("api_key", key.id, ChangeAction.create, caller, _key_json(key), {})])
    return key, secret


def revoke_key(session: Session, key: ApiKey, caller: Caller) -> ApiKey:
    """Revoke the key (once) and record that in the change feed."""
    if key.revoked_at is None:
        before = _key_json(key)
        auth_service.revoke(key)
        session.add(key)
        after = _key_json(key)
        changes = change_service.diff(before, after, ignored=set())
        change_service.record(session, [_change("api_key", key.id, ChangeAction.revoke, caller, after, changes)])
    return key


def _key_json(key: ApiKey) -> dict[str, Any]:
    return ApiKeyRead.model_validate(key).model_dump(mode="json")


def _change(
    entity: str, entity_id: uuid.UUID, action: ChangeAction, caller: Caller, snapshot: dict, changes: dict
) -> dict[str, Any]:
    return change_service.new_change(
        entity=entity,
        entity_id=entity_id,
        initiative_id=None,
        action=action,
        caller=caller,
        snapshot=snapshot,
        changes=changes,
    )


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
