import re
import uuid
from typing import Annotated

from fastapi import Depends, Header

from app.core.db import SessionDep
from app.core.problems import BadRequest, PreconditionRequired
from app.initiatives import reads
from app.initiatives.records import InitiativeRow
from app.initiatives.service import not_found

# The ETags this service issues; HTTP strips the whitespace around a header's value before it
# arrives, so the pattern need not (and clients cannot send a value starting with it).
ETAG_PATTERN = r'^(?:W/)?"([0-9]+)"$'
_ETAG = re.compile(ETAG_PATTERN)


def existing_initiative(initiative_id: uuid.UUID, session: SessionDep) -> InitiativeRow:
    initiative = reads.get(session, initiative_id)
    if initiative is None:
        raise not_found(initiative_id)
    return initiative


InitiativeDep = Annotated[InitiativeRow, Depends(existing_initiative)]


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(
    if_match: Annotated[
        str | None, Header(description='The ETag you read, e.g. "3".', json_schema_extra={"pattern": ETAG_PATTERN})
    ] = None,
) -> int:
    if not if_match:
        raise PreconditionRequired("Send If-Match with the ETag from your last read, so no one else's change is lost.")
    match = _ETAG.match(if_match.strip())
    if match is None:  # not an ETag at all: a malformed request, not a stale one
        raise BadRequest(f'If-Match {if_match!r} is not an ETag this service issues (they look like "3").')
    return int(match.group(1))


ExpectedVersionDep = Annotated[int, Depends(expected_version)]
