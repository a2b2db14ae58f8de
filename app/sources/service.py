"""Registered partner sources: which organisation's keys may write under which source name.

Import-only sources (`pios`, `uttc`, `kolada`, `file-…`) are written by the importers alone
and are never registered; `registry` is the registry's own.
"""

from sqlmodel import Session, col, select

from app.auth import permissions
from app.core.caller import Caller
from app.core.problems import (
    Conflict,
    ImportOnlySource,
    InvalidParameter,
    NotFound,
    SourceOwnedByAnother,
    ValidationFailed,
)
from app.organisations import service as organisation_service
from app.sources.models import Source
from app.sources.schemas import SourceCreate, SourceRead

REGISTRY = "registry"  # initiatives registered here, not by any source
IMPORT_ONLY = frozenset({"pios", "uttc", "kolada"})
IMPORT_ONLY_PREFIX = "file-"


def is_import_only(name: str) -> bool:
    return name in IMPORT_ONLY or name.startswith(IMPORT_ONLY_PREFIX)


def register(session: Session, data: SourceCreate) -> Source:
    if data.name == REGISTRY or is_import_only(data.name):
        raise ValidationFailed(
            f"The source name {data.name!r} is the registry's own or its importers'; choose another.",
            [InvalidParameter(property="name", reason="reserved", value=data.name)],
        )
    if organisation_service.missing_codes(session, [data.owner]):
        raise ValidationFailed(
            f"Unknown organisation code: {data.owner}.",
            [InvalidParameter(property="owner", reason="unknown organisation code", value=data.owner)],
        )
    if session.get(Source, data.name) is not None:
        raise Conflict(f"The source {data.name!r} is already registered.")
    source = Source(name=data.name, owner_code=data.owner, description=data.description)
    session.add(source)
    session.flush()
    return source


def list_sources(session: Session) -> list[Source]:
    return list(session.exec(select(Source).order_by(col(Source.name))))


def get(session: Session, name: str) -> Source | None:
    return session.get(Source, name)


def to_read(source: Source) -> SourceRead:
    return SourceRead(
        name=source.name, owner=source.owner_code, description=source.description, created_at=source.created_at
    )


def check_may_write(session: Session, caller: Caller, name: str) -> None:
    """Refuse a partner write to an import-only source, an unregistered one, or another's."""
    if is_import_only(name):
        raise ImportOnlySource(f"{name!r} is written by the registry's importers only, never through the partner API.")
    if name == REGISTRY:
        return  # the write path itself refuses the registry's own name, as invalid input
    source = get(session, name)
    if source is None:
        raise NotFound(
            f"No source named {name!r} is registered; the registry's admin registers it for its owner "
            "(POST /api/v1/sources or `registry create-source`)."
        )
    if not permissions.may_act_for(caller, source.owner_code):
        raise SourceOwnedByAnother(
            f"The source {name!r} belongs to {source.owner_code}; this key belongs to {caller.organisation_code}."
        )
