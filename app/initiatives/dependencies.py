import re
import uuid
from typing import Annotated

from fastapi import Depends, Header

from app.core.db import SessionDep
from app.core.problems import PreconditionFailed, PreconditionRequired
from app.initiatives import reads
from app.initiatives.records import InitiativeRow
from app.initiatives.service import not_found

_ETAG = re.compile(r'^(?:W/)?"(\d+)"$')


def existing_initiative(initiative_id: uuid.UUID, session: SessionDep) -> InitiativeRow:
    initiative = reads.get(session, initiative_id)
    if initiative is None:
        raise not_found(initiative_id)
    return initiative


InitiativeDep = Annotated[InitiativeRow, Depends(existing_initiative)]


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(
    if_match: Annotated[str | None, Header(description='The ETag you read, e.g. "3".')] = None,
) -> int:
    if not if_match:
        raise PreconditionRequired("Send If-Match with the ETag from your last read, so no one else's change is lost.")
    match = _ETAG.match(if_match.strip())
    if match is None:
        raise PreconditionFailed(f'If-Match {if_match!r} is not an ETag this service issued (they look like "3").')
    return int(match.group(1))


ExpectedVersionDep = Annotated[int, Depends(expected_version)]
